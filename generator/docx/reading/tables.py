"""A Word table as the YAML writes one: header rows, rows, merged cells as colspan/rowspan."""

from __future__ import annotations

from dataclasses import dataclass

from .blocks import Table


@dataclass
class Captioned:
    """A table with the caption paragraph printed above it (表1　……)."""

    table: Table
    caption: str


def table_fields(table: Table, caption: str | None = None) -> dict:
    """{caption?, header?, rows}: header rows are those Word repeats on each page."""
    grid = _positions(table)
    rowspans = _rowspans(table, grid)
    header: list = []
    rows: list = []
    for index, row in enumerate(table.rows):
        cells = []
        for position, cell in zip(grid[index], row.cells, strict=True):
            if cell.vmerge == "continue":
                continue  # covered by the cell above: a row leaves it out
            text = cell.text
            span = rowspans.get((index, position), 1)
            if cell.span > 1 or span > 1:
                value: dict = {"text": text}
                if cell.span > 1:
                    value["colspan"] = cell.span
                if span > 1:
                    value["rowspan"] = span
                cells.append(value)
            else:
                cells.append(text)
        (header if row.header and not rows else rows).append(cells)
    fields: dict = {}
    if caption:
        fields["caption"] = caption
    if header:
        fields["header"] = header
    fields["rows"] = rows
    return fields


def _positions(table: Table) -> list[list[int]]:
    """The grid column each cell starts at, row by row."""
    out = []
    for row in table.rows:
        column, starts = row.skip_before, []
        for cell in row.cells:
            starts.append(column)
            column += cell.span
        out.append(starts)
    return out


def _rowspans(table: Table, grid: list[list[int]]) -> dict[tuple[int, int], int]:
    """Rows a vertically merged cell covers, by (row, grid column) of its first cell."""
    spans = {}
    for index, row in enumerate(table.rows):
        for position, cell in zip(grid[index], row.cells, strict=True):
            if cell.vmerge != "restart":
                continue
            count = 1
            for below in range(index + 1, len(table.rows)):
                covered = next(
                    (c for p, c in zip(grid[below], table.rows[below].cells, strict=True) if p == position),
                    None,
                )
                if covered is None or covered.vmerge != "continue":
                    break
                count += 1
            spans[(index, position)] = count
    return spans
