"""Tables laid out as drafters set them, measured where it shows: in the Word XML
and in the PDF LibreOffice renders (templates/fonts.conf, read with PyMuPDF).

Table text in a size of its own, off the body's line grid; tall rows that run on
to the next page under the repeated header while short ones stay whole; a
column's alignment apart from its header's; columns without a width sharing
evenly; a caption's line break; a form row's height; a landscape table on the
page of its 附件 mark and title; space above a paragraph after a table in the
English layout; and bad sizes and widths as errors at their line and column.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import ORGANIZATIONS, PEOPLE, run, write
from docx_reading import NS, W, style, xml

from generator.docx.preview import to_pdf

pytest.importorskip("pymupdf")
import pymupdf
from pdf_reading import MM, read_pdf

LONG = "各区要引导符合条件的医师到基层医疗卫生机构参与家庭医生签约服务。" * 20  # 620 characters
SHORT = "市卫生健康委"
WRAPPED = "签约服务费由医保基金、公共卫生经费和签约居民付费等分担。" * 3

CHINESE = f"""\
id: layout-2024-01
language: zh
status: issued
title: 关于推进家庭医生签约服务的通知
issuer: panzhihua-ftu
number: 9
date: 2024-04-18
to: [geliping-park]
background: 现将任务分工印发给你们。
background_tables:
  - caption: "表1　任务分工\\n（2024年）"
    columns:
      - {{title: 序号, width: 10%, align: center}}
      - {{title: 主要内容, align: left, header_align: right}}
      - {{title: 牵头单位}}
    rows:
      - [1, {SHORT}, 各区政府]
      - [2, {SHORT}, 各区政府]
      - [3, {SHORT}, 各区政府]
      - [4, {LONG}, 各区政府]
      - [5, {SHORT}, 各区政府]
  - font_size: 五号
    columns: [事项, 说明]
    rows:
      - [签约服务费, {WRAPPED}]
      - {{cells: ["", ""], height: 20mm}}
attachments:
  - title: 分工明细表
    table:
      landscape: true
      columns: [日期, 上午, 下午, 晚上, 场地, 裁判, 记录, 颁奖, 备注, 联系人]
      rows:
        - [5月1日, 拔河, 跳绳, 联欢, 体育馆, 张三, 李四, 王五, 无, 赵六]
"""

ENGLISH = """\
id: layout-2024-02-en
language: en
status: issued
title: Delegates to the conference
issuer: panzhihua-ftu
date: 2024-04-18
to: [geliping-park]
background: |
  The delegates are listed below.

  Please confirm by 30 April.
background_tables:
  - after: 1
    columns: [Branch, Delegates]
    rows:
      - [North, "2"]
      - [South, "3"]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("table-layout")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    write(root, "circulars/2024/layout-2024-01.yaml", CHINESE)
    write(root, "circulars/2024/layout-2024-02-en.yaml", ENGLISH)
    result = run(root, "build", "-j", "1", "layout-2024-01", "layout-2024-02-en")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def pdfs(project):
    documents = [project / f"build/docx/{name}.docx" for name in ("layout-2024-01", "layout-2024-02-en")]
    made = to_pdf(documents, project / "pdf", project)
    if not made:
        pytest.skip("LibreOffice is not installed")
    return {pdf.stem: pdf for pdf in made}


def tables(project, name="layout-2024-01"):
    return xml(project / f"build/docx/{name}.docx", "word/document.xml").findall(".//w:tbl", NS)


def value(element, path: str, name: str = "val") -> str | None:
    found = element.find(path, NS)
    return None if found is None else found.get(f"{{{W}}}{name}")


def vertical_rules(pdf, number: int) -> list[float]:
    """The x (mm) of the table's vertical borders on a page."""
    with pymupdf.open(pdf) as document:
        drawings = document[number - 1].get_drawings()
    return sorted(
        {
            round(d["rect"].x0 * MM, 1)
            for d in drawings
            if d["rect"].width * MM < 1 and d["rect"].height * MM > 3
        }
    )


# --- Word --------------------------------------------------------------------------


def test_table_text_is_set_off_the_body_grid_at_an_exact_line(project):
    docx = project / "build/docx/layout-2024-01.docx"
    text = style(docx, "Table Text")
    assert value(text, "w:pPr/w:snapToGrid") == "0"
    assert value(text, "w:pPr/w:spacing", "lineRule") == "exact"
    assert value(text, "w:pPr/w:spacing", "line") == "300"  # 15 pt for 小四's 12 pt
    assert value(text, "w:rPr/w:sz") == "24"


