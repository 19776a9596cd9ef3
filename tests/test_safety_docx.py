"""Safety of the Word documents: bad templates and reference documents, huge text,
full disks and hostile text give a clear message or a correct document, never a
traceback, a lost paragraph or a corrupt file; and what Word shows (heading
levels, escaped text, properties, repeating table headers) is read back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from conftest import ORGANIZATIONS, REPO, add_site, circular_yaml, run, write
from docx_reading import NS, W, blocks, xml
from lxml import etree

from generator.docx.package import read_parts, write_parts
from generator.docx.writer import DocxWriter
from generator.render.renderer import Renderer
from generator.source.loading import load_project

CIRCULAR = "circulars/2024/panzhihua-2024-07.yaml"
DOCUMENT = "build/docx/panzhihua-2024-07.docx"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _built_before(project: Path) -> bytes:
    """Build once, as a user did yesterday; the bytes of that document."""
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    return (project / DOCUMENT).read_bytes()


def _assert_nothing_lost(project: Path, before: bytes) -> None:
    assert (project / DOCUMENT).read_bytes() == before
    assert [p.name for p in (project / "build/docx").rglob("*.tmp")] == []


def _failed(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert "Wrote" not in result.stdout


# --- templates ------------------------------------------------------------------------

TEMPLATE_ERRORS = {
    "division by zero": ("第一行\n{{ 1/0 }}\n", 2, "template error: division by zero"),
    "huge range": (
        "{% for i in range(10**9) %}{{ i }}{% endfor %}\n",
        1,
        "template error: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).",
    ),
    "huge repetition": (
        "\n\n{{ 'x' * 10**9 }}\n",
        3,
        "template error: '*' would make more than 10,000,000 items",
    ),
    "huge power": ("{{ 10 ** 10000000 }}\n", 1, "template error: '**' would make a number of more than"),
    "recursive macro": (
        "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\n{{ again(1) }}\n",
        1,
        "template error: maximum recursion depth exceeded",
    ),
    "includes itself": (
        "开头\n{% include 'notice.md.j2' %}\n",
        2,
        "template error: maximum recursion depth exceeded",
    ),
    "undefined attribute": (
        '{% extends "_document.md.j2" %}\n{% block closing %}\n{{ c.no_such_field }}\n{% endblock %}\n',
        3,
        "template error: 'generator.source.model.Circular object' has no attribute 'no_such_field'",
    ),
    "syntax error": ("正文\n{% for %}\n", 2, "template error: Expected an expression"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_ERRORS))
def test_a_failing_template_is_named_with_its_line_and_nothing_is_lost(project, case):
    before = _built_before(project)
    text, line, message = TEMPLATE_ERRORS[case]
    template = write(project, "templates/notice.md.j2", text)
    result = run(project, "build")
    _failed(result, f"error: {template}:{line}: {message}")
    _assert_nothing_lost(project, before)


def test_an_error_in_an_included_template_names_that_template(project):
    before = _built_before(project)
    write(
        project,
        "templates/notice.md.j2",
        '{% extends "_document.md.j2" %}\n{% block closing %}\n'
        '{% include "_local.md.j2" %}\n{% endblock %}\n',
    )
    included = write(project, "templates/_local.md.j2", "本会补充：\n\n{{ c.title / 2 }}\n")
    result = run(project, "build")
    _failed(result, f"error: {included}:3: template error: unsupported operand type(s) for /")
    _assert_nothing_lost(project, before)


def test_a_template_that_is_not_utf8_is_named(project):
    before = _built_before(project)
    template = write(project, "templates/notice.md.j2", "正文".encode("gb18030") + b"\n")
    result = run(project, "build")
    _failed(result, f"error: {template}: template error: 'utf-8' codec can't decode")
    _assert_nothing_lost(project, before)


def test_a_site_build_shows_a_template_error_once_and_what_to_do(project):
    """From scratch, MkDocs shows the plugin's error and stopped with "Aborted with a
    BuildError!"; the template's error was shown once for every circular it renders."""
    add_site(project)
    write(project, "circulars/2024/panzhihua-2024-08.yaml", circular_yaml("panzhihua-2024-08", 8))
    template = write(project, "templates/notice.md.j2", "正文\n{% for %}\n")
    result = run(project, "build")
    _failed(result, f"error: {template}:2: template error: Expected an expression")
    assert result.stderr.count(f"{template}:2:") == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == "error: the site was not built: correct the error shown above, then build again"
    assert "BuildError" not in result.output
    assert not (project / "build/site").exists()


def test_nothing_is_built_when_the_template_fails_on_a_first_build(project):
    write(project, "templates/notice.md.j2", "{{ 1/0 }}\n")
    result = run(project, "build")
    _failed(result, "template error: division by zero")
    assert not (project / DOCUMENT).exists()


