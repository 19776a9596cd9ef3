"""The built site, read as HTML: pages, indexes, links both ways, tracker, directory, feed, escaping."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import HOSTILE_TITLE, REPO, add_site, circular_yaml, retitle, run, write
from lxml import html


@pytest.fixture(scope="module")
def site(example_site) -> Path:
    return example_site / "site"


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path / "index.html").read_text(encoding="utf-8"))


def text(element) -> str:
    """Visible text, without the ¶ permalinks MkDocs adds to headings."""
    element = copy.deepcopy(element)
    for anchor in element.cssselect("a.headerlink"):
        anchor.drop_tree()
    return re.sub(r"\s+", " ", element.text_content()).strip()


def test_every_published_circular_has_a_page_with_its_document(site):
    for yaml_path in sorted((REPO / "circulars").rglob("20*/*.yaml")):
        circular_id = yaml_path.stem
        folder = site / "circulars" / circular_id
        assert (folder / "index.html").exists(), circular_id
        assert (folder / f"{circular_id}.docx").exists(), circular_id
    assert (site / "circulars/panzhihua-2024-07/attachments/panzhihua-2024-07-problem-list.csv").exists()


def test_circular_page_header_and_body(site):
    doc = page(site, "circulars/panzhihua-2024-07")
    meta = doc.cssselect(".circular-meta")[0]
    assert "攀工发〔2024〕7号" in text(meta)
    assert doc.cssselect(".circular-meta .status-issued")[0].text_content() == "现行有效"
    button = doc.cssselect("a.download")[0]
    assert button.get("href") == "panzhihua-2024-07.docx"
    shown = doc.cssselect("code.sha256")[0].text_content()
    assert (
        shown
        == hashlib.sha256(
            (site / "circulars/panzhihua-2024-07/panzhihua-2024-07.docx").read_bytes()
        ).hexdigest()
    )
    size = (site / "circulars/panzhihua-2024-07/panzhihua-2024-07.docx").stat().st_size
    assert f"DOCX · {size / 1024:.1f} KB" in text(doc.cssselect(".download-facts")[0])
    # no repository is configured: no "edit this page", no repository link
    assert not doc.cssselect("a.md-content__button, .md-source")
    body = doc.cssselect("div.circular")[0]
    assert body.get("lang") == "zh-CN"
    assert text(body.cssselect("p.organ-mark")[0]) == "攀枝花市总工会文件"
    assert body.cssselect("hr.red-rule")
    assert (
        text(body.cssselect("h1.title")[0])
        == "关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知"
    )
    assert [text(p)[:7] for p in body.cssselect("p.point")] == [
        "一是找准问题。",
        "二是抓住关键。",
        "三是解决问题。",
        "四是服务职工。",
    ]
    assert text(body.cssselect("p.signature")[0]) == "攀枝花市总工会"
    link = body.cssselect("p.attachment-file a")[0]
    assert link.get("href") == "attachments/panzhihua-2024-07-problem-list.csv"
    # the translation, linked both ways, named in its language
    (other,) = doc.cssselect(".circular-meta a.other-language")
    assert other.get("href") == "../panzhihua-2024-07-en/"
    assert (other.get("hreflang"), text(other)) == ("en", "English")
    back = page(site, "circulars/panzhihua-2024-07-en").cssselect(".circular-meta a.other-language")[0]
    assert (back.get("href"), back.get("hreflang"), text(back)) == ("../panzhihua-2024-07/", "zh-CN", "中文")


def test_superseded_notice_and_two_way_links(site):
    old = page(site, "circulars/sichuan-2022-05")
    notice = old.cssselect(".admonition.warning")[0]
    assert "本文件已被以下公文替代" in text(notice)
    assert notice.cssselect("a")[0].get("href") == "../sichuan-2024-12/"
    new = page(site, "circulars/sichuan-2024-12")
    assert not new.cssselect(".admonition")
    info = {text(li).split(": ")[0]: li for li in new.cssselect(".document-info li")}
    assert text(info["替代"]).startswith("替代: 川工发〔2022〕5号")
    assert info["替代"].cssselect("a")[0].get("href") == "../sichuan-2022-05/"
    back = {text(li).split(": ")[0]: li for li in old.cssselect(".document-info li")}
    assert back["已被以下公文替代"].cssselect("a")[0].get("href") == "../sichuan-2024-12/"


def test_indexes(site):
    year = page(site, "years/2024")
    titles = [text(a) for a in year.cssselect("table a")]
    assert "关于做好2024年全省工会干部下基层驻点工作的通知" in titles
    assert all("2024-" in text(row.cssselect("td")[0]) for row in year.cssselect("tbody tr"))
    # a provincial federation's page lists its own and its subordinates' circulars
    sichuan = " ".join(text(a) for a in page(site, "issuers/sichuan-ftu").cssselect("table a"))
    assert "关于做好2024年全省工会干部下基层驻点工作的通知" in sichuan
    assert "关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知" in sichuan
    assert "ChemChina" not in sichuan
    tree = page(site, "issuers")
    assert [text(a) for a in tree.cssselect("article ul a")][:2] == ["中华全国总工会", "中华全国总工会研究室"]
    kinds = page(site, "kinds/article")
    assert [text(a) for a in kinds.cssselect("table a")] == [
        "Deepen the Reform and Innovation of Trade Unions"
    ]
    superseded = page(site, "status/superseded")
    assert [text(a) for a in superseded.cssselect("table a")] == [
        "关于建立全省工会干部下基层驻点工作常态化机制的通知"
    ]
    home = page(site, "")
    latest = [text(a) for a in home.cssselect("article table a")]
    # newest first: the Guangzhou notice of 30 June 2025, then that of 30 May 2025
    assert latest[0] == "广州市人民政府办公厅关于重新发布广州市积分制入户管理办法的通知"
    assert latest[1].startswith("广州市民政局 广州市财政局关于印发我市2025年")
    assert "关于建立全省工会干部下基层驻点工作常态化机制的通知" not in latest  # not in force


def test_tags_page(site):
    """The tags page links one page per tag; every tag above a circular links to its tag's
    page, at the tag's heading, and that page lists the circular (and only that tag)."""
    tags = page(site, "tags")
    assert "驻点" in text(tags)
    index = {unquote(a.get("href")): text(a) for a in tags.cssselect("article li a")}
    listed: dict[str, set[str]] = {}
    for href, tag in index.items():
        tag_page = page(site / "tags", href)
        assert [text(h) for h in tag_page.cssselect("article h2")] == [tag]
        links = tag_page.cssselect("article li a")
        listed[tag] = {posixpath.normpath(f"tags/{href}/{a.get('href')}") for a in links}
        assert [text(li) for li in tags.cssselect("article li") if text(li).startswith(f"{tag} (")] == [
            f"{tag} ({len(links)})"
        ]
    shown = 0
    for circular in (site / "circulars").glob("*/index.html"):
        at = f"circulars/{circular.parent.name}"
        for a in html.fromstring(circular.read_bytes()).cssselect("a.md-tag"):
            target, anchor = unquote(a.get("href")).split("#")
            target = posixpath.normpath(f"{at}/{target}")
            assert target.startswith("tags/") and target.removeprefix("tags/") + "/" in index
            assert index[target.removeprefix("tags/") + "/"] == text(a)
            assert page(site, target).get_element_by_id(anchor) is not None
            assert at in listed[text(a)]
            shown += 1
    assert shown >= len(index) > 3


