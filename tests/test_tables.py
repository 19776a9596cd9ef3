"""Tables anywhere in a circular: written in YAML or read from CSV and XLSX files,
checked cell by cell, and the same grid in the Word document (its XML, and as
LibreOffice reads it) and on the site (the HTML, and in Chromium on a phone)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from browsing import chromium, need_chromium
from conftest import add_site, run, write
from docx_reading import NS, W, blocks, xml
from lxml import html as lxml_html
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from pydantic import BaseModel
from table_reading import docx_rows, grid_rows, html_rows, libreoffice_tables

from generator.docx.preview import to_pdf
from generator.source.loading import load_project
from generator.source.tables import Table, layout, tables_in

CIRCULAR = "circulars/2024/tables-2024-01.yaml"
F = "circulars/2024/panzhihua-2024-07.yaml"

TABLES = """\
id: tables-2024-01
language: zh
status: issued
title: 关于举办职工运动会的通知
issuer: panzhihua-ftu
number: 8
date: 2024-04-18
to: [geliping-park]
background: |
  为丰富职工文化生活，决定举办职工运动会。

  比赛项目和名额如下。
background_tables:
  - caption: 表1　比赛项目和名额
    after: 2
    columns:
      - {width: 10%, align: center}
      - {width: 30%}
      - {}
      - {}
      - {align: right}
    header:
      - [{text: 序号, rowspan: 2}, {text: 项目, rowspan: 2}, {text: 名额, colspan: 2}, {text: 备注, rowspan: 2}]
      - [男, 女]
    rows:
      - [1, 拔河, 10, 8, ""]
      - [2, {text: 跳绳, rowspan: 2}, 5, 5, ~]
      - [3, 6, 6, 团体]
      - [{text: 合计, colspan: 2, align: center}, 21, 19, {}]
      - {cells: ["", "", "", "", ""], height: 12mm}
sections:
  - title: 赛程
    text: 各项目赛程见下表。
    tables:
      - landscape: true
        caption: 表2　赛程
        columns: [日期, 上午, 下午, 晚上, 场地, 裁判, 记录, 颁奖, 备注, 联系人]
        rows:
          - [5月1日, 拔河, 跳绳, 联欢, 体育馆, 张三, 李四, 王五, 无, 赵六]
  - title: 报名名单
    tables:
      - file: attachments/entries.csv
requirements:
  - key: 按时报名
    text: 各单位按时报名。
    deadline: 2024-04-30
    tables:
      - rows:
          - [报名截止, 2024年4月30日]
attachments:
  - title: 参赛回执
    table:
      columns: [单位, 姓名, 职务, 联系电话]
      rows:
        - {cells: ["", "", "", ""], height: 10mm}
        - {cells: ["", "", "", ""], height: 10mm}
    text: 请于4月30日前报送。
  - title: 历届成绩
    file: attachments/results.xlsx