# --- reference documents --------------------------------------------------------------


def _reference_parts() -> dict[str, bytes]:
    return read_parts(REPO / "templates/gbt9704.docx")


def _broken_reference(case: str) -> bytes:
    parts = _reference_parts()
    if case == "not a zip":
        return "这是一个文本文件，不是 Word 文档。\n".encode()
    if case == "truncated":
        return (REPO / "templates/gbt9704.docx").read_bytes()[:2000]
    if case == "no document part":
        del parts["word/document.xml"]
    elif case == "invalid XML":
        parts["word/document.xml"] = parts["word/document.xml"][:-40]
    elif case == "invalid styles":
        parts["word/styles.xml"] = b"<w:styles>R&D</w:styles>"
    elif case == "no page setup":
        text = parts["word/document.xml"].decode()
        start, end = text.index("<w:sectPr"), text.index("</w:sectPr>") + len("</w:sectPr>")
        parts["word/document.xml"] = (text[:start] + text[end:]).encode()
    return write_parts(parts)


REFERENCE_ERRORS = {
    "not a zip": "it is not a Word document (a .docx is a zip file: save it again from Word as .docx)",
    "truncated": "it is not a Word document",
    "no document part": "it has no part word/document.xml",
    "invalid XML": "its part word/document.xml is not well-formed XML",
    "invalid styles": "its part word/styles.xml is not well-formed XML",
    "no page setup": "its page setup (w:body/w:sectPr with w:pgSz and w:pgMar) is missing or broken",
}


@pytest.mark.parametrize("case", sorted(REFERENCE_ERRORS))
def test_a_corrupt_reference_document_is_named_and_nothing_is_lost(project, case):
    before = _built_before(project)
    reference = write(project, "templates/gbt9704.docx", _broken_reference(case))
    result = run(project, "build")
    _failed(result, f"error: {reference}: cannot use this reference document: {REFERENCE_ERRORS[case]}")
    _assert_nothing_lost(project, before)


def test_a_corrupt_reference_document_stops_a_preview_too(project):
    reference = write(project, "templates/gbt9704.docx", _broken_reference("not a zip"))
    result = run(project, "preview", "panzhihua-2024-07")
    _failed(result, f"error: {reference}: cannot use this reference document")
    assert not (project / "build/preview").exists()


# --- huge text ------------------------------------------------------------------------

# over the 10 MB at which libxml2 drops a text node unless told to take huge trees
HUGE = "驻点开始" + "长" * (11 * 1024 * 1024 // 3) + "驻点结束"


def test_a_huge_paragraph_reaches_the_document_or_the_build_says_why(project):
    write(project, CIRCULAR, circular_yaml().replace("驻点干部到位后要迅速深入职工群众。", HUGE))
    result = run(project, "build")
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        document = read_parts(project / DOCUMENT)["word/document.xml"].decode()
        assert f"一是找准问题。{HUGE}" in document
    else:  # a size limit on circular files is a clear refusal too, never a silent loss
        assert result.exit_code == 1
        assert str(Path(CIRCULAR)) in result.stderr, result.stderr
        assert not (project / DOCUMENT).exists()


def test_the_writer_keeps_a_paragraph_over_10_mb(project):
    loaded = load_project(project)
    rendered = Renderer(project, loaded.registry).render(loaded.circulars[0])
    rendered.markdown += f"\n{HUGE}\n{{: .closing }}\n"
    data = DocxWriter(project, loaded.registry).write(rendered).data
    body = etree.fromstring(read_parts(data)["word/document.xml"], etree.XMLParser(huge_tree=True))
    texts = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in body.iter(f"{{{W}}}p")]
    assert HUGE in texts


# --- full disk, unwritable output -------------------------------------------------------


def _with_attachment(project: Path, content: str) -> None:
    write(
        project,
        CIRCULAR,
        circular_yaml() + "attachments:\n  - {title: 问题清单, file: attachments/problems.csv}\n",
    )
    write(project, "circulars/2024/attachments/problems.csv", content)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("full_at", ["panzhihua-2024-07.docx", "problems.csv"])
