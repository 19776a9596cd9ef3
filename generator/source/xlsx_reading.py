"""Opening an XLSX workbook without letting a tiny file cause huge work.

A 5 KB workbook may inflate to gigabytes, or name a cell at XFD1048576 or a
merge over the whole sheet, which openpyxl's ordinary loading turns into a
billion cell objects. So the zip's members are measured (their uncompressed
sizes, which bound what inflating them yields) before anything is parsed, the
workbook is opened read-only, and a sheet is read here as a stream of its XML
keeping only what a table needs: the cells with values, the styled empty
cells within bounds (a border marks a form's blank rows), merges, hidden rows
and columns, and column widths. Return forms can open their workbooks here too.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

from ..i18n import _

MAX_INFLATED_BYTES = 50 * 1024 * 1024
"""The most a workbook's zip members may hold uncompressed, all together."""
MAX_ZIP_MEMBERS = 1000
MAX_SHEET_CELLS = 300_000
"""The most cell elements (values or formatting) a sheet's XML may hold."""
MAX_SHARED_STRINGS = 200_000
"""The most texts a workbook's shared string table may hold: openpyxl reads them all."""
MAX_CELL_STYLES = 64_000
"""The most cell formats a workbook may hold: Excel's own limit."""

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls, or an encrypted .xlsx


class WorkbookError(Exception):
    """A workbook that is refused; the message follows the file's name."""