"""

# the grids as LibreOffice must read them back, in document order (the 版记 last)
EXPECTED = [
    [
        [("序号", 1, 2), ("项目", 1, 2), ("名额", 2, 1), ("备注", 1, 2)],
        [("男", 1, 1), ("女", 1, 1)],
        [("1", 1, 1), ("拔河", 1, 1), ("10", 1, 1), ("8", 1, 1), ("", 1, 1)],
        [("2", 1, 1), ("跳绳", 1, 2), ("5", 1, 1), ("5", 1, 1), ("", 1, 1)],
        [("3", 1, 1), ("6", 1, 1), ("6", 1, 1), ("团体", 1, 1)],
        [("合计", 2, 1), ("21", 1, 1), ("19", 1, 1), ("", 1, 1)],
        [("", 1, 1)] * 5,
    ],
    [
        [
            (t, 1, 1)
            for t in ["日期", "上午", "下午", "晚上", "场地", "裁判", "记录", "颁奖", "备注", "联系人"]
        ],
        [
            (t, 1, 1)
            for t in ["5月1日", "拔河", "跳绳", "联欢", "体育馆", "张三", "李四", "王五", "无", "赵六"]
        ],
    ],
    [[("序号", 1, 1), ("姓名", 1, 1), ("单位", 1, 1)], [("1", 1, 1), ("张三", 1, 1), ("甲厂工会", 1, 1)]],
    [[("报名截止", 1, 1), ("2024年4月30日", 1, 1)]],
    [[(t, 1, 1) for t in ["单位", "姓名", "职务", "联系电话"]], [("", 1, 1)] * 4, [("", 1, 1)] * 4],
    [
        [("届次", 1, 2), ("团体成绩", 2, 1)],
        [("名次", 1, 1), ("得分", 1, 1)],
        [("第一届", 1, 1), ("1", 1, 1), ("95.50", 1, 1)],
        [("第二届", 1, 1), ("2", 1, 1), ("88%", 1, 1)],
    ],
]


def results_workbook(path: Path) -> None:
    """An XLSX as a secretary makes one: a merged header, number formats, borders."""
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    thin = Side(style="thin")
    rows = [["届次", "团体成绩", None], [None, "名次", "得分"], ["第一届", 1, 95.5], ["第二届", 2, 0.88]]
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            cell = sheet.cell(r, c, value)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet["B1"].alignment = Alignment(horizontal="center")
    sheet["C3"].number_format = "0.00"
    sheet["C4"].number_format = "0%"
    sheet.column_dimensions["A"].width = 20
    book.save(path)


def tables_project(root: Path) -> Path:
    write(root, CIRCULAR, TABLES)
    write(root, "circulars/2024/attachments/entries.csv", "序号,姓名,单位\r\n1,张三,甲厂工会\r\n\r\n")
    results_workbook(root / "circulars/2024/attachments/results.xlsx")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from conftest import ORGANIZATIONS, PEOPLE

    root = tmp_path_factory.mktemp("tables")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    tables_project(root)
    add_site(root)
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root


def document_tables(root: Path):
    return xml(root / "build/docx/tables-2024-01.docx", "word/document.xml").findall(".//w:tbl", NS)


# --- the model -----------------------------------------------------------------------


def test_loading_keeps_each_table_as_checked_and_rendering_reuses_it(tmp_path):
    """check lays every table out once; rendering takes that grid, not a second layout."""
    from conftest import ORGANIZATIONS, PEOPLE

    write(tmp_path, "circulars/organizations.yaml", ORGANIZATIONS)
    write(tmp_path, "circulars/people.yaml", PEOPLE)
    tables_project(tmp_path)
    project = load_project(tmp_path)
    assert not project.diagnostics.has_errors()
    tables = [table for _path, table in tables_in(project.source("tables-2024-01").circular)]
    from_rows = [table for table in tables if table.file is None]
    assert from_rows and len(tables) > len(from_rows)  # tables from YAML rows and from files
    for table in tables:
        assert table.grid is table.grid  # kept, not laid out at each use
    for table in from_rows:
        assert table.grid == layout(table)[0]
    unchecked = Table.model_validate({"rows": [["a", "b"]]})
    assert unchecked.grid is not unchecked.grid and unchecked.grid == layout(unchecked)[0]


def _every_table(value, path=()):
    """Every table, found by looking into every field of every model: what tables_in
    must find while it skips the fields whose types hold no model or list."""
    if isinstance(value, Table):
        yield path, value
    elif isinstance(value, BaseModel):
        if isinstance(getattr(value, "file_table", None), Table):
            yield (*path, "file"), value.file_table
        for name in type(value).model_fields:
            yield from _every_table(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _every_table(item, (*path, i))


def test_tables_in_finds_every_table_of_every_example(tmp_path):
    from conftest import ORGANIZATIONS, PEOPLE

    examples = load_project(Path(__file__).parent.parent)
    write(tmp_path, "circulars/organizations.yaml", ORGANIZATIONS)
    write(tmp_path, "circulars/people.yaml", PEOPLE)
    tables_project(tmp_path)
    circulars = [*examples.circulars, *load_project(tmp_path).circulars]
    found = 0
    for circular in circulars:
        expected = list(_every_table(circular))
        assert [(p, id(t)) for p, t in tables_in(circular)] == [(p, id(t)) for p, t in expected], circular.id
        found += len(expected)
    assert found >= 10


def test_a_table_lays_out_its_spans_widths_alignment_and_blanks():
    table = Table.model_validate(
        {
            "caption": "表1",
            "columns": [{"width": "10%", "align": "center"}, {}, {"align": "right", "header_align": "left"}],
            "header": [[{"text": "序号", "rowspan": 2}, {"text": "名额", "colspan": 2}], ["男", "女"]],
            "rows": [[1, None, ""], [{"text": "合计", "colspan": 2, "align": "left"}, {}]],
        }
    )
    grid = table.grid
    assert grid.columns == 3 and grid.header_rows == 2 and grid.caption == "表1"
    assert grid.widths == ("10%", None, None)
    assert grid_rows(grid) == [
        [("序号", 1, 2), ("名额", 2, 1)],
        [("男", 1, 1), ("女", 1, 1)],
        [("1", 1, 1), ("", 1, 1), ("", 1, 1)],
        [("合计", 2, 1), ("", 1, 1)],
    ]
    assert [cell.column for cell in grid.rows[1].cells] == [1, 2]  # beside the rowspan
    # a column's align is its body cells'; its header cells take header_align (else centred)
    aligns = [[cell.align for cell in row.cells] for row in grid.rows]
    assert aligns == [[None, None], [None, "left"], ["center", None, "right"], ["left", "right"]]


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            {"rows": [["a", "b"], [{"text": "x", "colspan": 3}]]},
            ("rows", 1, 0),
            "spans columns 1 to 3, but the table has 2",
        ),
        (
            {"rows": [[{"text": "a", "rowspan": 3}, "b"], ["c"]]},
            ("rows", 0, 0),
            "spans 3 rows, but only 2 rows are left",
        ),
        (
            {"rows": [[{"text": "a", "rowspan": 2}, "b"], [{"text": "c", "colspan": 2}]]},
            ("rows", 1, 0),
            "spans columns 2 to 3",
        ),
        (
            {"rows": [["a", {"text": "b", "rowspan": 2}], [{"text": "c", "colspan": 2}]]},
            ("rows", 1, 0),
            "overlaps the cell at row 1, cell 2",
        ),
        ({"rows": [["a", "b", "c"], ["d", "e"]]}, ("rows", 1), "fills 2 of the table's 3 columns"),
        ({"rows": [["a", "b"], ["c", "d", "e"]]}, ("rows", 1, 2), "in column 3, but the table has 2"),
        (
            {"header": [[{"text": "a", "rowspan": 2}, "b"]], "rows": [["c"]]},
            ("header", 0, 0),
            "spans 2 rows, but only 1 header rows are left",
        ),
    ],
)
def test_spans_that_cannot_be_laid_out_name_the_cell(data, where, message):
    _grid, problems = layout(Table.model_validate(data))
    assert problems and problems[0][0] == where
    assert message in problems[0][1]


# --- checking, with file:line:column -----------------------------------------------


def _check(project: Path, yaml: str):
    write(project, "circulars/2024/panzhihua-2024-07.yaml", yaml)
    return run(project, "check")


BAD_SPAN = """\
id: panzhihua-2024-07
language: zh
title: 通知
issuer: panzhihua-ftu
date: 2024-04-18
background: 正文。
background_tables:
  - rows:
      - [a, b, c]
      - [d, {text: e, colspan: 3}]
