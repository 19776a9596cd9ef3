"""Layout at its edges, each written for a planted bug that survived the suite (issue 25):
English ordinals past the twentieth point, a joint letterhead's stacked names, a
spanning heading that must not change a table's grid, and an unsealed signature
longer than its date, measured in the PDF LibreOffice renders."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import circular_yaml, run, write
from docx_reading import NS, W, xml

from generator.docx.preview import to_pdf
from generator.render.numbering import format_date, ordinal

CIRCULAR = "panzhihua-2024-07"


def build(project: Path, out: Path, **changes) -> Path:
    """Build the test circular with keys replaced (None removes one); its .docx."""
    data = yaml.safe_load(circular_yaml())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    write(project, f"circulars/2024/{CIRCULAR}.yaml", yaml.safe_dump(data, allow_unicode=True))
    result = run(project, "build", CIRCULAR, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out / "docx" / f"{CIRCULAR}.docx"


def texts(element) -> list[str]:
    """The text of each paragraph under element."""
    return ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in element.iter(f"{{{W}}}p")]


# Catches "21th", "22th", "23th": the points after the twentieth and ordinal dates share one rule.
def test_english_ordinals_past_the_twentieth():
    assert [ordinal(n, "en") for n in (20, 21, 22, 23, 24, 101, 111, 112, 113, 121)] == [
        "Twentieth,",
        "21st,",
        "22nd,",
        "23rd,",
        "24th,",
        "101st,",
        "111th,",
        "112th,",
        "113th,",
        "121st,",
    ]
    assert format_date(date(2024, 4, 22), "en", "ordinal") == "22nd April 2024"
    assert format_date(date(2024, 4, 13), "en", "ordinal") == "13th April 2024"


def test_an_english_circular_numbers_its_twenty_third_point(project, tmp_path):
    requirements = [{"text": f"Point {n}.", "deadline": "2024-09-30"} for n in range(1, 24)]
    docx = build(project, tmp_path / "out", language="en", title="On the points", requirements=requirements)
    body = texts(xml(docx, "word/document.xml"))
    assert "Twentieth, Point 20." in body
    assert "21st, Point 21." in body
    assert "22nd, Point 22." in body
    assert "23rd, Point 23." in body


# Catches the last issuer line keeping a stray 文 of 文件: the names stacked exactly as
# written, 文件 alone in the cell to their right.
def test_joint_letterhead_stacks_the_names_and_sets_wenjian_apart(project, tmp_path):
    docx = build(project, tmp_path / "out", issuer=["panzhihua-ftu", "sichuan-ftu"], signatory=None)
    document = xml(docx, "word/document.xml")
    tables = document.findall(".//w:body/w:tbl", NS)
    marks = [t for t in tables if "文件" in texts(t)]
    assert len(marks) == 1
    cells = marks[0].findall("w:tr/w:tc", NS)
    assert [texts(cell) for cell in cells] == [["攀枝花市总工会", "四川省总工会"], ["文件"]]


# Catches a merged cell's text counted toward its first column: the grid is the
# columns' own (shared evenly unless given), whatever a spanning heading says.
def test_a_spanning_heading_does_not_change_the_grid(project, tmp_path):
    def grid(heading: str) -> list[list[str]]:
        table = {
            "caption": "表1　分工",
            "header": [[{"text": heading, "colspan": 3}], ["序号", "内容", "单位"]],
            "rows": [[1, "驻点", "市总"], [2, "调研", "区总"]],
        }
        docx = build(project, tmp_path / heading[:4], background="分工如下。", background_tables=[table])
        tables = xml(docx, "word/document.xml").findall(".//w:body/w:tbl", NS)
        return [
            [col.get(f"{{{W}}}w") for col in t.findall("w:tblGrid/w:gridCol", NS)]
            for t in tables
            if any(heading in text for text in texts(t))
        ]

    short = grid("分工表")
    long = grid("驻点干部下基层工作任务分工及完成时限一览表（二〇二四年度第二批次）")
    assert len(short) == 1 and len(short[0]) == 3
    assert long == short
    assert len(set(short[0])) <= 2  # shared evenly (the last takes the rounding)


# Catches the unsealed date's indent when the signature is the longer (§7.3.5.2): the
# signature two characters from the right, the date's first character two characters
# right of the signature's. Only the byte-for-byte digests caught it before.
def test_unsealed_signature_longer_than_its_date(project, tmp_path):
    if shutil.which("soffice") is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("soffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("soffice is not installed")
    pytest.importorskip("pymupdf")
    from pdf_reading import MM, read_pdf

    docx = build(project, tmp_path / "out", issuer="geliping-park", number=None, signatory=None, seal=False)
    (pdf,) = to_pdf([docx], tmp_path / "pdf", project)
    lines = [line for page in read_pdf(pdf) for line in page.lines]
    (date_line,) = [line for line in lines if line.text == "2024年4月18日"]
    (signature,) = [
        line
        for line in lines
        if line.text == "格里坪特色产业园区工会联合会" and 0 < date_line.baseline - line.baseline < 30
    ]
    char = 16 * MM  # 三号
    right = 28.0 + 156.0  # the type area's right edge
    assert signature.right - signature.left > date_line.right - date_line.left
    assert abs(right - signature.right - 2 * char) <= 1.0, (
        f"signature ends {right - signature.right:.1f} mm in"
    )
    # LibreOffice sets these 13 characters a little closer than 16 pt apart: two
    # characters as the signature itself sets them
    pitch = (signature.chars[-1][1] - signature.chars[0][1]) / (len(signature.chars) - 1)
    assert abs(date_line.left - signature.left - 2 * pitch) <= 1.0, (
        f"date starts {date_line.left - signature.left:.1f} mm right of the signature, pitch {pitch:.2f} mm"
    )
