"""Reading tables back: from a built .docx (its XML), from LibreOffice's reading of
it (converted to HTML, whose colspan/rowspan say what LibreOffice merged), and
from the model's grid, all in one shape to compare: rows of (text, colspan, rowspan)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx_reading import JOINER, NS, W
from lxml import etree
from lxml import html as lxml_html

from generator.source.tables import Grid

Cell = tuple[str, int, int]


def grid_rows(grid: Grid) -> list[list[Cell]]:
    return [[(cell.text, cell.colspan, cell.rowspan) for cell in row.cells] for row in grid.rows]


def docx_rows(table: etree._Element) -> list[list[Cell]]:
    """A w:tbl's rows as HTML would write them: a vMerge continuation is left out,
    its first cell's rowspan counts the rows it runs down."""
    rows, open_at = [], {}  # open_at: grid column → (row index, cell index) of its first cell
    for r, tr in enumerate(table.findall("w:tr", NS)):
        row, column = [], 0
        for tc in tr.findall("w:tc", NS):
            span_el = tc.find("w:tcPr/w:gridSpan", NS)
            span = int(span_el.get(f"{{{W}}}val")) if span_el is not None else 1
            merge = tc.find("w:tcPr/w:vMerge", NS)
            text = "".join(t.text or "" for t in tc.iter(f"{{{W}}}t")).replace(JOINER, "")
            if merge is not None and merge.get(f"{{{W}}}val") != "restart":
                first_row, first_cell = open_at[column]
                text0, span0, down = rows[first_row][first_cell]
                rows[first_row][first_cell] = (text0, span0, down + 1)
            else:
                row.append((text, span, 1))
                open_at[column] = (r, len(row) - 1)
            column += span
        rows.append(row)
    return rows


def html_rows(table) -> list[list[Cell]]:
    return [
        [
            (
                cell.text_content().strip().replace(JOINER, ""),
                int(cell.get("colspan", 1)),
                int(cell.get("rowspan", 1)),
            )
            for cell in tr
            if cell.tag in ("td", "th")
        ]
        for tr in table.iter("tr")
    ]


def libreoffice_tables(docx: Path, out: Path) -> list[list[list[Cell]]]:
    """The tables as LibreOffice reads the document (through its HTML export)."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    profile = out / "profile"
    subprocess.run(
        [
            program,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "html",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    page = lxml_html.parse(str(out / f"{docx.stem}.html")).getroot()
    return [html_rows(table) for table in page.iter("table")]
