"""Reading a table from a CSV or XLSX file, as the secretariat saved it.

A CSV file is UTF-8 (a byte that is not is an error naming the file, line and
byte); every row is a row, short rows are filled with blanks. An XLSX sheet is
read as Excel shows it: merged cells span, a number prints as its cell's format
says (1, 1.50, 90%, 2024-04-18), the columns keep their relative widths and
the cells their alignment. A cell holding an error (#DIV/0!) or a formula whose
result was never saved is an error naming the file and cell, since printing it
blank would lose what the sheet says.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..i18n import _
from .base import CellText
from .diagnostics import Position
from .files import FileProblem, read_regular
from .number_formats import UnsupportedFormat, format_number, format_text
from .tables import MAX_COLUMNS, GridCell, RowInput
from .xlsx_reading import SheetContents, WorkbookError, open_workbook, read_sheet

MAX_TABLE_FILE_BYTES = 5 * 1024 * 1024
"""The largest table file read: far above any table printed in a circular."""
MAX_TABLE_ROWS = 10_000
"""The most rows a table file may have: some 300 pages of a circular."""
MAX_TABLE_CELLS = 100_000
"""The most cells a table file may have (rows times columns)."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL_TEXT = TypeAdapter(CellText)
_ALIGN = {"left": "left", "center": "center", "centerContinuous": "center", "right": "right"}


class TableFileError(Exception):
    """A table file that cannot be read; `position` is where in a text file, if known."""

    def __init__(self, message: str, position: Position | None = None):
        super().__init__(message)
        self.position = position


@dataclass
class FileRows:
    """A file's rows, ready to place, and its columns' relative widths (XLSX)."""

    rows: list[RowInput]
    widths: list[str | None]


def read_table_file(path: Path, shown: str, header_rows: int | None, sheet: str | None) -> FileRows:
    """The rows of a .csv or .xlsx file; TableFileError says what is wrong, naming `shown`.

    Without `header_rows`, the header is the first row and the rows its merged
    cells run down into, as Word takes a merged heading."""
    try:
        raw = read_regular(path, MAX_TABLE_FILE_BYTES, _("a table file"))
    except FileProblem as problem:
        raise TableFileError(
            _("table file '{shown}' {message}").format(shown=shown, message=problem)
        ) from None
    if path.suffix.lower() == ".csv":
        rows, widths, where = _csv_table(raw, shown)
    else:
        rows, widths, where = _xlsx_rows(raw, shown, sheet)
    if not rows:
        raise TableFileError(_("table file '{shown}' holds no rows").format(shown=shown))
    if header_rows is None:
        header_rows = 1
        while header_rows < len(rows) and any(
            r + cell.rowspan > header_rows for r, row in enumerate(rows[:header_rows]) for cell in row
        ):
            header_rows = max(r + cell.rowspan for r, row in enumerate(rows[:header_rows]) for cell in row)
    if header_rows > len(rows):
        raise TableFileError(
            _("'header_rows' is {header_rows}, but '{shown}' has only {count} rows").format(
                header_rows=header_rows, shown=shown, count=len(rows)
            )
        )
    return FileRows(
        [
            RowInput(
                cells, [(place,) for place in places], (places[0] if places else shown,), r < header_rows
            )
            for r, (cells, places) in enumerate(zip(rows, where, strict=True))
        ],
        widths,
    )


# --- CSV -----------------------------------------------------------------------


def _csv_table(raw: bytes, shown: str):
    """The cells, no widths, and where each row is (for messages), of a CSV file."""
    texts, lines = _csv_rows(raw, shown)
    rows = []
    for r, (row, line) in enumerate(zip(texts, lines, strict=True)):
        try:
            rows.append(
                [
                    GridCell(_checked(text, f"{shown}, row {r + 1}, column {c + 1}"), 0)
                    for c, text in enumerate(row)
                ]
            )
        except TableFileError as error:  # reported at the row's line in the CSV file
            raise TableFileError(str(error), Position(line)) from None
    return rows, [], [[f"{shown}, row {r + 1}"] * len(row) for r, row in enumerate(texts)]


