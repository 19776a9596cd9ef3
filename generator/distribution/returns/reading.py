"""Reading a filled return form: what it says, and every problem with its cell.

The form's hidden identity sheet says which circular, edition and organization
it is for and which item each row answers; the visible sheet gives the
answers. Every cell is checked here on its own (a status from the list, a
value that is not a date, a real date not in the future); whether the circular,
organization and items exist is checked on import, against the project.

Anything that is not a form (a CSV, an old .xls, a password-protected or
corrupt file, a sheet whose columns were moved) is one clear problem naming
the file, never an exception.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...i18n import _
from ...source.returns import STATUS_LABELS, STATUSES, parse_status
from .layout import (
    COLUMNS,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    INDEX,
    LETTERS,
    MAX_CELL_TEXT,
    META_SHEET,
    headers,
)

MAX_FORM_BYTES = 5 * 1024 * 1024
"""The largest form read: one for a thousand items is under 100 KB."""
MAX_FORM_INFLATED = 64 * 1024 * 1024
"""The most its parts may unpack to (a zip bomb of shared strings is refused unread)."""

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls, or an encrypted .xlsx inside OLE
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Problem:
    where: str  # file, file:Sheet!F7 or file:line:column
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Answer:
    """One filled row: the answer on one requirement or target."""

    requirement: int
    target: int | None
    status: str
    value: str | int | float | None
    date: datetime.date | None
    note: str | None
    who: str | None
    where: str  # where the row is, for messages

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.requirement, self.target)


@dataclass
class Received:
    """What one file says, and what is wrong with it."""

    shown: str  # the file as named on the command line
    sha256: str
    circular: str | None = None
    organization: str | None = None
    edition: str | None = None  # None: a hand-written return
    questions: str | None = None  # the digest of what the form asks; None: hand-written
    token: str | None = None  # the secret the form was issued with (tokens.py); None: none
    language: str = "en"
    answers: list[Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.shown).name

    def problem(self, message: str, where: str | None = None) -> None:
        self.problems.append(Problem(where or self.shown, message))


def sniff(data: bytes, shown: str) -> str | None:
    """Why the bytes are not an .xlsx workbook, or None if they may be one."""
    if data.startswith(b"PK\x03\x04"):
        return None
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            return (
                "the workbook is password-protected (encrypted): "
                "save it without a password and import it again"
            )
        return "an old-format Excel file (.xls): save it as an Excel workbook (.xlsx) and import it again"
    if not data.strip():
        return "the file is empty"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if shown.lower().endswith((".csv", ".tsv", ".txt")) or (
        text is not None and ("," in text or "\t" in text)
    ):
        return "a CSV or text file, not a return form: fill in the .xlsx form that was sent and import that"
    return "not an Excel workbook (.xlsx): import the filled-in return form"


def _inflated(data: bytes) -> str | None:
    """Why the workbook's parts would unpack to too much, or None. The sizes are those
    the zip declares: zipfile never unpacks more than that (it stops with an error)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        return None  # load_workbook says what is wrong with it
    if size > MAX_FORM_INFLATED:
        return (
            f"the workbook unpacks to {size // (1024 * 1024):,} MB, more than the "
            f"{MAX_FORM_INFLATED // (1024 * 1024)} MB a return form may: import the form as it was sent"
        )
    return None


def read_form(data: bytes, shown: str, today: datetime.date) -> Received:
    """Read one filled form. Problems are collected, never raised."""
    received = Received(shown, hashlib.sha256(data).hexdigest())
    why = sniff(data, shown) or _inflated(data)
    if why is not None:
        received.problem(why)
        return received
    # Imported here, not above, for start-up time only (there is no import cycle):
    # openpyxl and the numpy it pulls in take 0.16 s, which every command paid.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        received.problem(
            _("a damaged workbook ({error}): save it again from Excel and import it again").format(
                error=error
            )
        )
        return received
    except Exception as error:  # openpyxl raises many kinds on files that are not workbooks
        kind = type(error).__name__
        received.problem(
            _("cannot be read as an Excel workbook ({kind}: {error})").format(kind=kind, error=error)
        )
        return received
    try:
        _read(workbook, received, today)
    except Exception as error:  # a workbook broken in a way openpyxl only finds while reading
        received.problems.append(
            Problem(
                shown,
                _("cannot be read as a return form ({kind}: {error})").format(
                    kind=type(error).__name__, error=error
                ),
            )
        )
    finally:
        workbook.close()
    return received


