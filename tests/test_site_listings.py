"""The site's listings read as HTML and JSON: the tracker (each requirement once, names in the
page's language, anchors, returns, completion), the directory, pages of rows at scale, escaping."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import ORGANIZATIONS, PEOPLE, REPO, add_site, circular_yaml, run, write
from lxml import html

from generator.site.listing import PAGE_SIZE

TODAY = "2024-06-01"
PARK = "geliping-park-federation"
CIRCULAR = "panzhihua-2024-07"


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path / "index.html").read_text(encoding="utf-8"))


def text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).replace("¶", "").strip()


def rows(doc) -> list:
    return doc.cssselect("article table.listing-table tbody tr")


def cells(row) -> dict[str, str]:
    """Cell text by column (the col-… class)."""
    return {td.get("class").split()[0].removeprefix("col-"): text(td) for td in row.cssselect("td")}


def target_of(site: Path, from_page: str, href: str) -> tuple[Path, str]:
    """The built file a relative link from a page leads to, and its anchor."""
    address, _, anchor = href.partition("#")
    folder = (site / from_page).resolve()
    target = (folder / address).resolve()
    return (target / "index.html" if target.is_dir() else target), anchor


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example project, with a return recorded by the park federation; its built site."""
    root = tmp_path_factory.mktemp("example")
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    write(
        root,
        "inbox/park.yaml",
        f"""\
        circular: {CIRCULAR}
        organization: {PARK}
        who: 张三
        answers:
          - {{requirement: 2, target: 1, status: 进行中, value: 85%, date: 2024-05-20}}
          - {{requirement: 3, status: done, date: 2024-05-25}}
        """,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", TODAY)
        imported = run(root, "returns", "import", str(root / "inbox/park.yaml"))
        assert imported.exit_code == 0, imported.output
        built = run(root, "build", "--strict", "--site-url", "https://circulars.example.org/")
    assert built.exit_code == 0, built.output
    return root


def issued_requirements(root: Path) -> dict[str, int]:
    """Circular id -> number of requirements, for the issued circulars that are not translations
    of another issued circular: what the tracker should count."""
    sources = {}
    for path in (root / "circulars").rglob("20*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sources[data["id"]] = data
    return {
        cid: len(data.get("requirements", []))
        for cid, data in sources.items()
        if data["status"] == "issued"
        and sources.get(data.get("translation_of"), {}).get("status") != "issued"
        and data.get("requirements")
    }


def test_the_tracker_counts_each_requirement_once(example):
    site = example / "build/site"
    tracker = page(site, "tracker")
    expected = issued_requirements(example)
    found = [cells(r) for r in rows(tracker)]
    assert len(found) == sum(expected.values())
    keys = [(r["circular"].split()[0], r["requirement"].split(".")[0]) for r in found]
    assert len(set(keys)) == len(keys)
    # the Chinese original is shown on a Chinese site, not its English translation
    assert "1. 找准问题" in [r["requirement"] for r in found]
    assert not any("Find out problems" in r["requirement"] for r in found)
    data = json.loads((site / "tracker/requirements.json").read_text(encoding="utf-8"))
    assert len(data["rows"]) == len(found)


def test_each_row_links_to_the_requirements_own_anchor(example):
    site = example / "build/site"
    tracker = page(site, "tracker")
    for row in rows(tracker):
        [link] = row.cssselect("td.col-requirement a")
        number = text(link).split(".")[0]
        file, anchor = target_of(site, "tracker", link.get("href"))
        assert anchor == f"requirement-{number}"
        target = html.fromstring(file.read_text(encoding="utf-8")).get_element_by_id(anchor)
        assert target.get("class") == "point"
    first = next(r for r in rows(tracker) if cells(r)["requirement"] == "1. 找准问题")
    file, anchor = target_of(site, "tracker", first.cssselect("td.col-requirement a")[0].get("href"))
    assert file == site / "circulars" / CIRCULAR / "index.html"
    assert text(html.fromstring(file.read_text(encoding="utf-8")).get_element_by_id(anchor)).startswith(
        "一是找准问题。"
    )


def test_names_are_in_the_pages_language(example):
    """The English-only ChemChina circular's responsible bodies are named in Chinese on a Chinese site."""
    site = example / "build/site"
    chemchina = [cells(r) for r in rows(page(site, "tracker")) if "ChemChina" in cells(r)["circular"]]
    assert chemchina
    for row in chemchina:
        assert not re.search(r"[A-Za-z]", row["responsible"]), row["responsible"]
        assert row["responsible"].startswith("中国化工工会")


def test_the_tracker_shows_each_bodys_latest_return_against_its_target(example):
    site = example / "build/site"
    found = {cells(r)["requirement"]: r for r in rows(page(site, "tracker"))}
    second = found["2. 抓住关键"]
    answers = [text(li) for li in second.cssselect("ul.returns li")]
    assert "格里坪特色产业园区工会联合会 进行中 建会率: 85%（目标＞90%） 2024-05-20" in answers
    # a target nobody reported on still shows what it asks
    assert any(a.startswith("格里坪特色产业园区工会联合会 未填报 会员登记入会率") for a in answers)
    third = found["3. 解决问题"]
    park = next(
        li for li in third.cssselect("ul.returns li") if text(li).startswith("格里坪特色产业园区工会联合会")
    )
    assert text(park).startswith("格里坪特色产业园区工会联合会 已完成")
    assert not park.cssselect(".state")  # done: never overdue
    # completion: per circular in each of its rows (1 of 40 items done: 3 %, rounded half up), overall above the table
    assert "完成率 3%" in cells(second)["circular"]
    assert page(site, "tracker").cssselect("p.completion")


def test_an_organizations_page_lists_what_it_owes_by_when_and_what_it_reported(example):
    site = example / "build/site"
    park = page(site, f"directory/{PARK}")
    owed = [cells(r) for r in rows(park)]
    assert [(r["requirement"], r["target"]) for r in owed if r["circular"] == "攀工发〔2024〕7号"] == [
        ("2. 抓住关键", "建会率 ＞90%"),
        ("2. 抓住关键", "会员登记入会率（实名制登记认证） ＞80%"),
        ("3. 解决问题", "—"),
        ("4. 服务职工", "—"),
    ]
    first = owed[0]
    assert (first["deadline"], first["returns"], first["value"], first["reported-on"]) == (
        "2024-09-30",
        "进行中",
        "85%",
        "2024-05-20",
    )
    assert owed[2]["state"] == "已完成"
    facts = text(park.cssselect("article p")[0])
    assert "上级组织: 攀枝花市西区总工会" in facts
    assert "3 项工作要求" in facts and "完成率 25%" in facts


def test_the_directory_shows_its_numbers_and_each_persons_titles_there_only(example):
    site = example / "build/site"
    directory = page(site, "directory")
    lines = {text(li).split(" · ")[0]: text(li) for li in directory.cssselect("article > ul li")}
    published = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in (example / "circulars").rglob("20*/*.yaml")
    ]
    sichuan = sum(
        1 for c in published if c["status"] != "draft" and c["issuer"] in ("sichuan-ftu", "panzhihua-ftu")
    )
    line = next(v for k, v in lines.items() if k.startswith("四川省总工会"))
    assert f"{sichuan} 件公文" in line
    park = next(v for k, v in lines.items() if k.startswith("格里坪特色产业园区工会联合会"))
    assert "3 项工作要求" in park and "完成率 25%" in park
    # 马吉孝 is 副主席 of the ACFTU, and chairs the Qinghai federation: only the first shows under the ACFTU
    acftu = directory.cssselect("article h3 + ul")[0]
    ma = next(text(li) for li in acftu.cssselect("li") if text(li).startswith("马吉孝"))
    assert ma == "马吉孝: 副主席"


def test_returns_in_a_translations_records_count_for_the_requirement(example, tmp_path):
    """A form sent in English is recorded under the translation; the tracker shows it all the same."""
    root = tmp_path / "p"
    for name in ("circulars", "site", "templates"):
        shutil.copytree(example / name, root / name)
    shutil.copy(example / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(example / "returns", root / "returns")
    write(
        root,
        "inbox/en.yaml",
        f"""\
        circular: {CIRCULAR}-en
        organization: panzhihua-ftu-stationing-team
        answers:
          - {{requirement: 1, status: done, date: 2024-04-29}}
        """,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", TODAY)
        assert run(root, "returns", "import", str(root / "inbox/en.yaml")).exit_code == 0
        assert run(root, "build").exit_code == 0
    found = {cells(r)["requirement"]: cells(r) for r in rows(page(root / "build/site", "tracker"))}
    assert found["1. 找准问题"]["state"] == "已完成"
    assert "攀枝花市总工会驻格里坪特色产业园区工作组 已完成 2024-04-29" in found["1. 找准问题"]["returns"]


# --- at scale: pages of rows ------------------------------------------------------------------

ISSUERS = ("panzhihua-ftu", "sichuan-ftu")
BULK = 130  # circulars of 4 requirements: 520 rows, 6 pages of the tracker


def make_bulk(root: Path) -> None:
    """The bulk project: the test registry, BULK circulars, the example site without PDFs
    (LibreOffice converting 130 documents says nothing about the listings)."""
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    for i in range(BULK):
        write(root, f"circulars/{2021 + i % 4}/bulk-{i:03d}.yaml", bulk_circular(i))
    add_site(root)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - circulars\n" in text
    config.write_text(text.replace("  - circulars\n", "  - circulars:\n      pdf: false\n"), encoding="utf-8")


def bulk_circular(i: int) -> str:
    issuer, year = ISSUERS[i % 2], 2021 + i % 4
    requirements = "".join(
        f"""\
  - key: 第{n}项要求
    text: 各单位要抓好落实。
    deadline: {year}-{2 + (i + n) % 11:02d}-{1 + i % 28:02d}
    responsible: [{("geliping-park", "coking-union")[(i + n) % 2]}]
"""
        for n in range(1, 5)
    )
    return (
        f"id: bulk-{i:03d}\nkind: notice\nlanguage: zh\nstatus: issued\ntitle: 关于第{i}项工作的通知\n"
        f"issuer: {issuer}\nnumber: {100 + i}\ndate: {year}-01-{1 + i % 28:02d}\n"
        f"to:\n  - geliping-park\nrequirements:\n{requirements}"
    )


@pytest.fixture(scope="module")
def bulk(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bulk")
    make_bulk(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", TODAY)
        built = run(root, "build", "--strict", "--site-url", "https://circulars.example.org/")
    assert built.exit_code == 0, built.output
    return root / "build/site"


def listing_pages(site: Path, first: str) -> list[str]:
    """The pages of a listing, found by following its pager from the first."""
    doc = page(site, first)
    hrefs = [a.get("href") for a in doc.cssselect("nav.pager a[href]")]
    return [first] + [str(target_of(site, first, h)[0].parent.relative_to(site)) for h in hrefs]


def test_every_listing_is_cut_into_pages_that_hold_every_row_once(bulk):
    data = json.loads((bulk / "tracker/requirements.json").read_text(encoding="utf-8"))
    assert len(data["rows"]) == 4 * BULK
    pages = listing_pages(bulk, "tracker")
    assert len(pages) == -(-4 * BULK // PAGE_SIZE)
    seen = []
    for path in pages:
        doc = page(bulk, path)
        found = rows(doc)
        assert len(found) <= PAGE_SIZE
        seen += [(cells(r)["circular"], cells(r)["requirement"]) for r in found]
        # every page is complete without script: its pager reaches every other page
        assert len(doc.cssselect("nav.pager a")) == len(pages)
        assert doc.cssselect("nav.pager a[aria-current=page]")
    assert len(seen) == len(set(seen)) == 4 * BULK
    deadlines = [r[3] for r in data["rows"]]  # by deadline, as the pages
    assert deadlines == sorted(deadlines)
    # the index of a year, paged too, each row linking to its circular
    year = listing_pages(bulk, "years/2021")
    assert sum(len(rows(page(bulk, p))) for p in year) == len([i for i in range(BULK) if i % 4 == 0])
    for path in year:
        for link in page(bulk, path).cssselect("td.col-title a"):
            assert target_of(bulk, path, link.get("href"))[0].is_file()


def test_no_page_grows_with_the_number_of_circulars(bulk):
    sizes = {p.relative_to(bulk): p.stat().st_size for p in bulk.rglob("*.html")}
    biggest = max(sizes, key=sizes.get)
    assert sizes[biggest] < 300_000, (biggest, sizes[biggest])
    # the tracker's rows are spread over its pages, not all on the first
    tracker = [size for path, size in sizes.items() if path.parts[0] == "tracker"]
    assert len(tracker) == -(-4 * BULK // PAGE_SIZE)
    assert sum(tracker) > 3 * max(tracker)


def test_hostile_text_stays_text_in_the_listings_and_their_json(project):
    add_site(project)
    hostile = "<script>alert(1)</script>&amp;\"'"
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("key: 找准问题", f"key: {json.dumps(hostile)}")
        + "    responsible: [geliping-park]\n",
        encoding="utf-8",
    )
    assert run(project, "build").exit_code == 0
    site = project / "build/site"
    for path in ("tracker", "directory/geliping-park"):
        content = (site / path / "index.html").read_text(encoding="utf-8")
        assert "<script>alert(1)" not in content
        [link] = page(site, path).cssselect("td.col-requirement a")
        assert text(link) == f"1. {hostile}"
    raw = (site / "tracker/requirements.json").read_text(encoding="utf-8")
    assert "<" not in raw
    assert json.loads(raw)["rows"][0][2] == f"1. {hostile}"


def test_round_trip_a_form_filled_in_excel_shows_in_the_built_tracker(tmp_path, monkeypatch):
    """Forms written, one filled through openpyxl as a union would, imported: the status and the
    built site (tracker, the organization's page, the directory) show it."""
    root = tmp_path / "p"
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-09-25")
    assert run(root, "returns", "forms", CIRCULAR, "-o", str(root / "forms")).exit_code == 0
    workbook = openpyxl.load_workbook(root / "forms" / f"{PARK}.xlsx")
    sheet = workbook.worksheets[0]
    at = {sheet.cell(row, 1).value: row for row in range(6, sheet.max_row + 1)}
    sheet[f"F{at['2.1']}"], sheet[f"G{at['2.1']}"] = "已完成", "92%"
    sheet[f"H{at['2.1']}"], sheet[f"J{at['2.1']}"] = datetime.date(2024, 9, 20), "张三"
    sheet[f"F{at['2.2']}"], sheet[f"G{at['2.2']}"] = "进行中", 0.75  # a cell formatted as percent
    (root / "inbox").mkdir()
    workbook.save(root / "inbox" / "park.xlsx")
    imported = run(root, "returns", "import", str(root / "inbox" / "park.xlsx"))
    assert imported.exit_code == 0, imported.output
    status = json.loads(run(root, "returns", "status", CIRCULAR, "--json").stdout)
    assert (
        next(i for i in status["items"] if i["organization"] == PARK and i["item"] == "2.1")["status"]
        == "done"
    )

    built = run(root, "build", "--strict", "--site-url", "https://circulars.example.org/")
    assert built.exit_code == 0, built.output
    site = root / "build/site"
    found = {cells(r)["requirement"]: r for r in rows(page(site, "tracker"))}
    answers = [text(li) for li in found["2. 抓住关键"].cssselect("ul.returns li")]
    assert "格里坪特色产业园区工会联合会 已完成 建会率: 92%（目标＞90%） 2024-09-20" in answers
    assert "格里坪特色产业园区工会联合会 进行中 会员登记入会率（实名制登记认证）: 75%（目标＞80%）" in [
        re.sub(r" 逾期$", "", a) for a in answers
    ]
    owed = [cells(r) for r in rows(page(site, f"directory/{PARK}"))]
    assert (owed[0]["returns"], owed[0]["value"], owed[0]["reported-on"], owed[0]["state"]) == (
        "已完成",
        "92%",
        "2024-09-20",
        "已完成",
    )
    assert (owed[1]["returns"], owed[1]["value"]) == ("进行中", "75%")
    directory = text(page(site, "directory").cssselect("article")[0])
    assert "格里坪特色产业园区工会联合会 · 3 项工作要求 · 完成率 25%" in directory
    data = json.loads((site / "tracker/requirements.json").read_text(encoding="utf-8"))
    park = [o[0] for o in data["orgs"]].index(PARK)
    reported = [a for row in data["rows"] for a in row[7] if a[0] == park and a[3]]
    assert sorted((a[3], a[4], a[5]) for a in reported) == [
        ("done", "92%", "2024-09-20"),
        ("in-progress", "75%", ""),
    ]


def test_attachments_of_the_same_name_in_two_circulars_stay_apart_on_the_site(project):
    add_site(project)
    write(project, "circulars/2023/attachments/list.csv", "名单,2023\n")
    write(project, "circulars/2024/attachments/list.csv", "名单,2024\n")
    attach = "attachments:\n  - title: 名单\n    file: attachments/list.csv\n"
    first = project / "circulars/2024/panzhihua-2024-07.yaml"
    first.write_text(first.read_text(encoding="utf-8") + attach, encoding="utf-8")
    second = (
        circular_yaml("panzhihua-2023-03", 3)
        .replace("date: 2024-04-18", "date: 2023-04-18")
        .replace("deadline: 2024-09-30", "deadline: 2023-09-30")
    )
    write(project, "circulars/2023/panzhihua-2023-03.yaml", second + attach)
    built = run(project, "build")
    assert built.exit_code == 0, built.output
    site = project / "build/site/circulars"
    for circular_id, year in (("panzhihua-2024-07", "2024"), ("panzhihua-2023-03", "2023")):
        doc = page(site.parent, f"circulars/{circular_id}")
        links = {a.get("href") for a in doc.cssselect("a") if a.get("href", "").endswith("list.csv")}
        assert links
        for link in links:
            assert (site / circular_id / link).read_text(encoding="utf-8") == f"名单,{year}\n"
