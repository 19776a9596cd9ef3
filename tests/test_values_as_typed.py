"""Every value prints as typed: YAML 1.1's readings (10:00 as 600, 007 as 7, yes as
true) never reach a document, typed fields refuse what they cannot keep at
file:line:column, and a line break or the spaces starting a line inside a
paragraph print as the writer typed them, in Word, in LibreOffice's reading of
the Word file, and on the page."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import CIRCULAR, add_site, circular_yaml, run, write
from docx_reading import W, blocks, xml
from lxml import html as lxml_html
from pdf_reading import read_pdf
from table_reading import docx_rows, html_rows

from generator.distribution.returns.hand_written import read_hand_written
from generator.docx.preview import soffice, to_pdf
from generator.render.renderer import Renderer
from generator.source.loading import load_project

F = "circulars/2024/panzhihua-2024-07.yaml"

# every row: what is typed, unquoted, in a YAML flow list; each prints as typed
TYPED_ROWS = [
    ["10:00", "9:50", "14:30"],
    ["1:30:00", "007", "0755"],
    ["1_000", "0x1F", "+12"],
    ["yes", "no", "off"],
    ["On", "Y", "n"],
    [".5", "1.50", "1e3"],
    ["0.75", "100.0", "-0.0"],
    ["12", "2024-04-18", "true"],
    ["~no", "NULL", ".inf"],
]

CIRCULAR_WITH_VALUES = (
    circular_yaml()
    + """\
    targets:
      - {metric: 建会率, value: 90%}
      - {metric: 签到时间, value: 8:30}
    tables:
      - columns: [时间, 地点, 备注]
        rows:
"""
    + "".join(f"          - [{', '.join(row)}]\n" for row in TYPED_ROWS)
    + "          - [合计, 31, 人]\n          - [　　其中：女职工, 12, 人]\n"
    + """\
  - key: 10:00
    text: 会议于9:30签到，10:00开始；编号007。
contact:
  name: 张三
  phone: 81085234
"""
)

NAME_LIST = (
    circular_yaml()
    + """\
  - key: 参会人员
    text: |
      出席：张三、李四
      　　　王五、赵六
         钱七

      　　第二段。
english: |
  Line one
  Line two
notes: |
  联系人：张三
  电话：81085234
"""
)


def _build(project: Path, tmp_path: Path) -> Path:
    built = run(project, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    return tmp_path / "out/docx/panzhihua-2024-07.docx"


def _build_with_site(project: Path) -> tuple[Path, str, lxml_html.HtmlElement]:
    """The Word document, the rendered Markdown and the site's page of the circular."""
    add_site(project)
    built = run(project, "build")
    assert built.exit_code == 0, built.output
    loaded = load_project(project)
    markdown = Renderer(loaded.root, loaded.registry).render(loaded.circulars[0]).markdown
    page = project / "build/site/circulars/panzhihua-2024-07/index.html"
    return project / "build/docx/panzhihua-2024-07.docx", markdown, lxml_html.parse(str(page)).getroot()


def test_cells_and_text_fields_print_as_typed_in_word_and_on_the_page(project):
    write(project, F, CIRCULAR_WITH_VALUES)
    assert run(project, "check").exit_code == 0
    docx, _, page = _build_with_site(project)
    tables = list(xml(docx, "word/document.xml").iter(f"{{{W}}}tbl"))
    word_rows = [[text for text, _, _ in row] for table in tables for row in docx_rows(table)]
    for row in TYPED_ROWS:
        assert row in word_rows, (row, word_rows)
    assert next(cell for cell in word_rows if "签到时间" in cell)[:2] == ["签到时间", "8:30"]
    assert ["\u3000\u3000其中：女职工", "12", "人"] in word_rows  # indented under its total
    texts = [text for _, text in blocks(docx)]
    assert any("二是10:00。会议于9:30签到，10:00开始；编号007。" in text for text in texts), texts
    assert any("电话：81085234" in text for text in texts), texts  # a whole number, as typed

    page_rows = [[text for text, _, _ in row] for table in page.iter("table") for row in html_rows(table)]
    for row in TYPED_ROWS:
        assert row in page_rows, (row, page_rows)
    assert "10:00开始；编号007。" in page.text_content()
    assert "\u3000\u3000其中：女职工" in page.text_content()
    # 10:00 read as sexagesimal is 600; the page also shows the document's SHA-256, whose
    # hex digits may hold 600 anywhere (CI met one that did)
    as_number = re.compile(r"(?<![0-9a-f])600(?![0-9a-f])")
    assert not as_number.search(page.text_content()) and not as_number.search("".join(texts))