def test_a_full_disk_names_the_output_file_and_keeps_what_was_built(project, monkeypatch, full_at):
    _with_attachment(project, "问题,措施\n")
    before = _built_before(project)
    attachment_before = (project / "build/docx/attachments/problems.csv").read_bytes()
    # both the document and the attachment have changed since
    _with_attachment(project, "问题,措施,时限\n")
    write(project, CIRCULAR, (project / CIRCULAR).read_text(encoding="utf-8").replace("迅速", "立即"))

    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        """The file for `full_at` is on a full disk: its writes fail with ENOSPC."""
        handle, name = real_mkstemp(*args, **kwargs)
        if Path(name).name.startswith(f".{full_at}."):
            os.close(handle)
            handle = os.open("/dev/full", os.O_WRONLY)
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = run(project, "build")
    output = project / "build/docx" / ("attachments/problems.csv" if full_at == "problems.csv" else full_at)
    _failed(result, f"error: cannot write to {output}: No space left on device")
    assert "circulars/2024" not in result.stderr  # never the source file
    assert (project / "build/docx/attachments/problems.csv").read_bytes() == attachment_before
    if full_at != "problems.csv":
        _assert_nothing_lost(project, before)
    assert [p.name for p in (project / "build/docx").rglob("*.tmp")] == []


def test_an_output_folder_that_cannot_be_made_is_named(project):
    (project / "build").mkdir()
    (project / "build/docx").write_text("not a folder")
    result = run(project, "build")
    _failed(result, f"error: cannot write to {project / 'build/docx'}: File exists")
    assert (project / "build/docx").read_text() == "not a folder"


# --- what Word shows ------------------------------------------------------------------

SECTIONS = """\
sections:
  - title: 总体要求
    text: 第一层的正文。
    sections:
      - title: 工作目标
        sections:
          - title: 建会目标
            sections:
              - title: 园区企业
                text: 第四层的正文。
          - title: 入会目标
      - title: 工作措施
"""


def test_each_heading_level_has_its_word_heading_style(project):
    write(project, CIRCULAR, circular_yaml() + SECTIONS)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    headings = [(name, text) for name, text in blocks(project / DOCUMENT) if name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "一、总体要求"),
        ("Heading 2", "（一）工作目标"),
        ("Heading 3", "1.建会目标"),
        ("Heading 4", "（1）园区企业"),
        ("Heading 3", "2.入会目标"),
        ("Heading 2", "（二）工作措施"),
        ("Heading 1", "二、工作要求"),
    ]


def test_each_heading_level_has_its_word_heading_style_in_english(project):
    english = (
        circular_yaml()
        .replace("language: zh", "language: en")
        .replace("title: 关于驻点干部做到“四个要”的通知", "title: Notice on stationed cadres")
    )
    write(project, CIRCULAR, english + SECTIONS)
    assert run(project, "build").exit_code == 0
    headings = [(name, text) for name, text in blocks(project / DOCUMENT) if name.startswith("Heading")]
    assert [name for name, _ in headings] == [f"Heading {n}" for n in (1, 2, 3, 4, 3, 2, 1)]
    assert headings[3] == ("Heading 4", "1.1.1.1 园区企业")


# Text that means something to XML, HTML or Markdown, wherever a user can type it.
NASTY = "R&D <x> \"q\" 'a' &amp; ]]> a&b"
LABEL = "R&D <x> \"q\" 'a' &amp; a&b"  # a link label cannot hold brackets
LINK = 'https://example.org/a?b=1&c="2"&d=<3>'


def _hostile_project(project: Path) -> None:
    write(
        project,
        "circulars/organizations.yaml",
        ORGANIZATIONS.replace(
            "格里坪特色产业园区工会联合会", json.dumps(f"格里坪 {NASTY} 工会", ensure_ascii=False)
        ).replace(
            "{en: Panzhihua Federation of Trade Unions, zh: 攀枝花市总工会}",
            f"{{en: Panzhihua FTU, zh: {json.dumps('攀枝花市 R&D <总工会>', ensure_ascii=False)}}}",
        ),
    )
    text = (
        circular_yaml()
        .replace("title: 关于驻点干部做到“四个要”的通知", f"title: {json.dumps(NASTY)}")
        .replace(
            "text: 驻点干部到位后要迅速深入职工群众。",
            f"text: {json.dumps(f'正文 {NASTY} 见[链接 {LABEL}]({LINK})。', ensure_ascii=False)}",
        )
    )
    text += f"""\
    targets:
      - {{metric: {json.dumps("指标 " + NASTY)}, value: {json.dumps("> 90% & <100%")}}}
      - {{metric: 入会率, value: "80%"}}
tags: [{json.dumps(NASTY)}, "<x>"]
attachments:
  - title: {json.dumps("附表 " + NASTY)}
    table:
      columns: [{json.dumps("列 " + NASTY)}, "<th>"]
      rows:
        - [{json.dumps(NASTY)}, "1 & 2"]
        - ["<td>", "</w:t>"]
        - ["3", "4"]
"""
    write(project, CIRCULAR, text)


@pytest.fixture
def hostile(project) -> Path:
    _hostile_project(project)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    return project / DOCUMENT