def _read(workbook, received: Received, today: datetime.date) -> None:
    if META_SHEET not in workbook.sheetnames:
        received.problem(
            _(
                "not a return form made by `circulars returns forms` (it has no form identity): fill in the "
                "form you were sent and import that"
            )
        )
        return
    rows = _identity(workbook[META_SHEET], received)
    if rows is None:
        return
    visible = [s for s in workbook.worksheets if s.title != META_SHEET]
    if not visible:
        received.problem(_("the form's sheet is missing"))
        return
    sheet = visible[0]
    where = f"{received.shown}:{sheet.title}!"
    expected_headers = headers(received.language)
    expected = {row: (requirement, target) for row, requirement, target in rows}
    last = max(expected, default=FIRST_ROW - 1)
    for number, cells in enumerate(
        sheet.iter_rows(min_row=HEADER_ROW, max_col=len(COLUMNS), values_only=True), HEADER_ROW
    ):
        cells = tuple(cells) + (None,) * (len(COLUMNS) - len(cells))
        if number == HEADER_ROW:
            moved = [
                (LETTERS[i], want, got)
                for i, (want, got) in enumerate(zip(expected_headers, cells, strict=True))
                if _text(got) != want
            ]
            for letter, want, got in moved:
                shown_got = f"'{_text(got)}'" if got is not None else "nothing"
                received.problem(
                    _(
                        "the header should be '{want}', found {shown_got}: the columns were moved or "
                        "changed; fill in the form as it was sent"
                    ).format(want=want, shown_got=shown_got),
                    f"{where}{letter}{HEADER_ROW}",
                )
            if moved:
                return
            continue
        fill = cells[INDEX["status"] :]
        if number not in expected:
            if number > last and any(_text(c) for c in fill):
                received.problem(
                    _("a row that is not on the form: answer only on the rows given"),
                    f"{where}A{number}",
                )
            continue
        requirement, target = expected[number]
        label = str(requirement) if target is None else f"{requirement}.{target}"
        if _text(cells[0]) != label:
            received.problem(
                _(
                    "this row should be item {label}, found '{text}': the rows were moved; fill in the form "
                    "as it was sent"
                ).format(label=label, text=_text(cells[0])),
                f"{where}A{number}",
            )
            continue
        answer = _answer(received, where, number, cells, today)
        if answer is not None:
            answer.requirement, answer.target = requirement, target
            received.answers.append(answer)


