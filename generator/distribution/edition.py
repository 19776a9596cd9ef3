"""The edition of an issued circular: what its distributed copies are made from.

A circular is rendered once into a copy template (`CopyMaker`); the edition is
the SHA-256 of that template and the attachments. A distribution (run.py)
stamps its copies from it, and a return form (returns/forms.py) names the
edition of the copy it travels with, so both work it out here, the same way.

When a circular changes after it went out, the new edition replaces the copies
recipients were sent: what the register knows of earlier editions is read here,
and their folders are moved aside in the distribution folder.

Every distribution keeps the circular's YAML as the edition it sends
(source/kept_editions.py), so that the next edition can be compared with it:
with `distribute --with-redline`, a corrected edition's redline is made once,
against the latest kept text that differs, and goes into every copy's folder,
recorded in the register with the copy's other files. A first edition, or one
with nothing kept to compare with, gets none (a note says why).
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..docx.redline_build import RedlineError, Redliner, read_circular
from ..docx.writer import DocxWriter
from ..i18n import _
from ..render.numbering import format_date
from ..render.renderer import Renderer
from ..source.body_model import every_attachment
from ..source.inline_markup import to_plain
from ..source.kept_editions import EDITIONS_DIR, keep_edition, kept_editions
from ..source.model import Circular
from ..source.project import Project, Source
from .copies import CopyMaker, copy_number_text
from .register import ACKNOWLEDGED, SENDING, SENT, EditionRecord, Register, shown_time

SUPERSEDED_DIR = "superseded"  # in a distribution folder: the copies of earlier editions


class DistributionError(Exception):
    """Bad input for a distribution; the message names the circular and recipient."""


@dataclass
class Edition:
    """An issued circular, its attachments and the copy template made from them."""

    source: Source
    attachments: list[tuple[str, bytes]]  # (the name each copy keeps it under, its bytes)
    maker: CopyMaker

    @property
    def sha256(self) -> str:
        return self.maker.edition

    @classmethod
    def load(cls, project: Project, circular_id: str) -> Edition:
        """The circular as it is now; DistributionError when it cannot be distributed
        (no such circular, not issued, attachments that cannot be read or share a name)."""
        source = issued_source(project, circular_id)
        attachments = attachment_files(project, source)
        maker = CopyMaker.prepare(
            source.circular,
            Renderer(project.root, project.registry),
            DocxWriter(project.root, project.registry),
            [data for _, data in attachments],
        )
        return cls(source, attachments, maker)


def issued_source(project: Project, circular_id: str) -> Source:
    source = project.source(circular_id)
    if source is None:
        raise DistributionError(_("no circular '{circular_id}'").format(circular_id=circular_id))
    if source.circular.status != "issued":
        raise DistributionError(
            _("{circular_id}: only issued circulars are distributed; this one is {status}").format(
                circular_id=circular_id, status=source.circular.status
            )
        )
    return source


def shown_source(project: Project, source: Source) -> str:
    try:
        return source.path.relative_to(project.root).as_posix()
    except ValueError:
        return str(source.path)


def attachment_files(project: Project, source: Source) -> list[tuple[str, bytes]]:
    """The attachment files, by the name each copy keeps them under in attachments/.

    Two with the same name (in different folders) would overwrite each other
    there: refused before anything is written."""
    circular = source.circular
    files = []
    seen: dict[str, tuple[str, int]] = {}
    for where, attachment in every_attachment(circular):
        if attachment.file is None:
            continue
        path = (source.path.parent / attachment.file).resolve()
        key = path.name.casefold()  # one name on case-insensitive file systems too
        if key in seen:
            first, line = seen[key]
            position = source.at(*where, "file")
            raise DistributionError(
                _(
                    "{shown_source}:{line}:{column}: attachment '{file}' has the same file name as "
                    "'{first}' (line {first_line}); every copy keeps its attachments in one folder, so "
                    "rename one of them. Nothing was written."
                ).format(
                    shown_source=shown_source(project, source),
                    line=position.line,
                    column=position.column,
                    file=attachment.file,
                    first=first,
                    first_line=line,
                )
            )
        seen[key] = (attachment.file, source.at(*where, "file").line)
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            raise DistributionError(
                _("{id}: attachment '{file}' cannot be read: {strerror}").format(
                    id=circular.id, file=attachment.file, strerror=error.strerror
                )
            ) from None
    return files


def earlier_editions(register: Register | None, circular_id: str, edition: str) -> list[EditionRecord]:
    """The editions before this one, oldest first (none without a register)."""
    if register is None:
        return []
    return [e for e in register.history(circular_id) if e.edition != edition]


def replaced_copies(register: Register | None, circular_id: str, edition: str) -> dict[str, tuple[int, str]]:
    """For each recipient sent a copy of an earlier edition, the one its copy of this
    edition replaces: its number and when it went (the latest, when there are several)."""
    if register is None:
        return {}
    return {
        c.recipient_id: (c.copy_number, c.sent_at or "")
        for c in register.copies(circular_id)  # by copy number: a later edition's copy wins
        if c.edition != edition and c.status in (SENT, ACKNOWLEDGED, SENDING)
    }


def correction(replaced: tuple[int, str] | None, circular: Circular, edition_number: int | None) -> dict:
    """What the cover note says when a copy replaces one the recipient was sent: the
    edition, the copy it replaces and the day it went, and the latest `changes:` note."""
    if replaced is None:
        return {"replaces": None}
    number, sent_at = replaced
    return {
        "replaces": copy_number_text(number),
        # the day as the circular writes dates: 2024年4月18日, 18 April 2024
        "replaced_on": format_date(datetime.date.fromisoformat(shown_time(sent_at)[:10]), circular.language)
        if sent_at
        else None,
        "edition": edition_number,
        "changes": to_plain(circular.changes[-1].note) if circular.changes else None,
    }


def move_superseded(
    register: Register, circular_id: str, edition: str, out_dir: Path
) -> list[tuple[int, str]]:
    """Move the folders of earlier editions' copies into superseded/edition-N/, so that the
    distribution folder holds only what is current and nobody sends an old copy by
    mistake. Returns every superseded folder there is, as (edition number, folder)."""
    numbers = dict(register.editions(circular_id))
    moved = []
    for copy in register.copies(circular_id):
        if copy.edition == edition:
            continue
        name = f"{copy_number_text(copy.copy_number)}-{copy.recipient_id}"
        aside = Path(SUPERSEDED_DIR, f"edition-{numbers[copy.edition]}", name)
        if (out_dir / name).is_dir() and not (out_dir / aside).exists():
            (out_dir / aside).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(out_dir / name, out_dir / aside)
        if (out_dir / aside).is_dir():
            moved.append((numbers[copy.edition], aside.as_posix()))
    return moved


@dataclass(frozen=True)
class RedlineCopy:
    name: str = ""
    data: bytes | None = None  # None: no redline goes with the copies

    def files(self) -> list[tuple[str, bytes]]:
        """What goes into each copy's folder: its name and bytes, or nothing."""
        return [] if self.data is None else [(self.name, self.data)]