def open_workbook(raw: bytes, *, data_only: bool = True):
    """A read-only openpyxl workbook (close it after use), once its zip is known to
    inflate within bounds and its shared texts and cell formats are counted.

    Raise WorkbookError for an old .xls, an encrypted file, a damaged zip, one
    that inflates past MAX_INFLATED_BYTES, or one that openpyxl cannot open."""
    # Imported here, not above: openpyxl (and the numpy it pulls in) takes 0.16 s to
    # import, which every `circulars check` and `build` would pay for tables that are
    # rarely XLSX. Only for start-up time: there is no import cycle.
    from openpyxl import load_workbook

    if raw.startswith(_OLE):
        raise WorkbookError(
            _("is an old .xls or a password-protected workbook: save it as .xlsx without a password")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        raise WorkbookError(
            _("is not an Excel workbook (.xlsx) that can be read ({error})").format(error=error)
        ) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise WorkbookError(
            _("holds {count:,} files; a workbook may hold at most {max_zip_members:,}").format(
                count=len(members), max_zip_members=MAX_ZIP_MEMBERS
            )
        )
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_INFLATED_BYTES:
        raise WorkbookError(
            _("inflates to {value:,.0f} MB; a workbook may hold at most {limit} MB uncompressed").format(
                value=inflated / 2**20, limit=MAX_INFLATED_BYTES // 2**20
            )
        )
    _count_parts(archive, members)
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise WorkbookError(
            _("is not an Excel workbook (.xlsx) that can be read ({error})").format(error=error)
        ) from None
    except Exception as error:  # openpyxl raises many kinds on files that are not workbooks
        raise WorkbookError(
            _("cannot be read as an Excel workbook ({kind}: {error})").format(
                kind=type(error).__name__, error=error
            )
        ) from None


def _count_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse the parts openpyxl reads whole, by what they hold: 50 MB of tiny shared
    texts take it a minute. Counted in the bytes (end tags), never parsed here."""
    for member in members:
        name = member.filename.lower()
        if name.endswith("sharedstrings.xml"):
            what, limit, count = _("shared texts"), MAX_SHARED_STRINGS, _elements(archive, member, b"si")
        elif name.endswith("styles.xml"):
            what, limit, count = _("cell formats"), MAX_CELL_STYLES, _elements(archive, member, b"xf")
        else:
            continue
        if count > limit:
            raise WorkbookError(
                _("holds {count:,} {what}; a workbook may hold at most {limit:,}").format(
                    count=count, what=what, limit=limit
                )
            )


def _elements(archive: zipfile.ZipFile, member: zipfile.ZipInfo, tag: bytes) -> int:
    try:
        data = archive.read(member)  # no more than its declared size, which is bounded above
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise WorkbookError(
            _("is not an Excel workbook (.xlsx) that can be read ({error})").format(error=error)
        ) from None
    return len(re.findall(rb"<(?:\w+:)?" + tag + rb"[\s/>]", data))


@dataclass
class RawCell:
    """A cell as the sheet's XML holds it: `kind` is Excel's type (n, s, str, b, e, d)."""

    value: str | None
    kind: str
    style: int
    formula: bool


@dataclass
class SheetContents:
    """What a table needs of a sheet, rows and columns counted from 1."""

    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)  # those with a value
    styled: dict[tuple[int, int], int] = field(default_factory=dict)  # empty, within bounds: style
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # top, left, bottom, right
    hidden_rows: set[int] = field(default_factory=set)
    columns: list[tuple[int, int, float | None, bool]] = field(
        default_factory=list
    )  # min, max, width, hidden


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _reference(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789").lstrip("$")
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return int(ref[len(ref.rstrip("0123456789")) :] or 0), column


def read_sheet(worksheet, bounds: tuple[int, int]) -> SheetContents:
    """The cells, merges, hidden rows and columns of a read-only worksheet.

    `bounds` (rows, columns) limits which empty styled cells are kept: those
    beyond can never be part of a table. WorkbookError for damaged XML or more
    than MAX_SHEET_CELLS cells, rows, columns and merges."""
    contents = SheetContents()
    count, row, column, rows = 0, 0, 0, None
    source = worksheet._get_source()  # openpyxl's read-only sheets stream from the zip
    try:
        for event, element in iterparse(source, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "sheetData":
                    rows = element
                elif tag == "row":
                    row, column = int(element.get("r") or row + 1), 0
                continue
            if tag in ("c", "row", "col", "mergeCell"):
                count += 1
                if count > MAX_SHEET_CELLS:
                    raise WorkbookError(
                        _("sheet '{title}' holds more than {max_sheet_cells:,} cells and rows").format(
                            title=worksheet.title, max_sheet_cells=MAX_SHEET_CELLS
                        )
                    )
            if tag == "c":
                ref = element.get("r")
                row, column = _reference(ref) if ref else (row, column + 1)
                _keep_cell(contents, element, row, column, bounds)
                element.clear()
            elif tag == "row":
                if element.get("hidden") in ("1", "true") or element.get("ht") in ("0", "0.0"):
                    contents.hidden_rows.add(row)
                if rows is not None:
                    rows.remove(element)  # its only child: a long sheet is never held whole
            elif tag == "col":
                width = element.get("width")
                hidden = element.get("hidden") in ("1", "true") or width in ("0", "0.0")
                low, high = int(element.get("min", 1)), int(element.get("max", 1))
                contents.columns.append((low, high, float(width) if width else None, hidden))
            elif tag == "mergeCell":
                top, left, bottom, right = _range(element.get("ref", ""))
                contents.merges.append((top, left, bottom, right))
    except (ParseError, ValueError) as error:  # damaged XML, or a number that is none
        raise WorkbookError(
            _("sheet '{title}' cannot be read ({error})").format(title=worksheet.title, error=error)
        ) from None
    finally:
        source.close()
    return contents


def _range(ref: str) -> tuple[int, int, int, int]:
    first, _colon, last = ref.partition(":")
    top, left = _reference(first)
    bottom, right = _reference(last or first)
    return top, left, bottom, right


def _keep_cell(contents: SheetContents, element, row: int, column: int, bounds: tuple[int, int]) -> None:
    kind = element.get("t", "n")
    style = int(element.get("s", 0))
    value = formula = None
    for child in element:
        name = _local(child.tag)
        if name == "v":
            value = child.text or ""
        elif name == "f":
            formula = True
        elif name == "is":  # inline text: its runs, without phonetic guides
            value = "".join(
                t.text or "" for t in child.iter() if _local(t.tag) == "t" and not _in_phonetic(child, t)
            )
    if value == "" and kind not in ("s", "str", "inlineStr"):
        value = None  # openpyxl writes a formula's unsaved result as an empty <v>
    if value is not None or formula:
        contents.cells[(row, column)] = RawCell(value, kind, style, bool(formula))
    elif style and row <= bounds[0] and column <= bounds[1]:
        contents.styled[(row, column)] = style


def _in_phonetic(root, target) -> bool:
    return any(_local(p.tag) == "rPh" and target in p.iter() for p in root)
