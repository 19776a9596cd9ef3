"""Tables in a circular: their YAML format, and the grid every output lays out.

A table is written in YAML as rows of cells, a cell spanning columns or rows
with `colspan`/`rowspan` (HTML's rule: a row leaves out the places a cell above
already fills), or read from a CSV or XLSX file (table_files.py). Either way it
becomes one `Grid`, each cell placed at its column; the renderer writes the grid
as an HTML table that the site shows and the Word writer lays out.

Placing the cells is where spans are checked, at check time: a span that
overlaps another cell or runs past the table's edge is an error at that cell's
line and column, and a table file is read then too, so that nothing is built
from a table that cannot be laid out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    model_validator,
)

from ..i18n import _
from .base import MODEL_CONFIG, CellText, Flag, Text, as_typed
from .type_sizes import TypeSize, points

Align = Literal["left", "center", "right"]

MAX_COLUMNS = 63
"""Word's limit: a table of more columns does not open."""

TABLE_FILE_SUFFIXES = (".csv", ".xlsx")

_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)\s*(mm|cm|%)$")
Length = Annotated[str, StringConstraints(pattern=_LENGTH.pattern)]
"""A length: millimetres (25mm), centimetres (2.5cm) or a share of the text width (20%)."""
Height = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?\s*(mm|cm)$")]
"""A row's least height: millimetres (12mm) or centimetres (1.2cm)."""


def millimetres(length: str) -> float | None:
    """A length in mm; None for a share of the width (20%)."""
    number, unit = _LENGTH.match(length).groups()
    return None if unit == "%" else float(number) * (10 if unit == "cm" else 1)


def _cell_value(value: Any) -> Any:
    """A cell as typed: text, nothing (a blank to fill in), or what the YAML reader
    typed only when its text reads back the same (true, 12, 0.75, 2024-04-18)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # only with an explicit !!timestamp tag
        raise ValueError(_("put a date with a time in quotes, written as it should print"))
    return "" if value is None else as_typed(value)


class TableModel(BaseModel):
    model_config = MODEL_CONFIG


class Cell(TableModel):
    """A cell that spans columns or rows, or is aligned on its own."""

    text: CellText = ""
    """The cell's text; leave it out for a blank to fill in."""
    colspan: Annotated[int, Field(ge=1, le=MAX_COLUMNS)] = 1
    """How many columns the cell covers (merged across)."""
    rowspan: Annotated[int, Field(ge=1)] = 1
    """How many rows the cell covers (merged down); the rows below leave its place out."""
    align: Align | None = None
    """left, center or right; defaults to the column's alignment."""


def _cell_tag(value: Any) -> str:
    return "cell-mapping" if isinstance(value, dict | Cell) else "cell-text"


# Tagged unions, so that a bad cell gets one message about what it is, not one per
# alternative; validation.py leaves the tags out of the path it locates.
CellValue = Annotated[
    Annotated[CellText, Tag("cell-text")] | Annotated[Cell, Tag("cell-mapping")],
    Discriminator(_cell_tag),
    BeforeValidator(_cell_value),
]
"""Text (or a number), "" or nothing for a blank cell, or {text, colspan, rowspan, align}."""


class Row(TableModel):
    """A row written as a mapping, to give it a least height (lines of a form to write on)."""

    cells: list[CellValue]
    height: Height | None = None
    """The row's least height, e.g. 12mm."""


def _row_tag(value: Any) -> str:
    return "row-mapping" if isinstance(value, dict | Row) else "cell-list"


RowValue = Annotated[
    Annotated[list[CellValue], Tag("cell-list")] | Annotated[Row, Tag("row-mapping")],
    Discriminator(_row_tag),
]
"""A list of cells, or {cells: [...], height: 12mm}."""
UNION_TAGS = ("cell-text", "cell-mapping", "cell-list", "row-mapping")


class Column(TableModel):
    """A column: its heading, width and alignment."""

    title: Text | None = None
    """The column's heading, when the table has one header row."""
    width: Length | None = None
    """25mm, 2.5cm or 20% of the text width; columns without share what is left."""
    align: Align | None = None
    """left, center or right for the column's body cells (the header keeps its own)."""
    header_align: Align | None = None
    """left, center or right for the column's header cells; centred by default."""