def _identity(meta, received: Received) -> list[tuple[int, int, int | None]] | None:
    """Read the hidden identity sheet; the rows it maps, or None if it is not ours."""
    values: dict[str, object] = {}
    rows: list[tuple[int, int, int | None]] = []
    for cells in meta.iter_rows(values_only=True):
        if not cells or cells[0] is None:
            continue
        if cells[0] == "row" and len(cells) >= 4:
            row, requirement, target = cells[1:4]
            numbers = (row, requirement, target)
            # numbered as the form writes them: a row below the header, from requirement 1
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers) or (
                row < FIRST_ROW or requirement < 1 or target < 0
            ):
                received.problem(_("the form's identity sheet was changed: use the form as it was sent"))
                return None
            rows.append((row, requirement, target or None))
        elif len(cells) >= 2:
            values[str(cells[0])] = cells[1]
    if values.get("format") != FORMAT:
        received.problem(
            _(
                "a return form of an unknown format ({found!r}, expected {format}): "
                "fill in the form you were sent"
            ).format(found=values.get("format"), format=FORMAT)
        )
        return None
    for key in ("circular", "edition", "questions", "organization", "language"):
        if not isinstance(values.get(key), str):
            received.problem(
                _("the form does not say its {key}: use the form as it was sent").format(key=key)
            )
            return None
    received.circular = str(values["circular"])
    received.edition = str(values["edition"])
    received.questions = str(values["questions"])
    received.organization = str(values["organization"])
    received.language = str(values["language"]) if values["language"] in STATUS_LABELS else "en"
    token = values.get("token")
    received.token = token if isinstance(token, str) else None
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _answer(received: Received, where: str, row: int, cells: tuple, today: datetime.date) -> Answer | None:
    """The answer on one row, or None if it is left blank or wrong (problems recorded)."""
    status_cell, value_cell, date_cell, note_cell, who_cell = cells[INDEX["status"] :]
    if all(_text(c) == "" for c in (status_cell, value_cell, date_cell, note_cell, who_cell)):
        return None
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
        received.problem(message, f"{where}{LETTERS[INDEX[column]]}{row}")

    labels = STATUS_LABELS[received.language]
    choices = ", ".join(labels[s] for s in STATUSES)
    for column, cell in zip(
        ("status", "value", "date", "note", "who"), cells[INDEX["status"] :], strict=True
    ):
        if isinstance(cell, str) and len(cell) > MAX_CELL_TEXT:
            bad(
                column,
                _("{count:,} characters: a cell holds at most {max_cell_text:,}").format(
                    count=len(cell), max_cell_text=MAX_CELL_TEXT
                ),
            )
        elif isinstance(cell, str) and cell.startswith("="):
            bad(column, _("a formula ({cell}): type the value itself").format(cell=cell))
    status = None
    if _text(status_cell) == "":
        bad("status", _("the status is missing: choose one of {choices}").format(choices=choices))
    elif not isinstance(status_cell, str) or (status := parse_status(status_cell)) is None:
        bad(
            "status",
            _("status '{text}' is not one of {choices}").format(text=_text(status_cell), choices=choices),
        )
    value = value_cell
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | bool):
        bad(
            "value",
            _("the achieved value is {kind}: write a number or text, like 92% or 31").format(
                kind=_kind(value)
            ),
        )
    elif isinstance(value, float) and not math.isfinite(value):
        bad(
            "value",
            _("the achieved value '{value}' is not a number: write a number or text, like 92% or 31").format(
                value=value
            ),
        )
    elif isinstance(value, str):
        value = value.strip() or None
    when = _date(date_cell, today, lambda message: bad("date", message))
    note = _plain(note_cell, "note", bad)
    who = _plain(who_cell, "who", bad)
    if not ok:
        return None
    return Answer(0, None, status, value, when, note, who, f"{where}A{row}")


def _kind(value) -> str:
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, datetime.datetime | datetime.date):
        return _("a date ({value:%Y-%m-%d})").format(value=value)
    if isinstance(value, datetime.time):
        return _("a time")
    return (
        _("the number {text}").format(text=_text(value)) if isinstance(value, int | float) else f"'{value}'"
    )


def _date(cell, today: datetime.date, bad) -> datetime.date | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime.datetime):
        when = cell.date()
    elif isinstance(cell, datetime.date):
        when = cell
    elif isinstance(cell, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", cell):
        try:
            when = datetime.date(*map(int, cell.strip().split("-")))
        except ValueError as error:
            bad(_("'{cell}' is not a real date ({error})").format(cell=cell.strip(), error=error))
            return None
    else:
        bad(_("the date is {kind}: write a date like {today:%Y-%m-%d}").format(kind=_kind(cell), today=today))
        return None
    if when > today:
        bad(
            _("the date {when:%Y-%m-%d} is in the future (today is {today:%Y-%m-%d})").format(
                when=when, today=today
            )
        )
        return None
    return when


def _plain(cell, column: str, bad) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, datetime.datetime | datetime.date | datetime.time | bool):
        what = _("the note") if column == "note" else _("the contact person")
        bad(column, _("{what} is {kind}: write text").format(what=what, kind=_kind(cell)))
        return None
    return _text(cell) or None