def test_a_table_of_its_own_size_sets_each_paragraph_and_run(project):
    small = tables(project)[1]
    for paragraph in small.iter(f"{{{W}}}p"):
        assert value(paragraph, "w:pPr/w:spacing", "line") == str(round(10.5 * 20 * 1.25))
        assert value(paragraph, "w:pPr/w:spacing", "lineRule") == "exact"
    sizes = {value(run, "w:rPr/w:sz") for run in small.iter(f"{{{W}}}r")}
    assert sizes == {"21"}  # 五号, in half-points
    first = tables(project)[0]
    assert all(run.find("w:rPr/w:sz", NS) is None for run in first.iter(f"{{{W}}}r"))  # the style's


def test_a_tall_row_may_break_and_short_rows_stay_whole(project):
    rows = tables(project)[0].findall("w:tr", NS)
    whole = [row.find("w:trPr/w:cantSplit", NS) is not None for row in rows]
    assert whole == [True, True, True, True, False, True]  # the header, 1–3, the tall 4, 5
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None


def test_a_columns_alignment_is_its_body_cells_and_the_header_keeps_its_own(project):
    rows = tables(project)[0].findall("w:tr", NS)
    aligns = [[value(tc, "w:p/w:pPr/w:jc") for tc in row.findall("w:tc", NS)] for row in rows]
    assert aligns[0] == [None, "right", None]  # the header: centred by its style, but 主要内容
    assert all(row == ["center", "left", None] for row in aligns[1:])


def test_columns_without_a_width_share_the_rest_evenly(project):
    grid = [int(col.get(f"{{{W}}}w")) for col in tables(project)[0].findall("w:tblGrid/w:gridCol", NS)]
    assert abs(grid[0] - sum(grid) * 0.10) <= 2
    assert abs(grid[1] - grid[2]) <= 2  # 620 characters and 4 share alike


def test_a_caption_keeps_its_line_break(project):
    body = xml(project / "build/docx/layout-2024-01.docx", "word/document.xml")
    captions = [
        p for p in body.iter(f"{{{W}}}p") if (value(p, "w:pPr/w:pStyle") or "").startswith("TableCaption")
    ]
    assert len(captions) == 1
    texts = [
        "\n" if node.tag == f"{{{W}}}br" else node.text
        for node in captions[0].iter(f"{{{W}}}t", f"{{{W}}}br")
    ]
    assert "".join(texts) == "表1　任务分工\n（2024年）"


def test_the_landscape_table_takes_its_attachment_mark_and_title_onto_its_page(project):
    body = xml(project / "build/docx/layout-2024-01.docx", "word/document.xml").find("w:body", NS)
    children = list(body)
    breaks = [i for i, child in enumerate(children) if child.find("w:pPr/w:sectPr", NS) is not None]
    label = next(i for i, c in enumerate(children) if value(c, "w:pPr/w:pStyle") == "AttachmentLabel")
    turned = [i for i in breaks if value(children[i], "w:pPr/w:sectPr/w:pgSz", "orient") == "landscape"]
    landscape = turned[0]
    portrait = breaks[breaks.index(landscape) - 1]
    assert portrait < label < landscape  # after the portrait section's end: on the turned page
    assert value(children[label], "w:pPr/w:pageBreakBefore") == "0"  # the section break starts it


def test_a_paragraph_after_a_table_has_space_above_in_the_english_layout(project):
    body = xml(project / "build/docx/layout-2024-02-en.docx", "word/document.xml").find("w:body", NS)
    children = list(body)
    after = children[next(i for i, c in enumerate(children) if c.tag == f"{{{W}}}tbl") + 1]
    assert "".join(t.text for t in after.iter(f"{{{W}}}t")) == "Please confirm by 30 April."
    assert value(after, "w:pPr/w:spacing", "before") == "120"  # Normal's space after


# --- the PDF LibreOffice renders ------------------------------------------------------


def test_table_lines_are_their_own_size_at_one_and_a_quarter_pitch(pdfs):
    pages = read_pdf(pdfs["layout-2024-01"])
    for text, size in ((LONG[:10], 12.0), (WRAPPED[:10], 10.5)):
        page = next(p for p in pages if any(text in line.text for line in p.lines))
        start = next(i for i, line in enumerate(page.lines) if text in line.text)
        lines = [line for line in page.lines[start : start + 3] if abs(line.size - size) < 0.1]
        assert len(lines) == 3, [line.text for line in page.lines[start : start + 3]]
        pitches = [b.baseline - a.baseline for a, b in itertools.pairwise(lines)]
        # 15 pt and 13.1 pt, where on the body's grid each took 28.9 pt
        assert all(abs(pitch - size * 1.25 / 72 * 25.4) < 0.2 for pitch in pitches), pitches