def _column(value: Any) -> Any:
    return {"title": value} if isinstance(value, str | int | date) else value


ColumnValue = Annotated[Column, BeforeValidator(_column, json_schema_input_type=Text | Column)]


class Table(TableModel):
    """A table: rows of cells written here, or a CSV or XLSX file."""

    caption: Text | None = None
    """The table's title, printed above it, e.g. 表1　参会人员名单."""
    columns: list[ColumnValue] = []
    """The columns, left to right: a heading each, or {title, width, align}."""
    header: list[RowValue] = []
    """Header rows, when one row of column titles is not enough (cells may span);
    they repeat at the top of every page the table runs onto."""
    rows: list[RowValue] = []
    """The body rows: lists of cells."""
    file: str | None = None
    """A .csv (UTF-8) or .xlsx file in an attachments/ folder, relative to this YAML file,
    read instead of `rows`; an XLSX file's merged cells span."""
    sheet: Text | None = None
    """The XLSX sheet to read; defaults to the first."""
    header_rows: Annotated[int, Field(ge=0)] | None = None
    """How many of the file's first rows are the header; default 1."""
    landscape: Flag = False
    """Print the table on a landscape page of its own, for a wide table; an attachment's
    附件 mark and title go onto that page with it."""
    font_size: TypeSize | None = None
    """The size of the table's text: 小四 (the default), 四号, 五号, 4号, 小4, or 10.5pt;
    lines are set at 1.25 times the size, off the body's line grid."""
    after: Annotated[int, Field(ge=0)] | None = None
    """Place the table after this paragraph of the text it goes with (0: before the
    first, at most its number of paragraphs); by default after the last."""

    _grid: Grid | None = PrivateAttr(default=None)  # as `circulars check` laid it out

    @model_validator(mode="after")
    def _one_source(self) -> Table:
        titled = any(column.title is not None for column in self.columns)
        if self.file is not None:
            if self.rows or self.header or titled:
                raise ValueError(_("give either 'file' or the table's rows, headings and header, not both"))
            suffix = PurePosixPath(self.file).suffix.lower()
            if suffix not in TABLE_FILE_SUFFIXES:
                raise ValueError(
                    _("a table 'file' is a .csv or .xlsx file, not '{value}'").format(
                        value=suffix or self.file
                    )
                )
            if self.sheet is not None and suffix != ".xlsx":
                raise ValueError(_("'sheet' is for an .xlsx file"))
        else:
            if self.sheet is not None or self.header_rows is not None:
                raise ValueError(_("'sheet' and 'header_rows' are for a table read from a 'file'"))
            if titled and self.header:
                raise ValueError(_("give the headings either as column titles or as 'header' rows, not both"))
            if not (self.rows or self.header or titled):
                raise ValueError(_("a table needs 'rows', a 'header', column titles or a 'file'"))
        if len(self.columns) > MAX_COLUMNS:
            raise ValueError(
                _("a table has at most {max_columns} columns (Word's limit)").format(max_columns=MAX_COLUMNS)
            )
        return self

    @property
    def grid(self) -> Grid:
        """The table laid out: as `circulars check` did (from its file, or from its
        rows), or else from its rows now."""
        if self._grid is not None:
            return self._grid
        if self.file is not None:
            raise RuntimeError(f"the table file '{self.file}' was not read: load the project first")
        grid, problems = layout(self)
        if problems:
            raise ValueError(problems[0][1])
        return grid

    def keep_grid(self, grid: Grid) -> None:
        """Keep the grid checked without problems, so that rendering does not lay it out again."""
        self._grid = grid


# --- the grid ------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    text: str
    column: int
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None


@dataclass(frozen=True)
class GridRow:
    cells: tuple[GridCell, ...]
    header: bool = False
    height: str | None = None