"""


def test_a_span_past_the_edge_is_an_error_at_its_cell_and_nothing_is_built(project):
    (project / "build/docx").mkdir(parents=True)
    (project / "build/docx/kept.docx").write_bytes(b"earlier build")
    result = _check(project, BAD_SPAN)
    assert result.exit_code == 1
    assert (
        "panzhihua-2024-07.yaml:10:13: error: this cell spans columns 2 to 4, but the table has 3"
        in result.output
    )
    built = run(project, "build")
    assert built.exit_code != 0
    assert not (project / "build/docx/panzhihua-2024-07.docx").exists()
    assert (project / "build/docx/kept.docx").read_bytes() == b"earlier build"


PLACED = """\
id: panzhihua-2024-07
language: zh
title: 通知
issuer: panzhihua-ftu
date: 2024-04-18
background: |
  第一段。

  第二段。
background_tables:
  - {after: 3, rows: [[甲]]}
sections:
  - title: 安排
    text: 只有一段。
    tables:
      - {after: 2, rows: [[乙]]}
requirements:
  - text: 要求。
    deadline: 2024-05-01
    tables:
      - {after: 2, rows: [[丙]]}
attachments:
  - title: 回执
    table: {after: 1, rows: [[丁]]}
    tables:
      - {after: 1, rows: [[戊]]}