def test_hostile_text_is_escaped_everywhere_in_the_body(hostile):
    for part in ("word/document.xml", "word/_rels/document.xml.rels", "docProps/core.xml"):
        xml(hostile, part)  # well-formed, or this raises
    found = blocks(hostile)
    assert ("Title", NASTY) in found
    assert ("Point", f"一是找准问题。正文 {NASTY} 见链接 {LABEL}。") in found
    assert ("Recipients", f"格里坪 {NASTY} 工会：") in found
    cells = [text for name, text in found if name.startswith("Table")]
    assert f"指标 {NASTY}" in cells and "> 90% & <100%" in cells
    start = cells.index(f"列 {NASTY}")
    assert cells[start : start + 6] == [f"列 {NASTY}", "<th>", NASTY, "1 & 2", "<td>", "</w:t>"]


def test_hostile_link_targets_are_escaped_in_the_relationships(hostile):
    document = docx.Document(str(hostile))
    point = next(p for p in document.paragraphs if p.style.name == "Point")
    link = point._p.find(f"{{{W}}}hyperlink")
    target = point.part.rels[link.get(R)].target_ref
    assert target == "https://example.org/a?b=1&c=%222%22&d=%3C3%3E"
    assert "".join(t.text for t in link.iter(f"{{{W}}}t")) == f"链接 {LABEL}"


def test_hostile_text_is_escaped_in_the_document_properties(hostile):
    properties = docx.Document(str(hostile)).core_properties
    assert properties.title == NASTY
    assert properties.keywords == f"{NASTY}; <x>"
    assert properties.author == "攀枝花市 R&D <总工会>"


def test_header_rows_and_only_they_repeat_on_every_page(hostile):
    document = xml(hostile, "word/document.xml")
    tables = document.findall(".//w:tbl", NS)
    flags = [
        [row.find("w:trPr/w:tblHeader", NS) is not None for row in t.findall("w:tr", NS)] for t in tables
    ]
    # the targets (a header, two targets), the attachment's table (a header, three
    # rows), and the imprint lines at the end, which have no header
    assert flags == [[True, False, False], [True, False, False, False], [False]]
    styles = {s.style_id: s.name for s in docx.Document(str(hostile)).styles}
    first, *others = tables[1].findall("w:tr", NS)
    assert {styles[s.get(f"{{{W}}}val")] for s in first.iterfind(".//w:pStyle", NS)} == {"Table Heading"}
    assert {styles[s.get(f"{{{W}}}val")] for r in others for s in r.iterfind(".//w:pStyle", NS)} == {
        "Table Text"
    }


def test_libreoffice_reads_the_hostile_document(hostile, tmp_path):
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("soffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    command = [program, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore"]
    subprocess.run(
        [*command, "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(hostile)],
        capture_output=True,
        timeout=300,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    text = (tmp_path / "panzhihua-2024-07.txt").read_text(encoding="utf-8-sig")
    for expected in (NASTY, f"正文 {NASTY} 见链接 {LABEL}。", "</w:t>", "> 90% & <100%"):
        assert expected in text


def test_style_ids_from_an_edited_reference_are_escaped(project):
    """A reference document edited by hand may give a style any id."""
    parts = _reference_parts()
    styles = etree.fromstring(parts["word/styles.xml"])
    odd = {"Point": 'Po&int"<1>', "Hyperlink": 'Link&"', "Table Heading": "TH<&>"}
    for style in styles.iter(f"{{{W}}}style"):
        name = style.find("w:name", NS).get(f"{{{W}}}val")
        if name in odd:
            style.set(f"{{{W}}}styleId", odd[name])
    parts["word/styles.xml"] = etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
    write(project, "templates/gbt9704.docx", write_parts(parts))
    _hostile_project(project)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    body = xml(project / DOCUMENT, "word/document.xml")  # well-formed, or this raises
    docx.Document(str(project / DOCUMENT))  # python-docx opens it

    def style_of(element) -> str | None:
        found = element.find("w:pPr/w:pStyle", NS)
        return None if found is None else found.get(f"{{{W}}}val")

    points = [p for p in body.iter(f"{{{W}}}p") if style_of(p) == odd["Point"]]
    assert ["".join(t.text for t in p.iter(f"{{{W}}}t"))[:7] for p in points] == ["一是找准问题。"]
    link_runs = points[0].findall("w:hyperlink/w:r/w:rPr/w:rStyle", NS)
    assert {r.get(f"{{{W}}}val") for r in link_runs} == {odd["Hyperlink"]}
    targets, attachment = list(body.iter(f"{{{W}}}tbl"))[:2]
    header_cells = [p for t in (targets, attachment) for p in t.find("w:tr", NS).iter(f"{{{W}}}p")]
    assert {style_of(p) for p in header_cells} == {odd["Table Heading"]}
