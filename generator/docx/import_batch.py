"""Importing an archive at once: hundreds of Word files, each imported or refused on its own.

A secretariat's archive holds more than .docx files: old .doc, scans as PDF,
WPS files, a zip that was cut short, an empty file someone saved by mistake.
Each is refused with the reason before any reading starts, and a file the
reader fails on is refused with its reason too; the others go on. Nothing is
half-written: the per-file import writes its YAML atomically or not at all.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _

IMPORTED, ATTENTION, REFUSED = "imported", "attention", "refused"

# What a file starts with, for a message that names what it is instead of "not a zip".
_SIGNATURES = (
    (b"%PDF", "a PDF"),
    (b"\xd0\xcf\x11\xe0", "an old Word .doc or WPS file (an OLE compound file)"),
    (b"{\\rtf", "an RTF file"),
)
_OTHER_FORMATS = {
    ".doc": "an old Word .doc file",
    ".pdf": "a PDF",
    ".wps": "a WPS file",
    ".rtf": "an RTF file",
    ".odt": "an OpenDocument text",
}
MAX_SIZE = 50 * 1024 * 1024  # a circular with its pictures is a few MB; far above is no circular


@dataclass
class Outcome:
    """What became of one file: imported, imported but needing attention, or refused."""

    path: Path
    status: str
    message: str
    notes: list[str] = field(default_factory=list)
    text: str = ""  # what a dry run would have written


class Refused(Exception):
    """A file the import will not read; the message says why and what to do."""


def refusal(path: Path) -> str | None:
    """Why `path` cannot be imported as a Word .docx, before reading it; None if it may be."""
    try:
        if not path.is_file():
            return _("not a regular file") if path.exists() else _("no such file")
        size = path.stat().st_size
        if size == 0:
            return _("the file is empty")
        if size > MAX_SIZE:
            return _("the file is larger than {limit} MB").format(limit=MAX_SIZE // (1024 * 1024))
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as error:
        return _("the file cannot be read: {reason}").format(reason=error.strerror or error)
    for signature, kind in _SIGNATURES:
        if start.startswith(signature):
            return _("this is {kind}, not a .docx: open it in Word or WPS and save it as .docx").format(
                kind=kind
            )
    kind = _OTHER_FORMATS.get(path.suffix.lower())
    if kind:
        return _("this is {kind}, not a .docx: open it in Word or WPS and save it as .docx").format(kind=kind)
    if not start.startswith(b"PK"):
        return _("this is not a Word .docx file (it is no zip package)")
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            broken = package.testzip()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as error:
        return _("the .docx is corrupt (its zip package cannot be read: {reason})").format(reason=error)
    if broken is not None:
        return _("the .docx is corrupt ({part} is damaged)").format(part=broken)
    if "word/document.xml" not in names:
        return _("this zip holds no Word document (no word/document.xml)")
    return None


def import_all(
    paths: Iterable[Path],
    import_one: Callable[[Path], Outcome],
    progress: Callable[[list[Path]], Iterable[Path]] = lambda paths: paths,
) -> list[Outcome]:
    """Each file imported with `import_one`, or refused with the reason; in order.

    `import_one` raises Refused for a file it will not import (and writes nothing
    then); any other failure of the reader on a file is that file's refusal too,
    so one strange file never stops an archive of hundreds."""
    paths = list(paths)
    outcomes = []
    for path in progress(paths):
        reason = refusal(path)
        if reason is not None:
            outcomes.append(Outcome(path, REFUSED, reason))
            continue
        try:
            outcomes.append(import_one(path))
        except Refused as error:
            outcomes.append(Outcome(path, REFUSED, str(error)))
        except Exception as error:  # the reader met what no document of ours has: say so, go on
            reason = f"{type(error).__name__}: {error}"
            outcomes.append(
                Outcome(path, REFUSED, _("the document could not be read ({reason})").format(reason=reason))
            )
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """The closing line: how many were imported, need attention, were refused."""
    counts = {status: sum(o.status == status for o in outcomes) for status in (IMPORTED, ATTENTION, REFUSED)}
    return _(
        "{imported} imported, {attention} needing attention, {refused} refused, of {total} files"
    ).format(
        imported=counts[IMPORTED], attention=counts[ATTENTION], refused=counts[REFUSED], total=len(outcomes)
    )