def test_tracker_sorted_by_deadline_with_overdue_marked(site):
    tracker = page(site, "tracker")
    rows = tracker.cssselect("article tbody tr")
    deadlines = [text(row.cssselect("td")[0]) for row in rows]
    assert deadlines == sorted(deadlines)
    found = {text(row.cssselect("td")[1]): row for row in rows}
    first = found["1. 找准问题"]
    assert text(first.cssselect("td")[0]) == "2024-04-30"
    # overdue as of 2024-06-01, the build date of this test; the deadline lets the browser decide again
    [state] = first.cssselect("td.col-state .state")
    assert "state-overdue" in state.get("class") and state.get("data-due") == "2024-04-30"
    later = found["2. 抓住关键"]
    assert later.cssselect("td.col-state .state-open") and not later.cssselect("td.col-state .state-overdue")
    assert "建会率: —（目标＞90%）" in text(later.cssselect("td")[4])
    # superseded circulars ask nothing any more
    assert not any("川工发〔2022〕5号" in text(row) for row in rows)
    park = page(site, "directory/geliping-park-federation")
    assert "2. 抓住关键" in [text(row.cssselect("td")[1]) for row in park.cssselect("article tbody tr")]


def test_directory_tree_and_leadership(site):
    directory = page(site, "directory")
    body = text(directory.cssselect("article")[0])
    assert "中华全国总工会" in body and "格里坪特色产业园区工会联合会" in body
    leaders = [text(li) for li in directory.cssselect("article h3 + ul")[0].cssselect("li")]
    assert leaders[0].startswith("王东明: 主席")
    links = [a.get("href") for a in directory.cssselect("article a")]
    assert "../issuers/sichuan-ftu/" in links and "geliping-park-federation/" in links