@dataclass(frozen=True)
class Grid:
    """A table laid out: every cell at its column, the header rows first."""

    columns: int
    rows: tuple[GridRow, ...]
    widths: tuple[str | None, ...] = ()
    caption: str | None = None
    landscape: bool = False
    font_size: float | None = None  # points; None: the table style's

    @property
    def header_rows(self) -> int:
        return sum(1 for row in self.rows if row.header)


@dataclass
class RowInput:
    """A row to place: its cells, and where each came from (a path for messages)."""

    cells: list[GridCell]  # column unset (0); colspan, rowspan, text, align as given
    paths: list[tuple]
    path: tuple
    header: bool = False
    height: str | None = None


Problem = tuple[tuple, str]  # (where, message); `where` is a path the caller can locate


def place(rows: list[RowInput], columns: int | None) -> tuple[list[GridRow], int, list[Problem]]:
    """Put each cell at its column, skipping places covered by a rowspan above.

    The width is `columns`, or else what the first row fills. Returns the rows,
    the width and the problems: spans past the edge, cells over one another,
    rows too short or too long, a header cell reaching into the body.
    """
    problems: list[Problem] = []
    if columns is None:
        columns = sum(cell.colspan for cell in rows[0].cells) if rows else 0
    covered: dict[tuple[int, int], tuple] = {}  # (row, column) → path of the cell covering it
    header_count = sum(1 for row in rows if row.header)
    placed: list[GridRow] = []
    for r, row in enumerate(rows):
        column, cells, before = 0, [], len(problems)
        end = header_count if row.header else len(rows)
        for cell, path in zip(row.cells, row.paths, strict=True):
            while (r, column) in covered:
                column += 1
            if column >= columns:
                problems.append(
                    (
                        path,
                        _("this cell is in column {column}, but the table has {columns}").format(
                            column=column + 1, columns=columns
                        ),
                    )
                )
                break
            last = column + cell.colspan - 1
            if last >= columns:
                problems.append(
                    (
                        path,
                        _("this cell spans columns {first} to {last}, but the table has {columns}").format(
                            first=column + 1, last=last + 1, columns=columns
                        ),
                    )
                )
            if r + cell.rowspan > end:
                if row.header:
                    message = _("this cell spans {rowspan} rows, but only {left} header rows are left")
                else:
                    message = _("this cell spans {rowspan} rows, but only {left} rows are left")
                problems.append((path, message.format(rowspan=cell.rowspan, left=end - r)))
            problems += _cover(covered, path, r, range(column, min(last, columns - 1) + 1), cell.rowspan)
            cells.append(
                GridCell(
                    cell.text,
                    column,
                    min(cell.colspan, columns - column),
                    min(cell.rowspan, end - r),
                    cell.align,
                )
            )
            column = last + 1
        filled = sum(1 for c in range(columns) if (r, c) in covered)
        if filled < columns and len(problems) == before:
            problems.append(
                (
                    row.path,
                    _(
                        'this row fills {filled} of the table\'s {columns} columns: add blank cells ("")'
                    ).format(filled=filled, columns=columns),
                )
            )
        placed.append(GridRow(tuple(cells), row.header, row.height))
    return placed, columns, problems


def _cover(covered: dict, path: tuple, row: int, columns: range, rowspan: int) -> list[Problem]:
    """Mark the places a cell covers; a place already covered is an overlap."""
    for c in columns:
        for down in range(row, row + rowspan):
            if (down, c) in covered:
                return [
                    (
                        path,
                        _("this cell overlaps the cell at {where} in column {column}").format(
                            where=_where(covered[down, c]), column=c + 1
                        ),
                    )
                ]
    for c in columns:
        for down in range(row, row + rowspan):
            covered[(down, c)] = path
    return []


def _where(path: tuple) -> str:
    """How a message names another cell: 'header row 1, cell 2' or 'row 3, cell 1'."""
    numbers = [part for part in path if isinstance(part, int)]
    if len(numbers) >= 2:
        if "header" in path:
            return _("header row {row}, cell {cell}").format(row=numbers[-2] + 1, cell=numbers[-1] + 1)
        return _("row {row}, cell {cell}").format(row=numbers[-2] + 1, cell=numbers[-1] + 1)
    return _("a cell above")


