"""Return forms: one Excel workbook per responsible organization, prefilled.

Each form carries the circular's number, title and deadlines, one row per
requirement or target the organization answers for, and columns to fill in:
status (a drop-down in the circular's language), achieved value, date, note
and contact person. Only those cells are unlocked. A very hidden sheet and the
document properties say which circular, edition and organization the form is
for. The edition is the register's (the SHA-256 of the circular's document and
attachments), so a form names the copy it travels with. Beside it, the form
holds a digest of the questions it asks (`questions_digest`): an import
accepts a form whose questions are still those of the circular, so a later
edition that only fixes a typo, or a new template, does not make every form
out there void, while a form whose requirements, targets or deadlines
changed is refused. It also carries a token only the secretariat can make
(tokens.py), so that no union can file a form for another.

The same inputs give the same bytes: the workbook's timestamps are fixed, and
the parts are zipped in a fixed order with fixed dates (docx/package.py).
Organizations that answer for the same items get the same form but for their
name and id: openpyxl writes that form once, with slots where those go, and
each organization's form is the template with its own values put in (as the
numbered copies of a circular are made), so a distribution to thousands of
unions does not run openpyxl thousands of times.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import zipfile
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ...docx.build import write_atomically
from ...docx.package import Entry, compress, read_parts, write_parts
from ...i18n import _
from ...source.document_numbers import document_number
from ...source.inline_markup import to_plain
from ...source.model import Circular
from ...source.project import Project
from ...source.returns import STATUS_LABELS, STATUSES, Item, obligations
from ...source.when import When
from ..edition import DistributionError, Edition
from .layout import (
    COLUMNS,
    FILL,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    INDEX,
    LETTERS,
    META_SHEET,
    SHEET_TITLE,
    TEXT,
    form_identifier,
    form_name,
    headers,
)
from .tokens import FormKey, FormKeyError, key_path, register_path

if TYPE_CHECKING:
    from openpyxl import Workbook

# Where each organization's own values go in a template: plain letters, which
# openpyxl and XML escaping leave as they are.
NAME_SLOT = "CIRCULARSFORMNAMESLOT"
ORG_SLOT = "CIRCULARSFORMORGSLOT"
QUESTIONS_SLOT = "CIRCULARSFORMQUESTIONSSLOT"
TOKEN_SLOT = "CIRCULARSFORMTOKENSLOT"


class ReturnsError(Exception):
    """A form cannot be made or read; the message names the circular, organization or file."""


def current_edition(project: Project, circular: Circular) -> str:
    """The edition the register gives the circular as it is now."""
    try:
        return Edition.load(project, circular.id).sha256
    except DistributionError as error:
        raise ReturnsError(str(error)) from None
    except ValueError as error:  # a template that cannot make copies
        raise ReturnsError(f"{circular.id}: {error}") from None


def questions_digest(circular: Circular, org_id: str, items: list[Item]) -> str:
    """SHA-256 of what a form asks one organization: each item's text, target and deadline."""
    asked = []
    for item in items:
        requirement = circular.requirements[item.requirement - 1]
        target = requirement.targets[item.target - 1] if item.target is not None else None
        asked.append(
            [
                item.label,
                to_plain(requirement.key or ""),
                to_plain(requirement.text),
                to_plain(target.metric) if target else "",
                to_plain(target.value) if target else "",
                item.deadline.isoformat() if item.deadline else "",
            ]
        )
    text = json.dumps([circular.id, org_id, asked], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def workbook_parts(workbook: Workbook, when: datetime.datetime) -> dict[str, bytes]:
    """The workbook's parts (name -> XML), stamped with `when` instead of the time it was saved."""
    workbook.properties.created = when
    workbook.properties.modified = when
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w")).save()  # stored: read back at once
    return read_parts(buffer.getvalue())


@dataclass(frozen=True)
class _Template:
    """A form for one list of items, with slots for the organization's name, id and
    questions digest; the parts without slots compressed once."""

    parts: dict[str, bytes | Entry]
    slotted: tuple[str, ...]  # the names of the parts with slots

    @classmethod
    def of(cls, parts: dict[str, bytes]) -> _Template:
        slots = [s.encode() for s in (NAME_SLOT, ORG_SLOT, QUESTIONS_SLOT, TOKEN_SLOT)]
        slotted = tuple(name for name, xml in parts.items() if any(s in xml for s in slots))
        return cls({n: xml if n in slotted else compress(xml) for n, xml in parts.items()}, slotted)

    def fill(self, values: dict[str, str]) -> bytes:
        """The .xlsx with each slot replaced by its value, escaped for XML text
        (non-ASCII as character references, as openpyxl writes the sheets)."""
        parts = dict(self.parts)
        for name in self.slotted:
            xml = parts[name]
            for slot, value in values.items():
                xml = xml.replace(slot.encode(), escape(value).encode("ascii", "xmlcharrefreplace"))
            parts[name] = xml
        return write_parts(parts)


# openpyxl is imported where a form is made, not above: with the numpy it pulls in
# it takes 0.16 s to import, which every command (even `circulars --help`) paid.
# Only for start-up time: there is no import cycle.


@functools.cache
def _cell_styles() -> dict[str, dict]:
    """What each kind of cell sets: font, fill, border, alignment, protection, format."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill_in, unlocked = PatternFill("solid", fgColor="FFF2CC"), Protection(locked=False)
    return {
        "title": {"font": Font(bold=True, size=14)},
        "bold": {"font": Font(bold=True)},
        "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="D9D9D9"), "border": box}
        | {"alignment": wrap},
        "given": {"alignment": wrap, "border": box},
        "given-date": {"alignment": wrap, "border": box, "number_format": "yyyy-mm-dd"},
        "open": {"alignment": wrap, "border": box, "protection": unlocked, "fill": fill_in},
        "open-date": {
            "alignment": wrap,
            "border": box,
            "protection": unlocked,
            "fill": fill_in,
            "number_format": "yyyy-mm-dd",
        },
    }


DATE_TIME = "yyyy-mm-dd hh:mm"


def _put(sheet, row: int, column: int, value):
    """Put a value in a cell; text stays text as typed. openpyxl makes any string
    starting with `=` a formula, so a target typed as `=100%` or `=HYPERLINK(...)`
    would be live in every union's Excel: the cell's type is set to text instead."""
    timed = isinstance(value, When) and value.time is not None
    if timed:  # openpyxl writes a date subclass as the bare day: the time of day would be lost
        value = datetime.datetime.combine(value, value.time)
    cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def keep_time(cell) -> None:
    """Show a deadline's time of day too (call after the cell's style is set: it sets the day's format)."""
    if isinstance(cell.value, datetime.datetime):
        cell.number_format = DATE_TIME


_ROW_STYLE = {"deadline": "given-date", "status": "open", "value": "open", "date": "open-date"}
_ROW_STYLE |= {"note": "open", "who": "open"}


class _Styles:
    """The cell styles of one workbook, each set up once and then shared.

    Setting a font or border on a cell makes openpyxl look it up (hash it) in
    the workbook's tables; a form's cells use only a few styles, so each is set
    up on its first cell and the others copy that cell's style indexes, as
    openpyxl itself does when it copies a sheet."""

    def __init__(self):
        self.made: dict[str, object] = {}

    def apply(self, cell, kind: str) -> None:
        made = self.made.get(kind)
        if made is not None:
            cell._style = copy(made)
            return
        for name, value in _cell_styles()[kind].items():
            setattr(cell, name, value)
        self.made[kind] = copy(cell._style)  # the cell's own may change after (keep_time)


def described(circular: Circular, item: Item) -> list[str]:
    """An item as a form and the progress workbook show it: requirement (key: text), metric, target value."""
    requirement = circular.requirements[item.requirement - 1]
    text = to_plain(requirement.text)
    if requirement.key:
        text = f"{to_plain(requirement.key)}{'：' if circular.language == 'zh' else ': '}{text}"
    metric = target = TEXT[circular.language]["none"]
    if item.target is not None:
        chosen = requirement.targets[item.target - 1]
        metric, target = to_plain(chosen.metric), to_plain(chosen.value)
    return [text, metric, target]


class FormWriter:
    """Forms for one circular: its obligations and edition worked out once. The forms'
    tokens are made with `key`, by default the form key beside the project's register."""

    def __init__(
        self, project: Project, circular: Circular, edition: str | None = None, key: FormKey | None = None
    ):
        self.project = project
        self.circular = circular
        self.key = key or FormKey(key_path(register_path(project.root)))
        self.owed = obligations(project.registry, circular)
        self.edition = edition or current_edition(project, circular)
        lang = circular.language
        self.number = document_number(circular, project.registry)
        self.issuer = "、".join(project.registry.name(o, lang) for o in circular.issuer)
        self.stamp = datetime.datetime.combine(circular.date, datetime.time())
        self._templates: dict[tuple[Item, ...], _Template] = {}

    @property
    def organizations(self) -> list[str]:
        """Every organization that answers for something, in the circular's order."""
        return list(self.owed)

    def items(self, org_id: str) -> list[Item]:
        if org_id not in self.owed:
            raise ReturnsError(
                _("{id}: '{org_id}' is responsible for none of its requirements; no form for it").format(
                    id=self.circular.id, org_id=org_id
                )
            )
        return self.owed[org_id]

    def write(self, org_id: str) -> bytes:
        """The .xlsx form of one organization."""
        items = self.items(org_id)
        template = self._templates.get(tuple(items))
        if template is None:
            template = self._templates[tuple(items)] = _Template.of(self._template(items))
        questions = questions_digest(self.circular, org_id, items)
        try:
            token = self.key.token(self.circular.id, org_id, questions)
        except FormKeyError as error:
            raise ReturnsError(str(error)) from None
        return template.fill(
            {
                NAME_SLOT: self.project.registry.name(org_id, self.circular.language),
                ORG_SLOT: org_id,
                QUESTIONS_SLOT: questions,
                TOKEN_SLOT: token,
            }
        )

    def _template(self, items: list[Item]) -> dict[str, bytes]:
        """The parts of the form for these items, with slots for the organization."""
        from openpyxl import Workbook  # see _cell_styles
        from openpyxl.worksheet.datavalidation import DataValidation

        circular, lang = self.circular, self.circular.language
        text = TEXT[lang]
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = SHEET_TITLE[lang]
        title = text["title"].format(number=self.number, title=to_plain(circular.title)).strip()
        for row, value, style in (
            (1, title, "title"),
            (2, text["org"].format(name=NAME_SLOT), "bold"),
            (3, text["how"].format(issuer=self.issuer), None),
        ):
            cell = _put(sheet, row, 1, value)  # unmerged: the text runs on over the empty cells
            if style:
                cell.font = _cell_styles()[style]["font"]
        styles = _Styles()
        for column, header in enumerate(headers(lang), 1):
            styles.apply(_put(sheet, HEADER_ROW, column, header), "header")
        for (_key, _en, _zh, width), letter in zip(COLUMNS, LETTERS, strict=False):
            sheet.column_dimensions[letter].width = width
        status = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUS_LABELS[lang][s] for s in STATUSES) + '"',
            allow_blank=True,
            showErrorMessage=True,
        )
        when = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        sheet.add_data_validation(status)
        sheet.add_data_validation(when)
        kinds = [_ROW_STYLE.get(key, "given") for key, *_rest in COLUMNS]
        for row, item in enumerate(items, FIRST_ROW):
            for column, value in enumerate(self._prefilled(item) + [None] * len(FILL), 1):
                cell = _put(sheet, row, column, value)
                styles.apply(cell, kinds[column - 1])
                keep_time(cell)
        last = FIRST_ROW + len(items) - 1
        status.add(f"{LETTERS[INDEX['status']]}{FIRST_ROW}:{LETTERS[INDEX['status']]}{last}")
        when.add(f"{LETTERS[INDEX['date']]}{FIRST_ROW}:{LETTERS[INDEX['date']]}{last}")
        sheet.freeze_panes = f"A{FIRST_ROW}"
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False  # let them widen columns
        sheet.protection.formatRows = False
        self._identity(workbook, items)
        return workbook_parts(workbook, self.stamp)

    def _prefilled(self, item: Item) -> list:
        return [
            item.label,
            *described(self.circular, item),
            item.deadline or TEXT[self.circular.language]["none"],
        ]

    def _identity(self, workbook: Workbook, items: list[Item]) -> None:
        meta = workbook.create_sheet(META_SHEET)
        meta.sheet_state = "veryHidden"
        rows = [
            ("format", FORMAT),
            ("circular", self.circular.id),
            ("edition", self.edition),
            ("questions", QUESTIONS_SLOT),
            ("organization", ORG_SLOT),
            ("token", TOKEN_SLOT),
            ("language", self.circular.language),
        ]
        rows += [
            ("row", row, item.requirement, item.target or 0) for row, item in enumerate(items, FIRST_ROW)
        ]
        for row in rows:
            meta.append(row)
        meta.protection.sheet = True
        from openpyxl.workbook.protection import WorkbookProtection

        workbook.security = WorkbookProtection(lockStructure=True)
        props = workbook.properties
        props.identifier = form_identifier(self.circular.id, self.edition, ORG_SLOT)
        props.title = to_plain(self.circular.title)
        props.subject = self.number or self.circular.id
        props.creator = self.issuer
        props.lastModifiedBy = None


def write_forms(
    project: Project,
    circular: Circular,
    out_dir: Path,
    only: list[str] | None = None,
    key: FormKey | None = None,
) -> list[tuple[str, Path]]:
    """Every responsible organization's form (or those in `only`) as out_dir/<org-id>.xlsx."""
    writer = FormWriter(project, circular, key=key)
    chosen = only or writer.organizations
    for org_id in chosen:
        writer.items(org_id)  # every unknown organization is refused before anything is written
    written = []
    for org_id in chosen:
        path = out_dir / form_name(org_id)
        write_atomically(path, writer.write(org_id))
        written.append((org_id, path))
    return written