def test_atom_feed(site):
    feed = ET.parse(site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:updated", ns).text[:10] for e in entries] == sorted(
        (e.find("a:updated", ns).text[:10] for e in entries), reverse=True
    )
    links = [e.find("a:link", ns).get("href") for e in entries]
    assert "https://circulars.example.org/circulars/panzhihua-2024-07/" in links
    # a superseded circular stays, updated on the day its successor came into force
    old = entries[links.index("https://circulars.example.org/circulars/sichuan-2022-05/")]
    assert old.find("a:updated", ns).text == "2024-04-07T00:00:00Z"
    assert old.find("a:published", ns).text == "2022-03-01T00:00:00Z"
    assert old.find("a:title", ns).text.endswith("（已被替代）")
    head = page(site, "").cssselect('link[type="application/atom+xml"]')[0]
    assert head.get("href") == "feed.xml"


def test_no_google_fonts_and_a_search_index_per_language(site):
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "search").exists()  # Material's whole-site index, loaded by every page
    assert json.loads((site / "pagefind/languages.json").read_text(encoding="utf-8")) == ["zh", "en"]
    for language, pagefind in (("zh", "zh-cn"), ("en", "en")):
        entry = json.loads((site / f"pagefind/{language}/pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == [pagefind]  # one language in each, stemmed as such
    page = (site / "circulars/chemchina-2012-03/index.html").read_text(encoding="utf-8")
    assert "assets/search/search.js" in page


def test_drafts_are_published_only_when_asked(project, tmp_path):
    add_site(project)
    write(
        project,
        "circulars/2024/draft-x.yaml",
        circular_yaml("draft-x", 9).replace("status: issued", "status: draft"),
    )
    built = run(project, "build")
    assert built.exit_code == 0
    assert not (project / "build/site/circulars/draft-x").exists()
    assert (project / "build/docx/draft-x.docx").exists()  # the Word document is there to review
    # the build says which drafts it left off, and how to publish them
    assert (
        "Left 1 draft off the site: draft-x (build with --drafts to publish them)."
        in built.stdout.splitlines()
    )
    with_drafts = run(project, "build", "--drafts")
    assert with_drafts.exit_code == 0
    assert (project / "build/site/circulars/draft-x/index.html").exists()
    assert "off the site" not in with_drafts.stdout


def test_hostile_title_is_text(project):
    add_site(project)
    retitle(project, HOSTILE_TITLE)
    assert run(project, "build").exit_code == 0
    for built in (project / "build/site").rglob("*.html"):
        content = built.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in content, built
        assert "<img src=x" not in content and '<img src="x"' not in content, built
    doc = page(project / "build/site", "circulars/panzhihua-2024-07")
    assert text(doc.cssselect("h1.title")[0]) == HOSTILE_TITLE


def test_repealed_notice(project):
    add_site(project)
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("status: issued", "status: repealed"), encoding="utf-8"
    )
    assert run(project, "build").exit_code == 0
    notice = page(project / "build/site", "circulars/panzhihua-2024-07").cssselect(".admonition.danger")[0]
    assert text(notice) == "已废止 本文件已废止。"


def test_a_failed_build_keeps_the_previous_site(project):
    add_site(project)
    assert run(project, "build").exit_code == 0
    before = (project / "build/site/index.html").read_bytes()
    (project / "site/broken.md").write_text("[a link to nowhere](nowhere.md)\n", encoding="utf-8")
    result = run(project, "build", "--strict")
    assert result.exit_code == 1
    assert "the site was not built" in result.stderr
    assert (project / "build/site/index.html").read_bytes() == before


def test_mkdocs_itself_builds_the_site_strictly(tmp_path):
    """Plain `mkdocs build`, finding the plugin through its entry point."""
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("site_url: https://circulars.example.org/\n")  # without it, a warning
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "build/site/circulars/chemchina-2012-03/chemchina-2012-03.docx").read_bytes() == (
        tmp_path / "build/docx/chemchina-2012-03.docx"
    ).read_bytes()
