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
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from .diagnostics import Position
from .files import FileProblem, read_regular
from .tables import GridCell, RowInput

MAX_TABLE_FILE_BYTES = 5 * 1024 * 1024
"""The largest table file read: far above any table printed in a circular."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls, or an encrypted .xlsx
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
        raw = read_regular(path, MAX_TABLE_FILE_BYTES)
    except FileProblem as problem:
        message = str(problem).replace("the limit for a YAML file", "the limit for a table file")
        raise TableFileError(f"table file '{shown}' {message}") from None
    if path.suffix.lower() == ".csv":
        texts = _csv_rows(raw, shown)
        rows, widths = [[GridCell(text, 0) for text in row] for row in texts], []
        where = [[f"{shown}, row {r + 1}" for _ in row] for r, row in enumerate(texts)]
    else:
        rows, widths, where = _xlsx_rows(raw, shown, sheet)
    if not rows:
        raise TableFileError(f"table file '{shown}' holds no rows")
    if header_rows is None:
        header_rows = 1
        while header_rows < len(rows) and any(
            r + cell.rowspan > header_rows for r, row in enumerate(rows[:header_rows]) for cell in row
        ):
            header_rows = max(r + cell.rowspan for r, row in enumerate(rows[:header_rows]) for cell in row)
    if header_rows > len(rows):
        raise TableFileError(f"'header_rows' is {header_rows}, but '{shown}' has only {len(rows)} rows")
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


def _csv_rows(raw: bytes, shown: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        raise TableFileError(
            f"'{shown}' is not UTF-8: byte 0x{raw[error.start]:02x} at byte {error.start + 1}; "
            "save it as CSV UTF-8",
            Position(raw.count(b"\n", 0, error.start) + 1, column),
        ) from None
    text = text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte order mark
    bad = _XML_INVALID.search(text)
    if bad:
        before = text[: bad.start()]
        raise TableFileError(
            f"'{shown}' holds the character U+{ord(bad.group()):04X}, which cannot appear in a document",
            Position(before.count("\n") + 1, bad.start() - before.rfind("\n")),
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [row for row in reader]
    except csv.Error as error:
        raise TableFileError(
            f"'{shown}' is not a readable CSV file ({error})", Position(reader.line_num)
        ) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # the empty lines an editor leaves at the end
    width = max((len(row) for row in rows), default=0)
    return [[cell.strip() for cell in row] + [""] * (width - len(row)) for row in rows]


# --- XLSX ----------------------------------------------------------------------


def _workbook(raw: bytes, shown: str, formulas: bool):
    # Imported here, not above: openpyxl (and the numpy it pulls in) takes 0.16 s to
    # import, which every `circulars check` and `build` would pay for tables that are
    # rarely XLSX. Only for start-up time: there is no import cycle.
    from openpyxl import load_workbook

    if raw.startswith(_OLE):
        raise TableFileError(
            f"'{shown}' is an old .xls or a password-protected workbook: save it as .xlsx without a password"
        )
    try:
        return load_workbook(io.BytesIO(raw), data_only=not formulas)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise TableFileError(
            f"'{shown}' is not an Excel workbook (.xlsx) that can be read ({error})"
        ) from None
    except Exception as error:  # openpyxl raises many kinds on files that are not workbooks
        raise TableFileError(
            f"'{shown}' cannot be read as an Excel workbook ({type(error).__name__}: {error})"
        ) from None


def _xlsx_rows(raw: bytes, shown: str, sheet_name: str | None):
    from openpyxl.utils import get_column_letter  # see _workbook

    values = _workbook(raw, shown, formulas=False)
    formulas = _workbook(raw, shown, formulas=True)
    names = values.sheetnames
    if sheet_name is not None and sheet_name not in names:
        raise TableFileError(f"'{shown}' has no sheet '{sheet_name}' (it has: {', '.join(names)})")
    tables = [s.title for s in values.worksheets]  # a chart sheet has no cells
    if sheet_name is not None and sheet_name not in tables:
        raise TableFileError(f"'{shown}': the sheet '{sheet_name}' is a chart, not a table of cells")
    if not tables:
        raise TableFileError(f"'{shown}' holds only charts, no sheet of cells")
    name = sheet_name or tables[0]
    sheet, formula_sheet = values[name], formulas[name]
    merged = {}
    covered = set()
    for cells in sheet.merged_cells.ranges:
        merged[(cells.min_row, cells.min_col)] = (
            cells.max_col - cells.min_col + 1,
            cells.max_row - cells.min_row + 1,
        )
        for r in range(cells.min_row, cells.max_row + 1):
            for c in range(cells.min_col, cells.max_col + 1):
                if (r, c) != (cells.min_row, cells.min_col):
                    covered.add((r, c))
    last_row, last_col = _extent(formula_sheet, merged)  # formulas count, saved result or not
    rows, where = [], []
    for r in range(1, last_row + 1):
        cells, places = [], []
        for c in range(1, last_col + 1):
            if (r, c) in covered:
                continue
            cell = sheet.cell(r, c)
            ref = f"{shown}, sheet '{name}', cell {get_column_letter(c)}{r}"
            text = _cell_text(cell, formula_sheet.cell(r, c), ref)
            colspan, rowspan = merged.get((r, c), (1, 1))
            colspan = min(colspan, last_col - c + 1)
            rowspan = min(rowspan, last_row - r + 1)
            cells.append(GridCell(text, 0, colspan, rowspan, _ALIGN.get(cell.alignment.horizontal or "")))
            places.append(ref)
        rows.append(cells)
        where.append(places)
    widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, last_col + 1)]
    return rows, _shares(widths), where


def _extent(sheet, merged: dict) -> tuple[int, int]:
    """The last row and column that hold a value, a border or a merge: a form's
    empty rows to fill in have borders, the formatting beyond them has none."""
    last_row = last_col = 0
    for row in sheet.iter_rows():
        for cell in row:
            border = cell.border
            drawn = any(getattr(border, side).style for side in ("left", "right", "top", "bottom"))
            if cell.value not in (None, "") or drawn or (cell.row, cell.column) in merged:
                span = merged.get((cell.row, cell.column), (1, 1))
                last_row = max(last_row, cell.row + span[1] - 1)
                last_col = max(last_col, cell.column + span[0] - 1)
    return last_row, last_col


def _shares(widths: list[float | None]) -> list[str | None]:
    """Excel's column widths (in characters; 8.43 when unset) as shares of the table."""
    known = [w or 8.43 for w in widths]
    total = sum(known)
    if not total or all(w is None for w in widths):
        return []
    return [f"{100 * w / total:.1f}%" for w in known]