def test_typed_fields_keep_their_types(project):
    write(
        project,
        F,
        CIRCULAR.replace("{id}", "panzhihua-2024-07").replace("{number}", "12")
        + "seal: true\nclosing: false\nprinting: false\n",
    )
    loaded = load_project(project)
    assert not loaded.diagnostics.errors, loaded.diagnostics.errors
    circular = loaded.circulars[0]
    assert (circular.number, circular.seal, circular.closing, circular.printing) == (12, True, False, False)
    assert circular.date.isoformat() == "2024-04-18"
    assert circular.requirements[0].deadline.isoformat() == "2024-09-30"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("number: 7", "number: 10:00", "7:9: error: expected a whole number, got '10:00'"),
        ("number: 7", "number: 0x1F", "7:9: error: expected a whole number, got '0x1F'"),
        ("number: 7", "number: !!int 10:00", "7:9: error: '10:00' is no number: put a time in quotes"),
        (
            "date: 2024-04-18",
            "date: 2024-4-18",
            "8:7: error: '2024-4-18' is not a date: write it as YYYY-MM-DD",
        ),
        ("status: issued", "status: issued\nseal: yes", "5:7: error: write true, false or person, not 'yes'"),
        (
            "status: issued",
            "status: issued\nseal: True",
            "5:7: error: write true, false or person, not 'True'",
        ),
        (
            "status: issued",
            "status: issued\nclosing: no",
            "5:10: error: 'no' would print as it is: write false",
        ),
        (
            "status: issued",
            "status: issued\nto_label: off",
            "5:11: error: 'off' would print as it is: write false",
        ),
        (
            "status: issued",
            "status: issued\nprinting: No",
            "5:11: error: 'No' would print as it is: write false",
        ),
        (
            "    deadline: 2024-09-30",
            "    deadline: 2024-09-30\n    tables:\n      - {landscape: yes, rows: [[a]]}",
            "17:21: error: write true or false, not 'yes'",
        ),
        (
            "    text: 驻点干部到位后要迅速深入职工群众。",
            "    text: true",
            "14:11: error: expected text, got true",
        ),
    ],
    ids=[
        "time-as-number",
        "hex-as-number",
        "tagged-base-60",
        "short-date",
        "seal-yes",
        "seal-capital-true",
        "closing-no",
        "to-label-off",
        "printing-no",
        "landscape-yes",
        "text-true",
    ],
)
def test_what_cannot_be_kept_stops_at_its_line_and_column(project, old, new, expected):
    path = project / F
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run(project, "check")
    assert result.exit_code == 1
    assert any(line.startswith(f"{F}:{expected}") for line in result.stdout.splitlines()), result.stdout


def test_a_deadline_with_a_time_is_read_from_its_text(project):
    # YAML 1.1 made a datetime of the one with seconds; both are text now, read the same
    write(
        project,
        F,
        circular_yaml().replace("deadline: 2024-09-30", "deadline: 2024-09-30 17:00:00")
        + "  - {key: 乙, text: 乙。, deadline: 2024-09-30 17:00}\n",
    )
    loaded = load_project(project)
    assert not loaded.diagnostics.errors, loaded.diagnostics.errors
    assert [str(r.deadline) for r in loaded.circulars[0].requirements] == ["2024-09-30 17:00"] * 2


def test_registry_values_are_kept_as_typed(project):
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    organizations.write_text(
        text.replace(
            "    email: union@coking.example.org", "    email: union@coking.example.org\n    phone: 81085234"
        )
    )
    loaded = load_project(project)
    assert not loaded.diagnostics.errors, loaded.diagnostics.errors
    assert loaded.registry.organizations["coking-union"].phone == "81085234"

    people = project / "circulars/people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("rank: 2}", "rank: 2, concurrent: yes}"))
    result = run(project, "check")
    assert result.exit_code == 1
    assert "circulars/people.yaml:5:88: error: write true or false, not 'yes'" in result.stdout, result.stdout


