"""Table files read safely and as Excel shows them (issue 25): a cell's link held to
the link rule, hidden rows and columns left out, numbers printed in their format,
and files that would cost huge work refused with the limit named, or read only
as far as their values go. Workbooks are made here with openpyxl; the bombs by
editing a small workbook's XML, as an attacker would."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import add_site, run, write
from docx_reading import NS, W, xml
from lxml import html as lxml_html
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from table_reading import docx_rows, grid_rows, html_rows

from generator.source.loading import load_project
from generator.source.number_formats import UnsupportedFormat, format_number, format_text

F = "circulars/2024/panzhihua-2024-07.yaml"

CIRCULAR = """\
id: panzhihua-2024-07
language: zh
title: 通知
issuer: panzhihua-ftu
date: 2024-04-18
background: 正文。
background_tables:
  - file: attachments/{name}
"""


def _check(project: Path, name: str, *paths: str):
    write(project, F, CIRCULAR.format(name=name))
    return run(project, "check", *paths)


def _grid(project: Path):
    loaded = load_project(project)
    assert not loaded.diagnostics.has_errors(), [d.message for d in loaded.diagnostics.errors]
    return loaded.source("panzhihua-2024-07").circular.background_tables[0].grid


def _save(book: Workbook, project: Path, name: str) -> Path:
    path = project / "circulars/2024/attachments" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _patch(path: Path, member: str, old: str, new: str) -> None:
    """Replace text in one member of a saved workbook, as a hand-edited file would."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    assert old.encode() in parts[member]
    parts[member] = parts[member].replace(old.encode(), new.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _book(*rows) -> Workbook:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    return book


# --- links (item 1) ------------------------------------------------------------------

BAD_LINKS = [
    "javascript:window.__x=1",
    "//evil.example.com/share/x.docx",
    "/etc/passwd",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD_LINKS)
def test_a_bad_link_in_an_xlsx_cell_is_an_error_naming_the_cell(project, url):
    _save(_book(["名称", "链接"], ["资料", f"[js]({url})"]), project, "links.xlsx")
    result = _check(project, "links.xlsx")
    assert result.exit_code == 1
    assert (
        f"panzhihua-2024-07.yaml:8:11: error: attachments/links.xlsx, sheet 'Sheet', cell B2: "
        f"link target '{url}' is not allowed" in result.output
    )
    assert run(project, "build").exit_code != 0
    assert not (project / "build/docx/panzhihua-2024-07.docx").exists()


@pytest.mark.parametrize("url", BAD_LINKS)
def test_a_bad_link_in_a_csv_cell_is_an_error_at_its_line(project, url):
    write(project, "circulars/2024/attachments/links.csv", f'名称,链接\n资料,"a\nb"\n资料,[js]({url})\n')
    result = _check(project, "links.csv")
    assert result.exit_code == 1
    assert (
        f"attachments/links.csv:4:1: error: attachments/links.csv, row 3, column 2: "
        f"link target '{url}' is not allowed" in result.output
    )


def test_check_file_reports_the_errors_in_the_table_files_it_names(project):
    write(project, "circulars/2024/attachments/links.csv", "名称,链接\n资料,[js](javascript:window.__x=1)\n")
    write(project, "circulars/2024/attachments/gbk.csv", "序号,姓名\n".encode() + "1,张三\n".encode("gbk"))
    result = _check(project, "links.csv", str(project / F))
    assert result.exit_code == 1
    assert (
        "attachments/links.csv:2:1: error: attachments/links.csv, row 2, column 2: link target"
        in result.output
    )
    write(project, F, CIRCULAR.format(name="gbk.csv"))
    result = run(project, "check", str(project / F))
    assert result.exit_code == 1
    assert "attachments/gbk.csv:2:3: error: 'attachments/gbk.csv' is not UTF-8" in result.output
    # another circular's file is not this one's business
    write(project, "circulars/2024/other.yaml", CIRCULAR.replace("panzhihua-2024-07", "panzhihua-2024-08"))
    write(project, F, CIRCULAR.replace("background_tables:\n  - file: attachments/{name}\n", ""))
    result = run(project, "check", str(project / F))
    assert "gbk.csv" not in result.output


# --- what a file prints: links, hidden rows and columns, number formats (items 1, 4, 5) ---

FORMATS = [  # value, format, as Excel shows it
    (95, '0"%"', "95%"),
    (95, "0\\%", "95%"),
    (0.95, "0%", "95%"),
    (12.34, '0.0"万元"', "12.3万元"),
    (1234567.891, "#,##0.00", "1,234,567.89"),
    (1.25, "[h]:mm", "30:00"),
    (45400, 'yyyy"年"m"月"d"日"', "2024年4月18日"),
    (45400.5, "yyyy-mm-dd hh:mm", "2024-04-18 12:00"),
    (-5, "0.00;(0.00)", "(5.00)"),
    (0, '0;-0;"—"', "—"),
    (8123456, "000-0000", "812-3456"),
    (3.1, "0.0#", "3.1"),
]


def _shown_workbook() -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in [
        ["姓名", "身份证号", "单位", "资料"],
        ["张三", "510402199001011234", "甲厂工会", "[通知](https://example.org/a?b=1)"],
        ["李四", "510402199202022345", "乙厂工会", "<b>{{ 7*7 }}</b>"],
        ["王五", "510402199303033456", "丙厂工会", "*重点*"],
    ]:
        sheet.append(row)
    sheet.column_dimensions["B"].hidden = True
    sheet.row_dimensions[3].hidden = True
    values = book.create_sheet("格式")
    values.append(["数值", "显示", "隐藏"])
    for value, number_format, _shown in FORMATS:
        values.append([value, number_format, value])
        values.cell(values.max_row, 1).number_format = number_format
        values.cell(values.max_row, 3).number_format = ";;;"
    return book


SHOWN = """\
id: panzhihua-2024-07
language: zh
status: issued
title: 通知
issuer: panzhihua-ftu
number: 8
date: 2024-04-18
to: [geliping-park]
background: 正文。
background_tables:
  - file: attachments/shown.xlsx
  - file: attachments/shown.xlsx
    sheet: 格式
"""


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> Path:
    from conftest import ORGANIZATIONS, PEOPLE

    root = tmp_path_factory.mktemp("shown")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    write(root, F, SHOWN)
    _save(_shown_workbook(), root, "shown.xlsx")
    add_site(root)
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root


NAMES = [["姓名", "单位", "资料"], ["张三", "甲厂工会", "通知"], ["王五", "丙厂工会", "重点"]]


def _texts(rows) -> list[list[str]]:
    return [[text for text, _colspan, _rowspan in row] for row in rows]


def test_hidden_rows_and_columns_are_not_in_word_or_on_the_site(shown):
    tables = xml(shown / "build/docx/panzhihua-2024-07.docx", "word/document.xml").findall(".//w:tbl", NS)
    page = (shown / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    html_tables = lxml_html.fromstring(page).findall(".//table[@class='circular-table']")
    assert _texts(docx_rows(tables[0])) == NAMES
    assert _texts(html_rows(html_tables[0])) == NAMES
    for hidden in ("身份证号", "510402199001011234", "李四", "乙厂工会"):
        assert hidden not in page
        assert all(hidden not in "".join(t.text or "" for t in table.iter(f"{{{W}}}t")) for table in tables)


def test_links_and_markup_from_a_file_print_as_from_yaml(shown):
    docx = shown / "build/docx/panzhihua-2024-07.docx"
    links = xml(docx, "word/document.xml").findall(".//w:tbl//w:hyperlink", NS)
    assert ["".join(t.text for t in link.iter(f"{{{W}}}t")) for link in links] == ["通知"]
    page = lxml_html.fromstring(
        (shown / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    )
    table = page.findall(".//table[@class='circular-table']")[0]
    assert [a.get("href") for a in table.iter("a")] == ["https://example.org/a?b=1"]
    assert [em.text for em in table.iter("em")] == ["重点"]


def test_numbers_print_as_excel_shows_them_in_word_and_on_the_site(shown):
    expected = [["数值", "显示", "隐藏"]] + [[text, code, ""] for _value, code, text in FORMATS]
    tables = xml(shown / "build/docx/panzhihua-2024-07.docx", "word/document.xml").findall(".//w:tbl", NS)
    page = (shown / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    html_tables = lxml_html.fromstring(page).findall(".//table[@class='circular-table']")
    assert _texts(docx_rows(tables[1])) == expected
    assert _texts(html_rows(html_tables[1])) == expected


@pytest.mark.parametrize(("value", "code", "text"), FORMATS)
def test_the_formatter_gives_what_excel_shows(value, code, text):
    assert format_number(value, code) == text


def test_text_under_a_format_takes_its_fourth_section():
    assert format_text("机密", ";;;") == ""
    assert format_text("甲厂", '0;-0;0;"单位："@') == "单位：甲厂"
    assert format_text("甲厂", "0.00") == "甲厂"


@pytest.mark.parametrize("code", ["0.00E+00", "# ?/?", "[>100]0;0", "[DBNum1]0"])
def test_a_format_it_cannot_print_is_refused(code):
    with pytest.raises(UnsupportedFormat):
        format_number(12.5, code)


def test_a_cell_in_an_unsupported_format_is_an_error_naming_the_cell(project):
    book = _book(["项目", "数值"], ["产值", 12345.678])
    book.active["B2"].number_format = "0.00E+00"
    _save(book, project, "science.xlsx")
    result = _check(project, "science.xlsx")
    assert result.exit_code == 1
    assert (
        "error: attachments/science.xlsx, sheet 'Sheet', cell B2 has the number format '0.00E+00', "
        "which the tool cannot print as Excel shows it" in result.output
    )


# --- files that would cost huge work (item 3) -----------------------------------------


def _bordered(sheet, reference: str) -> None:
    thin = Side(style="thin")
    sheet[reference].border = Border(left=thin, right=thin, top=thin, bottom=thin)


@pytest.mark.parametrize("far", ["XFD1048576", "B1048576", "XFD1"])
def test_a_far_bordered_empty_cell_is_formatting_not_table(project, far):
    book = _book(["项目", "数值"], ["产值", 12])
    _bordered(book.active, far)
    _save(book, project, "far.xlsx")
    assert _check(project, "far.xlsx").exit_code == 0
    assert grid_rows(_grid(project)) == [[("项目", 1, 1), ("数值", 1, 1)], [("产值", 1, 1), ("12", 1, 1)]]


def test_a_forms_bordered_blank_rows_below_its_values_stay(project):
    book = _book(["姓名", "单位"])
    for row in (2, 3):
        for column in "AB":
            _bordered(book.active, f"{column}{row}")
    _bordered(book.active, "A5")  # a stray border after a gap is not a row of the form
    _save(book, project, "form.xlsx")
    assert _check(project, "form.xlsx").exit_code == 0
    assert _texts(grid_rows(_grid(project))) == [["姓名", "单位"], ["", ""], ["", ""]]


def test_a_merge_over_the_whole_sheet_is_refused_naming_the_limit(project):
    book = _book(["项目", "数值", "说明"], ["产值", 12, None])
    book.active.merge_cells("C1:D1")
    path = _save(book, project, "merged.xlsx")
    _patch(path, "xl/worksheets/sheet1.xml", 'ref="C1:D1"', 'ref="C1:XFD1048576"')
    result = _check(project, "merged.xlsx")
    assert result.exit_code == 1
    assert (
        "attachments/merged.xlsx, sheet 'Sheet': the merge C1:XFD1048576 is past column 63, "
        "the most a Word table holds" in result.output
    )


def test_a_merge_away_from_the_values_is_not_read(project):
    book = _book(["项目", "数值"], ["产值", 12])
    book.active.merge_cells("E5:F5")
    path = _save(book, project, "apart.xlsx")
    _patch(path, "xl/worksheets/sheet1.xml", 'ref="E5:F5"', 'ref="E5:XFD1048576"')
    assert _check(project, "apart.xlsx").exit_code == 0
    assert _grid(project).columns == 2 and len(_grid(project).rows) == 2


@pytest.mark.parametrize(
    ("cell", "limit"),
    [("A10001", "is past row 10,000, the most rows a table file may have"), ("BL1", "is past column 63")],
)
def test_a_value_past_the_limits_is_refused(project, cell, limit):
    book = _book(["项目"])
    book.active[cell] = "远处"
    _save(book, project, "value.xlsx")
    result = _check(project, "value.xlsx")
    assert result.exit_code == 1
    assert f"attachments/value.xlsx, sheet 'Sheet': cell {cell} {limit}" in result.output


def test_a_workbook_that_inflates_past_the_limit_is_refused_before_parsing(project):
    buffer = io.BytesIO()
    _book(["项目"]).save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(60 * 1024 * 1024))
    write(project, "circulars/2024/attachments/inflated.xlsx", buffer.getvalue())
    assert len(buffer.getvalue()) < 200_000  # a small file on disk
    result = _check(project, "inflated.xlsx")
    assert result.exit_code == 1
    assert (
        "'attachments/inflated.xlsx' inflates to 60 MB; a workbook may hold at most 50 MB uncompressed"
        in result.output
    )


def test_a_sheet_with_too_many_cells_is_refused(project):
    book = _book(["项目"])
    path = _save(book, project, "cells.xlsx")
    cells = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(2, 300_002))
    _patch(path, "xl/worksheets/sheet1.xml", "</row></sheetData>", f"</row>{cells}</sheetData>")
    result = _check(project, "cells.xlsx")
    assert result.exit_code == 1
    assert "sheet 'Sheet' holds more than 300,000 cells and rows" in result.output


def _shared_texts(path: Path, texts: list[str]) -> None:
    """Make cell A1 the first of a shared string table, as Excel saves text (openpyxl
    writes inline text)."""
    _patch(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="A1" t="inlineStr"><is><t>&#39033;&#30446;</t></is></c>',
        '<c r="A1" t="s"><v>0</v></c>',
    )
    table = "".join(f"<si><t>{text}</t></si>" for text in texts)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{table}</sst>')
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    relation = f'<Relationship Id="rIdTexts" Type="{kind}" Target="sharedStrings.xml"/></Relationships>'
    _patch(path, "xl/_rels/workbook.xml.rels", "</Relationships>", relation)
    content = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{content}"/></Types>'
    _patch(path, "[Content_Types].xml", "</Types>", override)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_shared_texts_are_read_and_too_many_are_refused(project):
    path = _save(_book(["项目"], ["产值"]), project, "texts.xlsx")
    _shared_texts(path, ["项目名称"])
    assert _check(project, "texts.xlsx").exit_code == 0
    assert _texts(grid_rows(_grid(project))) == [["项目名称"], ["产值"]]
    path = _save(_book(["项目"]), project, "texts.xlsx")
    _shared_texts(path, ["a"] * 250_001)
    result = _check(project, "texts.xlsx")
    assert result.exit_code == 1
    assert (
        "'attachments/texts.xlsx' holds 250,001 shared texts; a workbook may hold at most 200,000"
        in result.output
    )


@pytest.mark.parametrize(
    ("content", "limit"),
    [
        ("a\n" * 2_500_000, "has more than 10,000 rows, the most a table file may have"),
        ("a," * 64 + "\n", "has a row of 65 cells, past 63 columns"),
        (("a," * 19 + "a\n") * 6000, "has more than 100,000 cells, the most a table file may have"),
    ],
)
def test_a_csv_past_the_limits_is_refused(project, content, limit):
    write(project, "circulars/2024/attachments/big.csv", content)
    result = _check(project, "big.csv")
    assert result.exit_code == 1
    assert f"'attachments/big.csv' {limit}" in result.output


def test_a_merge_over_a_hidden_column_spans_only_what_is_shown(project):
    book = _book(["姓名", "联系方式", None, None], ["张三", "81085234", "510402199001011234", "甲厂"])
    book.active.merge_cells("B1:D1")
    book.active.column_dimensions["C"].hidden = True
    _save(book, project, "contacts.xlsx")
    assert _check(project, "contacts.xlsx").exit_code == 0
    assert grid_rows(_grid(project)) == [
        [("姓名", 1, 1), ("联系方式", 2, 1)],
        [("张三", 1, 1), ("81085234", 1, 1), ("甲厂", 1, 1)],
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('<row r="2">', '<row r="two">', "'attachments/damaged.xlsx': sheet 'Sheet' cannot be read"),
        ('<c r="A2"', '<c s="999" r="A2"', "'attachments/damaged.xlsx' cannot be read as an Excel workbook"),
    ],
)
def test_a_damaged_sheet_is_one_clear_error(project, old, new, message):
    path = _save(_book(["项目"], ["产值"]), project, "damaged.xlsx")
    _patch(path, "xl/worksheets/sheet1.xml", old, new)
    result = _check(project, "damaged.xlsx")
    assert result.exit_code == 1
    assert f"error: {message}" in result.output


@pytest.mark.parametrize(
    ("format_id", "shown"),
    [("14", "2024-04-18"), ("31", "2024年4月18日"), ("58", "4月18日"), ("32", "0时00分")],
)
def test_a_chinese_excels_built_in_date_formats_print_as_it_shows_them(project, format_id, shown):
    from datetime import date

    book = _book(["日期"], [date(2024, 4, 18)])
    book.active["A2"].number_format = "mm-dd-yy"  # built-in 14, the system's short date
    path = _save(book, project, "dates.xlsx")
    _patch(path, "xl/styles.xml", 'numFmtId="14"', f'numFmtId="{format_id}"')
    assert _check(project, "dates.xlsx").exit_code == 0
    assert _texts(grid_rows(_grid(project))) == [["日期"], [shown]]