def _cell_text(cell, formula_cell, ref: str) -> str:
    value = cell.value
    if cell.data_type == "e":
        raise TableFileError(f"{ref} holds the error {value}: correct it in the workbook")
    if value is None and formula_cell.data_type == "f":
        raise TableFileError(
            f"{ref} holds a formula whose result was never saved: open the workbook in Excel or "
            "LibreOffice and save it again"
        )
    text = _formatted(value, cell.number_format or "General")
    bad = _XML_INVALID.search(text)
    if bad:
        raise TableFileError(
            f"{ref} holds the character U+{ord(bad.group()):04X}, which cannot appear in a document"
        )
    return text.strip()


def _formatted(value, number_format: str) -> str:
    """A value as Excel shows it under the common formats; other formats as General."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date | time):
        return _formatted_date(value, number_format)
    if not isinstance(value, int | float):
        return str(value)
    shape = number_format.split(";")[0].replace('"', "")
    decimals = len(m.group(1)) if (m := re.search(r"0\.(0+)", shape)) else 0
    if shape.endswith("%"):
        return f"{value * 100:.{decimals}f}%"
    if "0" in shape and shape != "General":
        return f"{value:,.{decimals}f}" if "," in shape else f"{value:.{decimals}f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _formatted_date(value, number_format: str) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    day = value.date() if isinstance(value, datetime) else value
    if "年" in number_format:
        return f"{day.year}年{day.month}月{day.day}日"
    shown = day.isoformat()
    if isinstance(value, datetime) and (value.hour or value.minute) and ("h" in number_format.lower()):
        shown += value.strftime(" %H:%M")
    return shown