def test_the_tall_row_runs_on_to_the_next_page_under_the_repeated_header(pdfs):
    pages = read_pdf(pdfs["layout-2024-01"])
    holding = [p.number for p in pages if "各区要引导符合条件" in p.text]
    assert len(holding) >= 2 and holding == list(range(holding[0], holding[0] + len(holding)))
    first = pages[holding[0] - 1]
    assert SHORT in first.text  # it starts under rows 1–3, not on a page of its own
    for number in holding:
        assert "主要内容" in pages[number - 1].text  # the header on every page


def test_the_header_and_the_body_of_a_column_align_apart(pdfs):
    pages = read_pdf(pdfs["layout-2024-01"])
    page = next(p for p in pages if "主要内容" in p.text)
    rules = vertical_rules(pdfs["layout-2024-01"], page.number)
    left, right = rules[1], rules[2]  # 主要内容 between the second and third border
    header = page.find("主要内容")
    _, header_right = header.span("主要内容")
    body = [line.span(SHORT)[0] for line in page.lines if SHORT in line.text]
    assert body and right - header_right < 3  # the header right, one cell margin in
    assert all(start - left < 3 for start in body)  # the cells left


def test_a_form_row_keeps_its_height(pdfs):
    pages = read_pdf(pdfs["layout-2024-01"])
    page = next(p for p in pages if WRAPPED[-10:] in p.text)
    last = [line for line in page.lines if WRAPPED[-10:] in line.text][-1]
    below = sorted(rule.y for rule in page.rules if rule.y > last.bottom)
    assert abs((below[1] - below[0]) - 20) < 0.5, below


def test_the_attachment_mark_and_title_share_the_landscape_page(pdfs):
    pages = read_pdf(pdfs["layout-2024-01"])
    with pymupdf.open(pdfs["layout-2024-01"]) as document:
        landscape = {page.number + 1 for page in document if page.rect.width > page.rect.height}
    page = next(p for p in pages if any(line.text == "分工明细表" for line in p.lines))  # the title
    assert page.number in landscape
    assert "附件" in page.text and "联系人" in page.text and "赵六" in page.text


def test_a_paragraph_after_a_table_stands_clear_of_it_in_english(pdfs):
    page = read_pdf(pdfs["layout-2024-02-en"])[0]
    line = page.find("Pleaseconfirm")  # read_pdf keeps no spaces
    table_bottom = max(rule.y for rule in page.rules if rule.y < line.top)
    assert line.top - table_bottom > 2.0  # 6 pt of space and the line's own leading


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "where", "message"),
    [
        ("font_size: 大四", "11:16", "'大四' is not a type size: write one of 三号、小三、四号、小四"),
        (
            "font_size: 20pt",
            "11:16",
            "20pt is outside the sizes a table is set in: 7.5pt (六号) to 16pt (三号)",
        ),
        ("font_size: 12", "11:16", "write the size with its unit (12pt) or by its name (小四, 五号)"),
        (
            "columns: [{width: 100mm}, {width: 80mm}]",
            "11:14",
            "the column widths add up to 180 mm, wider than the page's 156 mm text width",
        ),
        (
            "font_size: 三号\n    rows: [[" + ", ".join(["a"] * 20) + "]]",
            "11:16",
            "20 columns of 三号 text need at least 173 mm, one character each, but the text width is 156 mm",
        ),
    ],
)
def test_a_size_or_widths_that_do_not_fit_are_errors_and_nothing_is_built(tmp_path, table, where, message):
    write(tmp_path, "circulars/organizations.yaml", ORGANIZATIONS)
    write(tmp_path, "circulars/people.yaml", PEOPLE)
    rows = "" if "rows:" in table else "\n    rows: [[a, b]]"
    text = CHINESE.split("background_tables:")[0] + f"background_tables:\n  - {table}{rows}\n"
    path = write(tmp_path, "circulars/2024/layout-2024-01.yaml", text)
    result = run(tmp_path, "build", "layout-2024-01")
    assert result.exit_code == 1
    assert f"{path.relative_to(tmp_path)}:{where}: error: {message}" in result.output, result.output
    assert not (tmp_path / "build/docx/layout-2024-01.docx").exists()
