"""The built Word documents, read back: page setup, styles, fields and every element in order."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pytest
from conftest import REPO, add_site, circular_yaml, run, write
from docx_reading import JOINER, NS, W, attr, blocks, style, xml

from generator.docx.build import build_documents
from generator.docx.reference_docs import LAYOUTS, build_reference
from generator.source.loading import load_project
from generator.source.model import Classification


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = load_project(REPO)
    assert not project.diagnostics.has_errors()
    out = tmp_path_factory.mktemp("docx")
    result = build_documents(project, project.circulars, out, jobs=1)
    assert result.errors == [] and result.warnings == []
    return out


def test_every_example_is_built(built):
    ids = {c.id for c in load_project(REPO).circulars}
    assert {p.stem for p in built.glob("*.docx")} == ids
    assert (built / "attachments" / "panzhihua-2024-07-problem-list.csv").read_bytes() == (
        REPO / "circulars/2024/attachments/panzhihua-2024-07-problem-list.csv"
    ).read_bytes()


# --- GB/T 9704 ------------------------------------------------------------------


def test_gbt9704_page_and_grid(built):
    sect = xml(built / "panzhihua-2024-07.docx", "word/document.xml").find(".//w:sectPr", NS)
    assert attr(sect, "w:pgSz", "w") == "11906" and attr(sect, "w:pgSz", "h") == "16838"
    margins = {side: attr(sect, "w:pgMar", side) for side in ("top", "bottom", "left", "right")}
    assert margins == {"top": "2098", "bottom": "1984", "left": "1587", "right": "1474"}
    assert attr(sect, "w:docGrid", "type") == "lines"
    assert attr(sect, "w:docGrid", "linePitch") == "579"
    footers = {ref.get(f"{{{W}}}type") for ref in sect.findall("w:footerReference", NS)}
    assert footers == {"default", "even"}
    assert sect.find("w:titlePg", NS) is None  # no title-page exception in the text
    # the 版记's section: on an even page, unnumbered (its first page has no footer)
    last = xml(built / "panzhihua-2024-07.docx", "word/document.xml").find("w:body/w:sectPr", NS)
    assert attr(last, "w:type", "val") == "evenPage"
    assert last.find("w:titlePg", NS) is not None
    assert {ref.get(f"{{{W}}}type") for ref in last.findall("w:footerReference", NS)} == {"default", "even"}


def test_gbt9704_fonts_in_all_four_slots(built):
    path = built / "panzhihua-2024-07.docx"
    expected = {
        "Normal": "仿宋_GB2312",
        "Heading 1": "黑体",
        "Heading 2": "楷体_GB2312",
        "Heading 3": "仿宋_GB2312",
        "Heading 4": "仿宋_GB2312",
        "Title": "方正小标宋简体",
        "Organ Mark": "方正小标宋简体",
        "Attachment Label": "黑体",
        "Footer": "宋体",
    }
    for name, font in expected.items():
        fonts = style(path, name).find("w:rPr/w:rFonts", NS)
        assert {fonts.get(f"{{{W}}}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {font}, name
    normal = style(path, "Normal")
    assert attr(normal, "w:rPr/w:sz", "val") == "32"
    assert attr(normal, "w:pPr/w:spacing", "line") == "579"
    assert attr(normal, "w:pPr/w:spacing", "lineRule") == "exact"
    assert attr(normal, "w:pPr/w:ind", "firstLine") == "640"
    assert attr(normal, "w:pPr/w:jc", "val") == "both"
    assert attr(style(path, "Title"), "w:rPr/w:sz", "val") == "44"
    assert attr(style(path, "Title"), "w:pPr/w:jc", "val") == "center"
    for heading in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert style(path, heading).find("w:rPr/w:b", NS) is None  # not bold
        assert style(path, heading).find("w:rPr/w:color", NS) is None
    assert attr(style(path, "CC"), "w:rPr/w:sz", "val") == "28"
    assert attr(style(path, "Imprint"), "w:rPr/w:sz", "val") == "28"


def test_gbt9704_red_mark_and_red_rule(built):
    path = built / "panzhihua-2024-07.docx"
    assert attr(style(path, "Organ Mark"), "w:rPr/w:color", "val") == "FF0000"
    rule = style(path, "Red Rule").find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(f"{{{W}}}color") == "FF0000"
    assert rule.get(f"{{{W}}}val") == "single"


def test_gbt9704_page_numbers_odd_right_even_left(built):
    path = built / "panzhihua-2024-07.docx"
    document = docx.Document(str(path))
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]._p
        assert attr(paragraph, "w:pPr/w:jc", "val") == side
        assert attr(paragraph, "w:pPr/w:ind", side) == "280"
        assert paragraph.find("w:fldSimple", NS).get(f"{{{W}}}instr").strip() == "PAGE"
        assert "".join(t.text for t in paragraph.iter(f"{{{W}}}t")) == "— 1 —"


def test_gbt9704_every_element_in_order(built):
    found = blocks(built / "panzhihua-2024-07.docx")
    styles = [name for name, _ in found]
    assert found[:5] == [
        ("Organ Mark", "攀枝花市总工会文件"),
        ("Doc Number", "攀工发〔2024〕7号"),
        ("Red Rule", ""),
        ("Title", "关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知"),
        (
            "Recipients",
            "攀枝花市总工会驻格里坪特色产业园区工作组，攀枝花市西区总工会，格里坪特色产业园区工会联合会，园区各企业工会：",
        ),
    ]
    assert found[5][1].startswith(
        "为贯彻落实省总工会《关于做好2024年全省工会干部下基层驻点工作的通知》（川工发〔2024〕12号）部署"
    )
    headings = [text for name, text in found if name == "Heading 1"]
    assert headings == ["一、工作要求", "二、时间安排", "三、报送要求"]
    points = [text[:7] for name, text in found if name == "Point"]
    assert points == ["一是找准问题。", "二是抓住关键。", "三是解决问题。", "四是服务职工。"]
    targets = [text for name, text in found if name == "Table Text"][:4]
    assert targets[:3] == ["建会率", "＞90%", "2024年9月30日"]
    assert found[-1] == ("Normal", "")  # Word ends a body with a paragraph; this one is a hairline
    # the CSV attachment is printed as a table (its header and three numbered rows) before its link
    attachment = found.index(("Attachment Title", "驻点单位问题清单（模板）"))
    cells = [text for name, text in found[attachment:] if name.startswith("Table")]
    assert cells[:9] == [
        "序号",
        "问题类别",
        "问题描述",
        "涉及企业（单位）",
        "责任单位",
        "解决措施",
        "完成时限",
        "进展情况",
        "1",
    ]
    assert len(cells) == 4 * 8
    found = [block for block in found if not block[0].startswith("Table")]
    assert found[-13:-1] == [
        ("Closing", "特此通知。"),
        ("Attachment Note", "附件：驻点单位问题清单（模板）"),
        ("Signature Sealed", "攀枝花市总工会"),
        ("Date Sealed", "2024年4月18日"),
        ("Attachment Label", "附件"),
        ("Attachment Title", "驻点单位问题清单（模板）"),
        ("Attachment File", "附件文件：panzhihua-2024-07-problem-list.csv"),
        ("Normal", ""),  # ends the text's section
        ("Normal", ""),  # opens the 版记's, which starts on an even page
        ("Footer", "— 2 —"),  # its page number, in a frame where the footer would put it
        ("CC", "抄送：四川省总工会。"),
        ("Imprint", "攀枝花市总工会\t2024年4月18日印发"),
    ]
    assert styles.index("Signature Sealed") < styles.index("Attachment Label") < styles.index("CC")


def test_gbt9704_signature_with_seal_is_centred_over_the_date(built):
    body = xml(built / "panzhihua-2024-07.docx", "word/document.xml")
    paragraphs = {attr(p, "w:pPr/w:pStyle", "val"): p for p in body.iter(f"{{{W}}}p")}
    # the 6.5-character date (a date kept whole is set solid) four characters from the
    # right, centred in a box with one character of air each side; the 7-character
    # signature flush right where its centre is the date's
    centre = 8845 - 4 * 320 - 6.5 * 320 / 2
    date, signature = paragraphs["DateSealed"], paragraphs["SignatureSealed"]
    assert attr(date, "w:pPr/w:jc", "val") == "center"
    assert attr(date, "w:pPr/w:ind", "right") == str(round(8845 - centre - 8.5 * 160))
    assert attr(date, "w:pPr/w:ind", "left") == str(round(centre - 8.5 * 160))
    assert attr(signature, "w:pPr/w:jc", "val") == "right"
    assert attr(signature, "w:pPr/w:ind", "right") == str(round(8845 - centre - 7 * 160))


def test_gbt9704_signature_without_seal(built, tmp_path):
    project = load_project(REPO)
    circular = project.source("sichuan-2022-05").circular.model_copy(update={"seal": False})
    out = tmp_path / "out"
    build_documents(project, [circular], out, jobs=1)
    body = xml(out / "sichuan-2022-05.docx", "word/document.xml")
    paragraphs = {attr(p, "w:pPr/w:pStyle", "val"): p for p in body.iter(f"{{{W}}}p")}
    assert attr(style(out / "sichuan-2022-05.docx", "Signature"), "w:pPr/w:ind", "right") == "640"
    # 2022年3月1日 (6 characters, a date kept whole being set solid) is as long as
    # 四川省总工会 (6): the date two characters from the right, starting two characters
    # right of the signature's start
    date_left = 8845 - 2 * 320 - 6 * 320
    assert attr(paragraphs["Date"], "w:pPr/w:jc", "val") == "left"
    assert attr(paragraphs["Date"], "w:pPr/w:ind", "left") == str(date_left)
    signature_right = 8845 - (date_left - 2 * 320) - 6 * 320
    assert attr(paragraphs["Signature"], "w:pPr/w:ind", "right") == str(signature_right)


def test_gbt9704_closing_block_at_the_bottom_between_rules(built):
    body = xml(built / "panzhihua-2024-07.docx", "word/document.xml").find("w:body", NS)
    table = body.findall("w:tbl", NS)[-1]
    assert attr(table, "w:tblPr/w:tblpPr", "tblpYSpec") == "bottom"
    assert attr(table, "w:tblPr/w:tblpPr", "vertAnchor") == "margin"
    borders = table.find("w:tblPr/w:tblBorders", NS)
    assert {child.tag.split("}")[1]: child.get(f"{{{W}}}sz") for child in borders} == {
        "top": "8",
        "bottom": "8",
        "insideH": "6",
    }
    cells = [
        "".join(t.text for t in row.iter(f"{{{W}}}t")).replace(JOINER, "")
        for row in table.findall("w:tr", NS)
    ]
    assert cells == ["抄送：四川省总工会。", "攀枝花市总工会2024年4月18日印发"]


def test_organ_mark_shrinks_to_one_line(tmp_path):
    project = load_project(REPO)
    circular = project.source("sichuan-2022-05").circular.model_copy(
        update={"issuer": ["geliping-park-federation"]}
    )
    build_documents(project, [circular], tmp_path, jobs=1)
    body = xml(tmp_path / "sichuan-2022-05.docx", "word/document.xml")
    mark = next(p for p in body.iter(f"{{{W}}}p") if attr(p, "w:pPr/w:pStyle", "val") == "OrganMark")
    text = "".join(t.text for t in mark.iter(f"{{{W}}}t"))
    assert text == "格里坪特色产业园区工会联合会文件"
    # 16 characters in the 156 mm (8845 twip) text area: at most 27.6 pt each
    assert attr(mark, "w:r/w:rPr/w:sz", "val") == "55"


def test_gbt9704_header_zone_marks(tmp_path):
    project = load_project(REPO)
    circular = project.source("sichuan-2024-12").circular.model_copy(
        update={"urgency": "very-urgent", "classification": Classification(level="secret", period="1年")}
    )
    build_documents(project, [circular], tmp_path, jobs=1)
    found = blocks(tmp_path / "sichuan-2024-12.docx")
    assert found[:4] == [
        ("Classification", "机密★1年"),
        ("Urgency", "特急"),
        ("Organ Mark", "四川省总工会文件"),
        ("Doc Number", "川工发〔2024〕12号"),
    ]
    body = xml(tmp_path / "sichuan-2024-12.docx", "word/document.xml")
    mark = next(p for p in body.iter(f"{{{W}}}p") if attr(p, "w:pPr/w:pStyle", "val") == "OrganMark")
    # two lines above the mark: its top stays 35 mm (1984 twips, less the 304 its line
    # puts above the characters) below the text area's top
    assert attr(mark, "w:pPr/w:spacing", "before") == str(1984 - 304 - 2 * 579)


def test_gbt9704_upward_report_with_signer_and_notes(tmp_path):
    project = load_project(REPO)
    circular = project.source("panzhihua-2024-07").circular.model_copy(
        update={"kind": "report", "signer": "huang-wuming", "notes": "此件公开发布", "attachments": []}
    )
    build_documents(project, [circular], tmp_path, jobs=1)
    path = tmp_path / "panzhihua-2024-07.docx"
    found = blocks(path)
    assert found[1] == ("Doc Number Upward", "攀工发〔2024〕7号\t签发人：黄武明")
    assert ("Closing", "特此报告。") in found
    names = [name for name, _ in found]
    assert found[names.index("Date Sealed") + 1] == ("Notes", "（此件公开发布）")
    body = xml(path, "word/document.xml")
    signer = [r for r in body.iter(f"{{{W}}}r") if attr(r, "w:rPr/w:rStyle", "val") == "SignerName"]
    assert "".join(t.text for r in signer for t in r.iter(f"{{{W}}}t")) == "黄武明"
    assert attr(style(path, "Signer Name"), "w:rPr/w:rFonts", "eastAsia") == "楷体_GB2312"


# --- international --------------------------------------------------------------


def test_international_page_and_fonts(built):
    path = built / "chemchina-2012-03.docx"
    sect = xml(path, "word/document.xml").find(".//w:sectPr", NS)
    assert attr(sect, "w:pgSz", "w") == "11906" and attr(sect, "w:pgSz", "h") == "16838"
    assert attr(sect, "w:pgMar", "left") == "1417"
    normal = style(path, "Normal")
    fonts = normal.find("w:rPr/w:rFonts", NS)
    assert fonts.get(f"{{{W}}}ascii") == "Times New Roman"
    assert fonts.get(f"{{{W}}}eastAsia") == "SimSun"
    document = docx.Document(str(path))
    assert document.settings.odd_and_even_pages_header_footer is False
    footer = document.sections[0].footer.paragraphs[0]._p
    assert [f.get(f"{{{W}}}instr").strip() for f in footer.iter(f"{{{W}}}fldSimple")] == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(f"{{{W}}}t")) == "Page 1 of 1"


def test_international_every_element_in_order(built):
    found = blocks(built / "chemchina-2012-03.docx")
    assert found[:6] == [
        ("Letterhead", "Trade Union of China National Chemical Corporation"),
        (
            "Letterhead Details",
            "62 Beisihuan Xilu, Haidian District, Beijing 100080, China · +86 10 5555 0300 · union@chemchina.example.org",
        ),
        ("Letterhead Rule", ""),
        ("Reference", "Ref. ChemChina TU [2012] No. 3\t4 February 2012"),
        (
            "Title",
            "Circular on Serving Staff and Workers Face to Face and Heart to Heart at the Grassroots in All Subsidiaries",
        ),
        ("Recipients", "To: Trade unions of all subsidiaries of China National Chemical Corporation"),
    ]
    headings = [text for name, text in found if name.startswith("Heading")]
    assert headings[:3] == ["1. Purpose", "2. Missions", "2.1 Conduct research"]
    points = [text.split(".")[0] for name, text in found if name == "Point"]
    assert points[:3] == [
        "First, connect the Corporation's main tasks for 2012 with the work of the trade union",
        "Second, determine concrete forms of activity that suit actual conditions",
        "Third, integrate with the Corporation's wider efforts and achieve substantial results",
    ]
    names = [name for name, _ in found]
    assert names.index("Contact") < names.index("Signature") < names.index("CC")
    assert found[names.index("CC")][1] == (
        "cc: China Energy, Chemical and Geological Workers' Union; China National Chemical Corporation"
    )


def test_article_layout(built):
    found = blocks(built / "acftu-2019-reform-article.docx")
    assert found[0] == ("Title", "Deepen the Reform and Innovation of Trade Unions")
    assert found[1] == ("Byline", "Li Yi · Research Office of the ACFTU · 3 January 2019")
    assert [t for n, t in found if n == "Heading 1"] == [
        "1. The importance and urgency of promoting trade union reform",
        "2. Basic principles of deepening the reform and innovation of trade unions",
        "3. Key measures to deepen the reform and innovation of trade unions",
    ]
    assert found[-1] == (
        "Source",
        "Source: China Industrial Network, Trade Union Information (editor: Zhao Jilan)",
    )


# --- properties and reproducibility -----------------------------------------------


def test_core_properties(built):
    properties = docx.Document(str(built / "panzhihua-2024-07.docx")).core_properties
    assert properties.title == "关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知"
    assert properties.subject == "攀工发〔2024〕7号"
    assert properties.author == "攀枝花市总工会"
    assert properties.keywords == "; ".join(load_project(REPO).source("panzhihua-2024-07").circular.tags)
    assert properties.created.date().isoformat() == "2024-04-18"
    assert properties.language == "zh-CN"
    english = docx.Document(str(built / "chemchina-2012-03.docx")).core_properties
    assert english.language == "en-GB"
    assert english.subject == "ChemChina TU [2012] No. 3"


def test_output_is_byte_identical(built, tmp_path):
    project = load_project(REPO)
    build_documents(project, project.circulars, tmp_path, jobs=2)  # other processes, other folder
    for path in built.glob("*.docx"):
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256((tmp_path / path.name).read_bytes()).digest()
        )


def _copies(root: Path, count: int) -> None:
    """A project of `count` circulars: the examples over and over, each with an id and number of its own."""
    import re
    import shutil

    (root / "circulars/copies").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, root / "circulars" / name)
    sources = sorted((REPO / "circulars").rglob("*-20*.yaml"))
    for i in range(count):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        text = re.sub(r"^(supersedes|amends|translation_of):.*\n(?:  - .*\n)*", "", text, flags=re.MULTILINE)
        text = re.sub(r"^id: (.*)$", rf"id: \1-copy-{i}", text, count=1, flags=re.MULTILINE)
        text = re.sub(r"^number: (\d+)$", rf"number: {1000 + i}", text, count=1, flags=re.MULTILINE)
        (root / "circulars/copies" / f"copy-{i}.yaml").write_text(text, encoding="utf-8")
    for folder in {source.parent for source in sources}:  # attachments and table files they name
        if (folder / "attachments").is_dir():
            shutil.copytree(folder / "attachments", root / "circulars/copies/attachments", dirs_exist_ok=True)


def test_worker_processes_write_the_same_bytes_as_one_process(tmp_path):
    """Enough circulars for a pool of workers, which are sent ids and Markdown only:
    every document as one process writes it, and its Markdown kept beside it."""
    from generator.docx import build as docx_build

    root = tmp_path / "project"
    count = docx_build.PARALLEL_THRESHOLD + 4
    _copies(root, count)
    project = load_project(root)
    assert not project.diagnostics.has_errors(), [d.format(root) for d in project.diagnostics.errors]
    one = build_documents(project, project.circulars, tmp_path / "one", jobs=1)
    pooled = docx_build.DocumentBuild(project, tmp_path / "two", jobs=2)
    pooled.render(list(project.circulars))
    pooled.start_writing()
    assert pooled.pool is not None  # the documents went to worker processes
    two = pooled.finish()
    assert not one.errors and not two.errors
    assert len(one.documents) == len(two.documents) == count
    for built_one, built_two in zip(one.documents, two.documents, strict=True):
        assert built_one.circular_id == built_two.circular_id
        assert built_one.path.read_bytes() == built_two.path.read_bytes()
        assert built_one.markdown == built_two.markdown and built_two.sha256 == built_one.sha256


def test_a_template_error_in_a_worker_is_reported_and_nothing_is_written(tmp_path):
    """A template that fails in the worker processes: each circular's error comes back
    naming the template and line, and no document is written."""
    from generator.docx import build as docx_build

    root = tmp_path / "project"
    _copies(root, docx_build.PARALLEL_THRESHOLD + 4)
    write(root, "templates/notice.md.j2", "# {{ c.title }}\n\n{{ c.no_such_field }}\n")
    project = load_project(root)
    assert not project.diagnostics.has_errors()
    notices = [c for c in project.circulars if c.kind == "notice"]
    assert len(notices) >= docx_build.PARALLEL_THRESHOLD
    result = build_documents(project, notices, tmp_path / "out", jobs=2)
    assert len(result.errors) == len(notices) and not result.documents
    assert all("templates/notice.md.j2:3: template error:" in error for error in result.errors), (
        result.errors[:2]
    )
    assert not list((tmp_path / "out").glob("*.docx"))


def test_zip_entries_have_fixed_timestamps(built):
    import zipfile

    with zipfile.ZipFile(built / "panzhihua-2024-07.docx") as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert package.namelist()[0] == "[Content_Types].xml"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_reference_documents_are_generated_reproducibly(layout):
    committed = (REPO / "templates" / f"{layout}.docx").read_bytes()
    assert build_reference(LAYOUTS[layout]) == committed, "run: python -m generator.docx.reference_docs"
    sample = docx.Document(io.BytesIO(committed))
    # the body shows one paragraph in each style, for restyling in Word
    shown = {p.style.name for p in sample.paragraphs}
    assert {"Organ Mark", "Doc Number", "Title", "Signature", "CC", "Imprint", "Heading 1"} <= shown


# --- a title broken by its author ------------------------------------------------------


def test_a_title_breaks_where_its_author_broke_it(project):
    """A `|` block title keeps the author's lines in Word (no automatic break added),
    is one line wherever a title is plain text, and breaks on the site too."""
    path = add_site(project) / "circulars/2024/panzhihua-2024-07.yaml"
    lines = ["关于驻点干部做到“四个要”扎实开展", "格里坪特色产业园区驻点工作的通知"]
    text = path.read_text(encoding="utf-8").replace(
        "title: 关于驻点干部做到“四个要”的通知", "title: |\n  " + "\n  ".join(lines)
    )
    path.write_text(text, encoding="utf-8")
    assert run(project, "build").exit_code == 0

    document = docx.Document(str(project / "build/docx/panzhihua-2024-07.docx"))
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    pieces = [[]]
    for element in title._p.iter(f"{{{W}}}t", f"{{{W}}}br"):
        if element.tag == f"{{{W}}}br":
            pieces.append([])
        else:
            pieces[-1].append(element.text)
    assert ["".join(piece) for piece in pieces] == lines
    assert document.core_properties.title == "".join(lines)

    listed = run(project, "list").output
    assert any(
        row.startswith("panzhihua-2024-07") and lines[0] + lines[1][:3] in row for row in listed.splitlines()
    )
    page = (project / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    assert f"{lines[0]}<br />{lines[1]}" in page
    assert f"<title>{''.join(lines)} - " in page


def test_ideographic_spaces_the_author_typed_are_kept(project):
    """联系人：张三　电话：… keeps its U+3000 in Word, while ASCII runs collapse as HTML's do."""
    path = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    text: 驻点干部到位后要迅速深入职工群众。",
        "    text: 联系人：张三\u3000电话：0812-5550101   （办公室）",
    )
    path.write_text(text, encoding="utf-8")
    assert run(project, "build", "panzhihua-2024-07").exit_code == 0
    document = docx.Document(str(project / "build/docx/panzhihua-2024-07.docx"))
    assert any(
        p.text.endswith("联系人：张三\u3000电话：0812-5550101 （办公室）") for p in document.paragraphs
    ), [p.text for p in document.paragraphs]


@pytest.mark.parametrize("same", [True, False], ids=["same-bytes", "different-bytes"])
def test_attachments_of_one_name_in_two_circulars(project, same):
    """build/docx/ keeps one attachments/ folder: one file for the same bytes, a warning
    naming both files when they differ (the site keeps them apart: test_site_listings)."""
    for number, folder in ((7, "a"), (8, "b")):
        circular_id = f"panzhihua-2024-0{number}"
        write(
            project,
            f"circulars/2024/{circular_id}.yaml",
            circular_yaml(circular_id, number)
            + f"attachments:\n  - {{title: 回执, file: attachments/{folder}/回执.csv}}\n",
        )
        write(
            project, f"circulars/2024/attachments/{folder}/回执.csv", "单位,姓名\n" if same else f"{folder}\n"
        )
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "share the name '回执.csv'" in line]
    assert (project / "build/docx/attachments/回执.csv").read_text(encoding="utf-8") == (
        "单位,姓名\n" if same else "a\n"
    )
    if same:
        assert warned == []
    else:
        assert (
            len(warned) == 1
            and "attachments/a/回执.csv" in warned[0]
            and "attachments/b/回执.csv" in warned[0]
        )
