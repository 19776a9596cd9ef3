"""The shipped 印发 notice with two big real tables (circulars/2023/gz-2023-1930,
穗卫函〔2023〕1930号), at full size in the PDF LibreOffice renders.

Its 19-row indicator table and 39-row 任务分工表 (merged cells, cells of up to
400 characters) took 62 pages when table text sat on the body's 28.9 pt line
grid and no row could break: most table pages held one row under the header.
Now the document keeps its pages full, and Word holds the original's grid.
"""

from __future__ import annotations

import pytest
from conftest import REPO
from docx_reading import NS, xml
from table_reading import docx_rows, grid_rows

from generator.docx.build import build_documents
from generator.docx.closing_page import settle
from generator.docx.preview import to_pdf
from generator.source.loading import load_project

pytest.importorskip("pymupdf")
from pdf_reading import BOTTOM, Page, read_pdf

ID = "gz-2023-1930"
# The commission's page: each table's <tr> rows, less its first (the 附件 mark and
# title, set as the attachment's), by its columns.
ORIGINAL = {"一级指标": (20, 5), "序号": (40, 7)}
TOP = 2098 * 25.4 / 1440  # the type area's top (mm): GB/T 9704's 37 mm margin
ONE_THIRD = (BOTTOM - TOP) / 3


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = load_project(REPO)
    out = tmp_path_factory.mktemp("big-tables")
    result = build_documents(project, [project.source(ID).circular], out, jobs=1)
    assert result.errors == []
    return project, out / f"{ID}.docx"


@pytest.fixture(scope="module")
def pages(built) -> list[Page]:
    made = to_pdf([built[1]], built[1].parent / "pdf", REPO)
    if not made:
        pytest.skip("LibreOffice is not installed")
    settle([(built[1], made[0])], REPO)  # the 版记 page, as the build's PDF step settles it
    return read_pdf(made[0])


def test_word_holds_each_table_with_the_originals_rows_and_columns(built):
    project, docx = built
    tables = {}
    for table in xml(docx, "word/document.xml").findall(".//w:tbl", NS):
        rows = docx_rows(table)
        tables[rows[0][0][0]] = rows
    circular = project.source(ID).circular
    for attachment, first in zip(circular.attachments, ORIGINAL, strict=True):
        rows = tables[first]
        assert rows == grid_rows(attachment.table.grid)  # every cell, span and merge as written
        assert (len(rows), sum(span for _, span, _ in rows[0])) == ORIGINAL[first]


def test_the_document_takes_at_most_half_its_old_pages(pages):
    # 62 with the table text on the body's grid and every row kept whole; 34 with
    # its long-text columns narrow and the 版记 on a page of its own
    assert len(pages) <= 31
    # the 版记 at the foot of the last table page, which keeps its number (§7.4, §7.5)
    last = pages[-1]
    assert "印发" in last.text and "主要内容" in last.text
    assert last.footer() is not None and last.footer().text == f"—{last.number}—"


def _content_bottom(page: Page) -> float:
    """How far down the type area the page is printed (mm): text or a table's rule."""
    bottoms = [line.bottom for line in page.lines if line.top < BOTTOM]
    bottoms += [rule.y for rule in page.rules if rule.y < BOTTOM]
    return max(bottoms, default=TOP)


def test_no_page_is_left_mostly_empty(pages):
    """Every page holds a third of a type area at least, but the last (the 版记), a
    blank page before it, and a page that ends a part (the plan, a table) before
    the next starts on a new page with its 附件 mark."""
    last = len(pages)
    ends = set()
    for page in pages[1:]:
        body = [line for line in page.lines if line.top < BOTTOM]
        starts_part = body and body[0].text.startswith("附件")
        if starts_part or not body or page.number == last:
            ends.add(page.number - 1)
    blank = {page.number for page in pages if not [line for line in page.lines if line.top < BOTTOM]}
    assert blank <= {last - 1}  # only the page before the 版记 may be blank
    for page in pages:
        if page.number in ends | blank | {last}:
            continue
        assert _content_bottom(page) - TOP >= ONE_THIRD, f"page {page.number}: {page.text[:40]}"


def test_the_task_table_runs_on_from_page_to_page_under_its_header(pages):
    holding = [page for page in pages if "主要内容" in page.text]
    assert len(holding) >= 2
    for page in holding:
        assert page.text.index("配合单位") < page.text.index("基层处")  # the header first