def _row_input(value: Row | list, path: tuple, header: bool) -> RowInput:
    row = value if isinstance(value, Row) else Row(cells=value)
    base = (*path, "cells") if isinstance(value, Row) else path
    cells = [
        GridCell(cell, 0)
        if isinstance(cell, str)
        else GridCell(cell.text, 0, cell.colspan, cell.rowspan, cell.align)
        for cell in row.cells
    ]
    return RowInput(cells, [(*base, j) for j in range(len(cells))], path, header, row.height)


def layout(table: Table) -> tuple[Grid, list[Problem]]:
    """A table written in YAML, laid out; problems carry paths inside the table."""
    rows: list[RowInput] = []
    if any(column.title is not None for column in table.columns):
        titles = [GridCell(column.title or "", 0) for column in table.columns]
        rows.append(RowInput(titles, [("columns", j) for j in range(len(titles))], ("columns",), True))
    rows += [_row_input(row, ("header", i), True) for i, row in enumerate(table.header)]
    rows += [_row_input(row, ("rows", i), False) for i, row in enumerate(table.rows)]
    placed, columns, problems = place(rows, len(table.columns) or None)
    if columns > MAX_COLUMNS:
        problems.append(
            (
                (),
                _("the table has {columns} columns; Word tables hold at most {max_columns}").format(
                    columns=columns, max_columns=MAX_COLUMNS
                ),
            )
        )
    return finish(table, placed, columns), problems


def finish(table: Table, rows: list[GridRow], columns: int, widths: list[str | None] = ()) -> Grid:
    """The grid, with the columns' alignment given to cells that have none: `align`
    to the body's, `header_align` to the header's."""
    body = [column.align for column in table.columns] + [None] * columns
    head = [column.header_align for column in table.columns] + [None] * columns
    aligned = tuple(
        GridRow(
            tuple(_aligned(cell, (head if row.header else body)[cell.column]) for cell in row.cells),
            row.header,
            row.height,
        )
        for row in rows
    )
    given = [column.width for column in table.columns]
    widths = [
        given[i] if i < len(given) and given[i] else (widths[i] if i < len(widths) else None)
        for i in range(columns)
    ]
    size = points(table.font_size) if table.font_size else None
    return Grid(columns, aligned, tuple(widths), table.caption, table.landscape, size)


def _aligned(cell: GridCell, align: str | None) -> GridCell:
    if cell.align or not align:
        return cell
    return GridCell(cell.text, cell.column, cell.colspan, cell.rowspan, align)


def tables_in(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Table]]:
    """Every table in a circular (or any part of one), with its path; a CSV or XLSX
    attachment's table at the attachment's `file`."""
    if isinstance(value, Table):
        yield path, value
        return
    if isinstance(value, BaseModel):
        with_file, fields = _nesting(type(value))
        if with_file and isinstance(value.file_table, Table):
            yield (*path, "file"), value.file_table
        for name in fields:
            field = getattr(value, name)
            if isinstance(field, BaseModel | list):
                yield from tables_in(field, (*path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, BaseModel | list):
                yield from tables_in(item, (*path, i))


@functools.cache
def _nesting(model: type[BaseModel]) -> tuple[bool, tuple[str, ...]]:
    """Whether a model has a file's table, and which of its fields may hold a model
    or a list: the walk above skips the text, date and number fields, most of them."""
    fields = tuple(name for name, field in model.model_fields.items() if _may_nest(field.annotation))
    return hasattr(model, "file_table"), fields


def _may_nest(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _may_nest(get_args(annotation)[0])
    if origin is Literal:
        return False
    if origin is None:
        if isinstance(annotation, type):
            return issubclass(annotation, BaseModel | list | tuple)
        return True  # Any, a type variable, a forward reference: looked at as the walk goes
    if isinstance(origin, type) and issubclass(origin, list | tuple):
        return True
    return any(_may_nest(argument) for argument in get_args(annotation))  # a union, a dict