def _csv_rows(raw: bytes, shown: str) -> tuple[list[list[str]], list[int]]:
    """The rows, blank-filled to the widest, and the line each starts on."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        raise TableFileError(
            _("'{shown}' is not UTF-8: byte 0x{raw:02x} at byte {value}; save it as CSV UTF-8").format(
                shown=shown, raw=raw[error.start], value=error.start + 1
            ),
            Position(raw.count(b"\n", 0, error.start) + 1, column),
        ) from None
    text = text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte order mark
    bad = _XML_INVALID.search(text)
    if bad:
        before = text[: bad.start()]
        raise TableFileError(
            _("'{shown}' holds the character U+{ord:04X}, which cannot appear in a document").format(
                shown=shown, ord=ord(bad.group())
            ),
            Position(before.count("\n") + 1, bad.start() - before.rfind("\n")),
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, cells = [], [], 0
    try:
        for row in reader:
            cells += len(row)
            if len(row) > MAX_COLUMNS or cells > MAX_TABLE_CELLS or len(rows) >= MAX_TABLE_ROWS:
                if any(cell.strip() for cell in row):  # not an empty line an editor left at the end
                    raise TableFileError(_csv_limit(shown, row, len(rows), cells), Position(reader.line_num))
                continue
            lines.append(reader.line_num - _lines_in(row) + 1)
            rows.append(row)
    except csv.Error as error:
        raise TableFileError(
            _("'{shown}' is not a readable CSV file ({error})").format(shown=shown, error=error),
            Position(reader.line_num),
        ) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # the empty lines an editor leaves at the end
        lines.pop()
    width = max((len(row) for row in rows), default=0)
    if width * len(rows) > MAX_TABLE_CELLS:  # short rows are filled to the widest
        raise TableFileError(
            _(
                "'{shown}' has {count:,} rows of {width} columns, over {max_table_cells:,} cells, the most "
                "a table file may have"
            ).format(shown=shown, count=len(rows), width=width, max_table_cells=MAX_TABLE_CELLS)
        )
    return [[cell.strip() for cell in row] + [""] * (width - len(row)) for row in rows], lines


def _lines_in(row: list[str]) -> int:
    """How many lines a row took: a quoted cell may hold line breaks."""
    return 1 + sum(cell.count("\n") for cell in row)


def _csv_limit(shown: str, row: list[str], count: int, cells: int) -> str:
    if len(row) > MAX_COLUMNS:
        return _(
            "'{shown}' has a row of {count} cells, past {max_columns} columns, the most Word holds"
        ).format(shown=shown, count=len(row), max_columns=MAX_COLUMNS)
    if count >= MAX_TABLE_ROWS:
        return _("'{shown}' has more than {max_table_rows:,} rows, the most a table file may have").format(
            shown=shown, max_table_rows=MAX_TABLE_ROWS
        )
    return _("'{shown}' has more than {max_table_cells:,} cells, the most a table file may have").format(
        shown=shown, max_table_cells=MAX_TABLE_CELLS
    )


# --- XLSX ----------------------------------------------------------------------

# The built-in formats 27 to 58 are the reader's locale's; openpyxl knows only the
# English ones. A workbook saved in a Chinese Excel means these.
_CHINESE_FORMATS = {
    **dict.fromkeys((27, 36, 50, 52, 57), 'yyyy"年"m"月"'),
    **dict.fromkeys((28, 29, 51, 53, 54, 58), 'm"月"d"日"'),
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    **dict.fromkeys((34, 55), '上午/下午h"时"mm"分"'),
    **dict.fromkeys((35, 56), '上午/下午h"时"mm"分"ss"秒"'),
}


def _xlsx_rows(raw: bytes, shown: str, sheet_name: str | None):
    try:
        book = open_workbook(raw)
    except WorkbookError as error:
        raise TableFileError(f"'{shown}' {error}") from None
    try:
        names = book.sheetnames
        if sheet_name is not None and sheet_name not in names:
            raise TableFileError(
                _("'{shown}' has no sheet '{sheet_name}' (it has: {names})").format(
                    shown=shown, sheet_name=sheet_name, names=", ".join(names)
                )
            )
        tables = [sheet.title for sheet in book.worksheets]  # a chart sheet has no cells
        if sheet_name is not None and sheet_name not in tables:
            raise TableFileError(
                _("'{shown}': the sheet '{sheet_name}' is a chart, not a table of cells").format(
                    shown=shown, sheet_name=sheet_name
                )
            )
        if not tables:
            raise TableFileError(_("'{shown}' holds only charts, no sheet of cells").format(shown=shown))
        name = sheet_name or tables[0]
        sheet = book[name]
        try:
            contents = read_sheet(sheet, (MAX_TABLE_ROWS, MAX_COLUMNS))
        except WorkbookError as error:
            raise TableFileError(f"'{shown}': {error}") from None
        try:
            return _SheetTable(book, sheet, contents, f"{shown}, sheet '{name}'").rows()
        except TableFileError:
            raise
        except Exception as error:  # a workbook broken in a way openpyxl finds only while reading
            raise TableFileError(
                _("'{shown}' cannot be read as an Excel workbook ({kind}: {error})").format(
                    shown=shown, kind=type(error).__name__, error=error
                )
            ) from None
    finally:
        book.close()


class _SheetTable:
    """A sheet's table as Excel shows it: the range its values (and the merges they
    start) cover, and a form's empty bordered rows right below, without the hidden
    rows and columns."""

    def __init__(self, book, sheet, contents: SheetContents, where: str):
        self.book, self.sheet, self.contents, self.where = book, sheet, contents, where
        self._styles: dict[int, object] = {}
        self.last_row, self.last_col = self._extent()
        hidden_cols = {
            c
            for low, high, _width, hidden in contents.columns
            if hidden
            for c in range(low, min(high, self.last_col) + 1)
        }
        self.visible_rows = [r for r in range(1, self.last_row + 1) if r not in contents.hidden_rows]
        self.visible_cols = [c for c in range(1, self.last_col + 1) if c not in hidden_cols]

    def _style(self, style: int):
        # a cell with this style id, for its format, alignment and border (openpyxl's lookup)
        from openpyxl.cell.read_only import ReadOnlyCell  # see open_workbook

        if style not in self._styles:
            self._styles[style] = ReadOnlyCell(self.sheet, 1, 1, None, "n", style)
        return self._styles[style]

    def _bordered(self, style: int) -> bool:
        border = self._style(style).border
        return any(getattr(border, side).style for side in ("left", "right", "top", "bottom"))

    def _extent(self) -> tuple[int, int]:
        """The last row and column that hold a value, that a merge starting among
        them covers, or a run of bordered rows right below them (a form's blank
        lines): formatting elsewhere is not part of the table."""
        from openpyxl.utils import get_column_letter  # see open_workbook

        cells = self.contents.cells
        for r, c in cells:
            if r > MAX_TABLE_ROWS or c > MAX_COLUMNS:
                raise TableFileError(
                    self._too_far(_("cell {cell}").format(cell=f"{get_column_letter(c)}{r}"), r, c)
                )
        last_row = max((r for r, _ in cells), default=0)
        last_col = max((c for _, c in cells), default=0)
        bordered = {place for place, style in self.contents.styled.items() if self._bordered(style)}
        while True:
            before = (last_row, last_col)
            for top, left, bottom, right in self.contents.merges:
                if top <= last_row and left <= last_col and (bottom > last_row or right > last_col):
                    if bottom > MAX_TABLE_ROWS or right > MAX_COLUMNS:
                        first, last = get_column_letter(left), get_column_letter(right)
                        merge = _("the merge {first}{top}:{last}{bottom}").format(
                            first=first, top=top, last=last, bottom=bottom
                        )
                        raise TableFileError(self._too_far(merge, bottom, right))
                    last_row, last_col = max(last_row, bottom), max(last_col, right)
            while any((last_row + 1, c) in bordered for c in range(1, last_col + 1)):
                last_row += 1
            if (last_row, last_col) == before:
                return last_row, last_col

    def _too_far(self, what: str, row: int, column: int) -> str:
        if column > MAX_COLUMNS:
            limit = _("past column {max_columns}, the most a Word table holds").format(
                max_columns=MAX_COLUMNS
            )
        else:
            limit = _("past row {max_rows:,}, the most rows a table file may have").format(
                max_rows=MAX_TABLE_ROWS
            )
        return _("{where}: {what} is {limit}: delete what lies beyond the table, or split it").format(
            where=self.where, what=what, limit=limit
        )

    def rows(self):
        from openpyxl.utils import get_column_letter  # see open_workbook

        merged, covered = self._merges()
        if len(self.visible_rows) * len(self.visible_cols) > MAX_TABLE_CELLS:
            raise TableFileError(
                _(
                    "{where}: the table has {count:,} rows of {width} columns, over {max_table_cells:,} "
                    "cells, the most a table file may have"
                ).format(
                    where=self.where,
                    count=len(self.visible_rows),
                    width=len(self.visible_cols),
                    max_table_cells=MAX_TABLE_CELLS,
                )
            )
        rows, where = [], []
        for r in self.visible_rows:
            cells, places = [], []
            for c in self.visible_cols:
                if (r, c) in covered:
                    continue
                colspan, rowspan, source = merged.get((r, c), (1, 1, (r, c)))
                ref = _("{where}, cell {cell}").format(
                    where=self.where, cell=f"{get_column_letter(source[1])}{source[0]}"
                )
                raw = self.contents.cells.get(source)
                style = raw.style if raw else self.contents.styled.get(source, 0)
                text = _checked(self._text(raw, style, ref), ref)
                align = _ALIGN.get(self._style(style).alignment.horizontal or "")
                cells.append(GridCell(text, 0, colspan, rowspan, align))
                places.append(ref)
            rows.append(cells)
            where.append(places)
        return rows, _shares(self._widths()), where

    def _merges(self):
        """Each merge's visible anchor: (colspan, rowspan, the merge's own first cell),
        counting only the rows and columns shown; and the places it covers."""
        rows, cols = set(self.visible_rows), set(self.visible_cols)
        merged, covered = {}, set()
        for top, left, bottom, right in self.contents.merges:
            down = [r for r in range(top, min(bottom, self.last_row) + 1) if r in rows]
            across = [c for c in range(left, min(right, self.last_col) + 1) if c in cols]
            if not down or not across:
                continue  # wholly hidden, or beyond the table
            merged[(down[0], across[0])] = (len(across), len(down), (top, left))
            covered.update((r, c) for r in down for c in across if (r, c) != (down[0], across[0]))
        return merged, covered

    def _widths(self) -> list[float | None]:
        widths: dict[int, float | None] = {}
        for low, high, width, _hidden in self.contents.columns:
            for c in range(low, min(high, self.last_col) + 1):
                widths[c] = width
        return [widths.get(c) for c in self.visible_cols]

    def _text(self, raw, style: int, ref: str) -> str:
        if raw is None:
            return ""
        if raw.kind == "e":
            raise TableFileError(
                _("{ref} holds the error {value}: correct it in the workbook").format(
                    ref=ref, value=raw.value
                )
            )
        if raw.value is None:
            raise TableFileError(
                _(
                    "{ref} holds a formula whose result was never saved: open the workbook in Excel or "
                    "LibreOffice and save it again"
                ).format(ref=ref)
            )
        cell = self._style(style)
        code = _CHINESE_FORMATS.get(cell.style_array.numFmtId) or cell.number_format or "General"
        try:
            if raw.kind == "n":
                return format_number(_number(raw.value, ref), code, self.book.epoch.year == 1904)
            if raw.kind == "b":
                return "TRUE" if raw.value.strip() in ("1", "true") else "FALSE"
            if raw.kind == "s":
                return format_text(self._shared(raw.value, ref), code)
            return format_text(raw.value, code)
        except UnsupportedFormat as error:
            raise TableFileError(
                _(
                    "{ref} has the number format '{code}', which the tool cannot print as Excel shows it "
                    "({error}): choose a common format (General, 0.00, 0%, #,##0, a date) or type the value "
                    "as text"
                ).format(ref=ref, code=code, error=error)
            ) from None

    def _shared(self, index: str, ref: str) -> str:
        strings = self.sheet._shared_strings  # openpyxl's read-only sheets share the workbook's list
        try:
            return str(strings[int(index)])
        except (ValueError, IndexError):
            raise TableFileError(
                _("{ref} names a shared text that the workbook does not hold").format(ref=ref)
            ) from None


def _number(value: str, ref: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise TableFileError(
            _("{ref} holds '{value}' as a number, which it is not").format(ref=ref, value=value)
        ) from None


def _checked(text: str, where: str) -> str:
    """A cell's text from a file, held to the rules of a cell typed in YAML (its
    links: no javascript:, no //host/share) and stripped as a cell's text is."""
    bad = _XML_INVALID.search(text)
    if bad:
        raise TableFileError(
            _("{where} holds the character U+{ord:04X}, which cannot appear in a document").format(
                where=where, ord=ord(bad.group())
            )
        )
    try:
        return _CELL_TEXT.validate_python(text).strip()
    except ValidationError as error:
        message = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise TableFileError(f"{where}: {message}") from None


def _shares(widths: list[float | None]) -> list[str | None]:
    """Excel's column widths (in characters; 8.43 when unset) as shares of the table."""
    known = [w or 8.43 for w in widths]
    total = sum(known)
    if not total or all(w is None for w in widths):
        return []
    return [f"{100 * w / total:.1f}%" for w in known]