def edition_redline(
    project: Project, source: Source, edition_number: int, with_redline: bool
) -> tuple[RedlineCopy, list[str]]:
    """Keep the text of the edition going out; with `with_redline`, for an edition after
    the first, the redline against the one before it; with notes on why there is none."""
    circular, root = source.circular, project.root
    earlier = kept_editions(root, circular.id)
    keep_edition(root, circular, source.path.read_bytes())
    if not with_redline or edition_number <= 1:
        return RedlineCopy(), []
    notes = []
    for kept in reversed(earlier):
        shown = kept.path.relative_to(root).as_posix()
        try:
            old = read_circular(project, source.path, kept.path.read_bytes(), shown)
        except (RedlineError, OSError) as error:
            notes.append(_("{path} was not compared: {error}").format(path=shown, error=error))
            continue
        if old == circular:
            continue
        try:
            data = Redliner(root, project.registry).docx(old, circular)
        except RedlineError as error:  # the earlier text no longer renders (a template changed since)
            return RedlineCopy(), [*notes, _("no redline: {error}").format(error=error)]
        return RedlineCopy(f"{circular.id}-changes-edition-{edition_number}.docx", data), notes
    notes.append(
        _(
            "no redline: no earlier text of {id} is kept under {folder}/{id}/ to compare edition "
            "{number} with (`circulars keep-edition {id}` keeps one before the next change)"
        ).format(id=circular.id, folder=EDITIONS_DIR, number=edition_number)
    )
    return RedlineCopy(), notes