def _paragraph_with(docx: Path, needle: str):
    for paragraph in xml(docx, "word/document.xml").iter(f"{{{W}}}p"):
        if needle in "".join(t.text or "" for t in paragraph.iter(f"{{{W}}}t")):
            return paragraph
    raise AssertionError(f"no paragraph with {needle!r}")


def _lines(paragraph) -> list[str]:
    """A Word paragraph's text, split where it has a line break (w:br)."""
    lines = [""]
    for element in paragraph.iter(f"{{{W}}}t", f"{{{W}}}br"):
        if element.tag == f"{{{W}}}br":
            lines.append("")
        else:
            lines[-1] += element.text or ""
    return lines


def test_a_line_break_and_the_spaces_starting_a_line_print_as_typed(project):
    write(project, F, NAME_LIST.replace("english: |", "background: |"))
    docx, markdown, page = _build_with_site(project)

    # one paragraph, broken where the writer broke it, its alignment kept
    paragraph = _paragraph_with(docx, "出席：张三、李四")
    assert _lines(paragraph) == [
        "二是参会人员。出席：张三、李四",
        "\u3000\u3000\u3000王五、赵六",
        "\xa0\xa0\xa0钱七",
    ]
    assert all(
        t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
        for t in paragraph.iter(f"{{{W}}}t")
    )
    # a blank line still starts a paragraph of its own, whose indent is the layout's
    # (pasted text's 　　 would double it), so the spaces starting it are dropped
    assert "第二段。" in [text for _, text in blocks(docx)]
    # English too: a line break is a line break
    assert _lines(_paragraph_with(docx, "Line one")) == ["Line one", "Line two"]
    assert _lines(_paragraph_with(docx, "联系人：张三")) == ["（联系人：张三", "电话：81085234）"]

    assert "出席：张三、李四<br />&#12288;&#12288;&#12288;王五、赵六<br />&nbsp;&nbsp;&nbsp;钱七" in markdown
    shown = next(p for p in page.iter("p") if "出席" in p.text_content())
    assert len(shown.findall("br")) == 2
    assert "\u3000\u3000\u3000王五" in shown.text_content() and "\xa0\xa0\xa0钱七" in shown.text_content()


def test_libreoffice_keeps_the_alignment(project, tmp_path):
    program = soffice()
    if program is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    write(project, F, NAME_LIST.replace("english: |", "background: |"))
    docx = _build(project, tmp_path)
    out = tmp_path / "text"
    subprocess.run(
        [
            program,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    lines = (out / "panzhihua-2024-07.txt").read_text(encoding="utf-8-sig").splitlines()
    assert "\u3000\u3000\u3000王五、赵六" in lines, lines
    assert "\xa0\xa0\xa0钱七" in lines, lines
    assert any(line.endswith("出席：张三、李四") for line in lines), lines


def test_a_name_aligned_under_the_first_lines_up_in_the_pdf(project, tmp_path):
    """The README's example: five full-width spaces put 王五 under 张三, past the
    first line's two-character indent and 出席：, and the line ending in a break
    keeps its characters together (doNotExpandShiftReturn), not spread over the width."""
    if soffice() is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    write(project, F, circular_yaml() + "background: |\n  出席：张三、李四\n  　　　　　王五、赵六\n")
    docx = _build(project, tmp_path)
    page = read_pdf(to_pdf([docx], tmp_path / "pdf", project)[0])[0]
    first, second = page.find("出席"), page.find("王五")
    assert second.top > first.top
    assert abs(first.span("张三")[0] - second.span("王五")[0]) < 0.5  # mm
    # eight characters of 16 pt (5.6 mm); spread over the line they took 156 mm
    assert first.span("出席：张三、李四")[1] - first.span("出席")[0] < 50


def test_a_hand_written_return_keeps_its_values_as_typed():
    text = (
        "circular: panzhihua-2024-07\norganization: coking-union\nwho: 王五\nanswers:\n"
        "  - {requirement: 1, status: done, value: 10:00, date: 2024-05-20, note: 007}\n"
        "  - {requirement: 2, status: in-progress, value: 1.50}\n"
    )
    received = read_hand_written(Path("by-hand.yaml"), text.encode(), "by-hand.yaml", date(2024, 6, 1))
    assert received.problems == []
    assert [(a.value, a.note, a.date) for a in received.answers] == [
        ("10:00", "007", date(2024, 5, 20)),
        ("1.50", None, None),
    ]