"""


def test_after_past_the_last_paragraph_is_an_error_naming_the_count(project):
    result = _check(project, PLACED)
    assert result.exit_code == 1
    past = "is past the end of the text this table goes with, which has"
    after = "or leave 'after' out to place the table after the last)"
    assert [line for line in result.stdout.splitlines() if ": error: " in line] == [
        f"{F}:11:13: error: 'after: 3' {past} 2 paragraphs (write 0 to 2, {after}",
        f"{F}:16:17: error: 'after: 2' {past} 1 paragraph (write 0 to 1, {after}",
        f"{F}:21:17: error: 'after: 2' {past} 1 paragraph (write 0 to 1, {after}",
        f"{F}:24:20: error: 'after' places a table among the paragraphs of its text, but an "
        "attachment's 'table' prints before its text: list it under 'tables:' to place it",
        f"{F}:26:17: error: 'after: 1' {past} no paragraphs (write 0, {after}",
    ]
    assert run(project, "build").exit_code == 1
    assert not (project / "build/docx/panzhihua-2024-07.docx").exists()


def test_after_places_a_table_from_before_the_first_paragraph_to_after_the_last(project, tmp_path):
    placed = (
        PLACED.replace("{after: 3,", "{after: 1,")
        .replace("{after: 2, rows: [[乙]]}", "{after: 1, rows: [[乙]]}")
        .replace("{after: 2, rows: [[丙]]}", "{after: 0, rows: [[丙]]}")
        .replace("    table: {after: 1, rows: [[丁]]}\n", "    text: 请填写。\n")
    )
    assert _check(project, placed).exit_code == 0
    built = run(project, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    shown = [text for _, text in blocks(tmp_path / "out/docx/panzhihua-2024-07.docx") if text.strip()]
    wanted = {"第一段。", "第二段。", "甲", "只有一段。", "乙", "丙", "一是要求。", "请填写。", "戊"}
    # 甲 after the first paragraph, 乙 after the last; 丙 (after: 0) before the
    # requirement's numbered paragraph; 戊 after the attachment's only paragraph
    assert [text for text in shown if text in wanted] == [
        "第一段。",
        "甲",
        "第二段。",
        "只有一段。",
        "乙",
        "丙",
        "一是要求。",
        "请填写。",
        "戊",
    ], shown


def test_overlapping_cells_are_an_error_at_the_later_cell(project):
    text = BAD_SPAN.replace(
        "      - [a, b, c]\n      - [d, {text: e, colspan: 3}]",
        "      - [a, {text: b, rowspan: 2}, c]\n      - [{text: d, colspan: 3}]",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert (
        "panzhihua-2024-07.yaml:10:10: error: this cell overlaps the cell at row 1, cell 2 in column 2"
        in result.output
    )


def test_a_cell_tagged_as_a_time_says_to_quote_it(project):
    # plain 1.50 and yes print as typed (test_values_as_typed.py); only an explicit tag types a time
    text = BAD_SPAN.replace(
        "      - [d, {text: e, colspan: 3}]", "      - [1.50, !!timestamp 2024-05-10 10:00:00, c]"
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert "panzhihua-2024-07.yaml:10:16: error: put a date with a time in quotes" in result.output


def test_a_table_file_that_is_missing_is_an_error_at_its_file_key(project):
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n",
        "  - file: attachments/gone.csv\n",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert "panzhihua-2024-07.yaml:8:11: error: table file 'attachments/gone.csv' not found" in result.output


def test_a_table_file_outside_an_attachments_folder_is_refused(project):
    write(project, "circulars/secret.csv", "a,b\n")
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n", "  - file: ../secret.csv\n"
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert "8:11: error: table '../secret.csv' is not in an attachments/ folder" in result.output


def test_a_csv_that_is_not_utf8_names_the_file_line_and_byte(project):
    write(project, "circulars/2024/attachments/gbk.csv", "序号,姓名\n".encode() + "1,张三\n".encode("gbk"))
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n",
        "  - file: attachments/gbk.csv\n",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert (
        "circulars/2024/attachments/gbk.csv:2:3: error: 'attachments/gbk.csv' is not UTF-8: byte 0xd5"
        in result.output
    )


def test_an_xlsx_cell_error_names_the_file_sheet_and_cell(project):
    path = project / "circulars/2024/attachments/bad.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.active.title = "表"
    book.active["A1"] = "合计"
    book.active["B1"] = "=1/0"
    book.save(path)
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n",
        "  - file: attachments/bad.xlsx\n",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    # openpyxl saves no result for a formula: the message says to save it in Excel first
    assert (
        "8:11: error: attachments/bad.xlsx, sheet '表', cell B1 holds a formula whose result was never saved"
        in result.output
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"PK\x03\x04 truncated",
            "'attachments/broken.xlsx' is not an Excel workbook (.xlsx) that can be read",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "'attachments/broken.xlsx' is an old .xls or a password",
        ),
    ],
)
def test_a_corrupt_workbook_is_one_clear_error(project, content, message):
    write(project, "circulars/2024/attachments/broken.xlsx", content)
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n",
        "  - file: attachments/broken.xlsx\n",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert f"8:11: error: {message}" in result.output
    assert "Traceback" not in result.output


def test_a_sheet_that_does_not_exist_lists_those_that_do(project, tmp_path):
    (project / "circulars/2024/attachments").mkdir(parents=True)
    results_workbook(project / "circulars/2024/attachments/results.xlsx")
    text = BAD_SPAN.replace(
        "  - rows:\n      - [a, b, c]\n      - [d, {text: e, colspan: 3}]\n",
        "  - file: attachments/results.xlsx\n    sheet: 汇总\n",
    )
    result = _check(project, text)
    assert result.exit_code == 1
    assert "has no sheet '汇总' (it has: 成绩)" in result.output


def test_rows_and_a_file_together_are_refused(project):
    text = BAD_SPAN.replace("  - rows:", "  - file: attachments/x.csv\n    rows:")
    result = _check(project, text)
    assert result.exit_code == 1
    assert (
        "8:5: error: give either 'file' or the table's rows, headings and header, not both" in result.output
    )


# --- the Word document ------------------------------------------------------------------


def test_every_table_in_the_word_document_has_the_source_grid(built):
    tables = document_tables(built)
    assert [docx_rows(table) for table in tables[: len(EXPECTED)]] == EXPECTED


def test_header_rows_repeat_and_no_row_breaks_across_a_page(built):
    tables = document_tables(built)
    first = tables[0].findall("w:tr", NS)
    assert [row.find("w:trPr/w:tblHeader", NS) is not None for row in first] == [True, True] + [False] * 5
    for table in tables[: len(EXPECTED)]:
        for row in table.findall("w:tr", NS):
            assert row.find("w:trPr/w:cantSplit", NS) is not None


def test_merges_widths_alignment_and_heights_are_word_properties(built):
    table = document_tables(built)[0]
    rows = table.findall("w:tr", NS)
    grid = [int(col.get(f"{{{W}}}w")) for col in table.findall("w:tblGrid/w:gridCol", NS)]
    total = sum(grid)
    assert abs(grid[0] - total * 0.10) <= 2 and abs(grid[1] - total * 0.30) <= 2
    spans = [tc.find("w:tcPr/w:gridSpan", NS) for tc in rows[0].findall("w:tc", NS)]
    assert [s.get(f"{{{W}}}val") if s is not None else None for s in spans] == [None, None, "2", None]
    merges = [tc.find("w:tcPr/w:vMerge", NS) for tc in rows[1].findall("w:tc", NS)]
    assert [m is not None for m in merges] == [True, True, False, False, True]  # under 序号, 项目, 备注
    jc = [tc.find("w:p/w:pPr/w:jc", NS) for tc in rows[2].findall("w:tc", NS)]
    assert [j.get(f"{{{W}}}val") if j is not None else None for j in jc] == [
        "center",
        None,
        None,
        None,
        "right",
    ]
    height = rows[6].find("w:trPr/w:trHeight", NS)
    assert height.get(f"{{{W}}}hRule") == "atLeast" and abs(int(height.get(f"{{{W}}}val")) - 680) <= 1


def test_a_caption_is_a_styled_paragraph_above_its_table(built):
    found = blocks(built / "build/docx/tables-2024-01.docx")
    captions = [text for name, text in found if name == "Table Caption"]
    assert captions == ["表1　比赛项目和名额", "表2　赛程"]
    texts = [text for _, text in found]
    assert texts.index("比赛项目和名额如下。") < texts.index("表1　比赛项目和名额") < texts.index("序号")


def test_a_wide_table_gets_a_landscape_page_with_the_same_footers(built):
    body = xml(built / "build/docx/tables-2024-01.docx", "word/document.xml")
    sections = body.findall(".//w:pPr/w:sectPr", NS) + body.findall("w:body/w:sectPr", NS)
    orients = [s.find("w:pgSz", NS).get(f"{{{W}}}orient") for s in sections]
    assert "landscape" in orients
    landscape = sections[orients.index("landscape")]
    portrait = sections[orients.index("landscape") - 1]
    size = landscape.find("w:pgSz", NS)
    assert (size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")) == ("16838", "11906")
    margins = landscape.find("w:pgMar", NS)
    # the portrait page turned: the binding edge (left, 28 mm) at the top
    assert margins.get(f"{{{W}}}top") == "1587" and margins.get(f"{{{W}}}left") == "1984"
    footers = lambda s: sorted(f.get(f"{{{W}}}type") for f in s.findall("w:footerReference", NS))  # noqa: E731
    assert footers(landscape) == footers(portrait) == ["default", "even"]
    # the landscape table fills the turned page's width
    table = document_tables(built)[1]
    assert int(table.find("w:tblPr/w:tblW", NS).get(f"{{{W}}}w")) == 16838 - 1984 - 2098


def test_libreoffice_reads_the_same_rows_columns_and_merges(built, tmp_path):
    read = libreoffice_tables(built / "build/docx/tables-2024-01.docx", tmp_path)
    assert read[: len(EXPECTED)] == EXPECTED


def test_libreoffice_lays_the_wide_table_on_a_landscape_page(built, tmp_path):
    libreoffice_tables(built / "build/docx/tables-2024-01.docx", tmp_path)  # skips without LibreOffice
    pdf = to_pdf([built / "build/docx/tables-2024-01.docx"], tmp_path, built)[0]
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "20", str(pdf)], capture_output=True, text=True).stdout
    sizes = [
        line.split(":", 1)[1].split("pts")[0].strip()
        for line in info.splitlines()
        if line.startswith("Page") and "size" in line
    ]
    assert any(size.startswith("841.") for size in sizes)  # a page wider than tall
    assert sizes[0].startswith("595.")


# --- the site --------------------------------------------------------------------------


def _page(root: Path):
    text = (root / "build/site/circulars/tables-2024-01/index.html").read_text(encoding="utf-8")
    return lxml_html.fromstring(text)


def test_the_site_shows_the_same_tables_inside_scroll_boxes(built):
    page = _page(built)
    tables = page.findall(".//table[@class='circular-table']")
    assert [html_rows(table) for table in tables] == EXPECTED
    for table in tables:
        assert "table-scroll" in table.getparent().get("class")
    first = tables[0]
    assert [len(section.findall("tr")) for section in first.findall("thead") + first.findall("tbody")] == [
        2,
        5,
    ]


def test_the_project_loads_the_file_tables_it_checked(built):
    project = load_project(built)
    circular = next(c for c in project.circulars if c.id == "tables-2024-01")
    csv_table = circular.sections[1].tables[0]
    assert grid_rows(csv_table.grid) == EXPECTED[2]
    assert csv_table.grid.header_rows == 1
    xlsx = circular.attachments[1].file_table.grid
    assert xlsx.header_rows == 2 and xlsx.widths[0] > xlsx.widths[1]  # column A was made wider


def test_on_a_phone_the_table_scrolls_and_the_page_does_not(built, tmp_path):
    need_chromium()
    page_file = built / "build/site/circulars/tables-2024-01/index.html"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(page_file.as_uri())
        page_width = page.evaluate("document.documentElement.scrollWidth")
        boxes = page.evaluate(
            "[...document.querySelectorAll('.table-scroll')].map(b => [b.scrollWidth, b.clientWidth, "
            "b.getBoundingClientRect().right])"
        )
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        print(tmp_path / "phone.png")
    assert page_width <= 375
    assert all(right <= 375 for _, _, right in boxes)
    wide = boxes[1]  # the ten-column programme
    assert wide[0] > wide[1]  # wider than its box: it scrolls inside it
