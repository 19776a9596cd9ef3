"""Numbered, addressed copies of one circular, made by patching one rendering.

A provincial federation sends a circular to thousands of grassroots unions:
the circular is rendered and written once, with placeholders where a copy
differs (its copy number, its addressee, its identifier in the document
properties), and each copy is that package with the placeholders replaced.
Only document.xml and core.xml change, so only they are compressed again.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from ..docx.package import compress, write_parts
from ..docx.reference import CORE, DOCUMENT
from ..docx.writer import DocxWriter
from ..i18n import _
from ..render.renderer import CopyMarks, Renderer
from ..source.model import Circular

# Placeholders: plain letters, so escaping for Markdown and XML leaves them be.
NUMBER_SLOT = "CIRCULARSCOPYNUMBERSLOT"
RECIPIENT_SLOT = "CIRCULARSRECIPIENTSLOT"
IDENTIFIER_SLOT = "CIRCULARSCOPYIDENTIFIERSLOT"
IDENTIFIER_PREFIX = "circulars"


def copy_number_text(number: int) -> str:
    """GB/T 9704 prints a copy number in six digits: 000123."""
    return f"{number:06d}"


def identifier(circular_id: str, edition: str, copy_number: int, recipient_id: str) -> str:
    """What a copy says it is, in its document properties (dc:identifier)."""
    return f"{IDENTIFIER_PREFIX}:{circular_id}:{edition[:16]}:{copy_number_text(copy_number)}:{recipient_id}"


def parse_identifier(value: str) -> tuple[str, str, int, str] | None:
    parts = value.split(":")
    if len(parts) != 5 or parts[0] != IDENTIFIER_PREFIX or not parts[3].isdigit():
        return None
    return parts[1], parts[2], int(parts[3]), parts[4]


CORE_LIMIT = 1 << 20  # document properties are a few hundred bytes; more is not a copy of ours
# python-docx writes a bare <dc:identifier>; openpyxl (a return form) declares its namespace on it
_IDENTIFIER = re.compile(rb"<dc:identifier(?:\s[^>]*)?>([^<]*)</dc:identifier>")


class NotACopy(Exception):
    """The file is not a distributed copy; the message says why."""


def read_identifier(path: Path) -> str | None:
    """The copy identifier in a .docx's document properties (None when it has none).

    Reads only docProps/core.xml, and at most CORE_LIMIT bytes of it, so a
    crafted zip (a bomb, a part compressed in a way zipfile cannot read, bytes
    that are not UTF-8) is NotACopy with a reason, never a crash or a flood."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise NotACopy(_("{path}: not a regular file").format(path=path))
        with zipfile.ZipFile(path) as package:
            try:
                info = package.getinfo(CORE)
            except KeyError:
                return None
            if info.file_size > CORE_LIMIT:
                raise NotACopy(
                    _("{path}: its document properties ({core}) are too large to be a copy's").format(
                        path=path, core=CORE
                    )
                )
            with package.open(info) as part:
                core = part.read(CORE_LIMIT + 1)
    except NotACopy:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, ValueError) as error:
        raise NotACopy(_("{path}: not a Word document ({error})").format(path=path, error=error)) from None
    except NotImplementedError as error:  # a compression method zipfile does not know
        raise NotACopy(
            _("{path}: not a Word document as Word writes them ({error})").format(path=path, error=error)
        ) from None
    except RuntimeError as error:  # an encrypted part
        raise NotACopy(
            _("{path}: cannot read its document properties ({error})").format(path=path, error=error)
        ) from None
    except OSError as error:
        raise NotACopy(
            _("{path}: cannot read it: {value}").format(path=path, value=error.strerror or error)
        ) from None
    if len(core) > CORE_LIMIT:
        raise NotACopy(
            _("{path}: its document properties ({core}) are too large to be a copy's").format(
                path=path, core=CORE
            )
        )
    match = _IDENTIFIER.search(core)
    if match is None:
        return None
    try:
        return unescape(match.group(1).decode("utf-8"))
    except UnicodeDecodeError:
        raise NotACopy(_("{path}: its document properties are not valid UTF-8").format(path=path)) from None


@dataclass
class CopyMaker:
    """One circular rendered once, ready to stamp copies from."""

    circular: Circular
    edition: str  # SHA-256 of the document (with its placeholders) and attachments
    _parts: dict
    _document: bytes
    _core: bytes

    @classmethod
    def prepare(
        cls, circular: Circular, renderer: Renderer, writer: DocxWriter, attachments: list[bytes]
    ) -> CopyMaker:
        rendered = renderer.render(circular, copy=CopyMarks(NUMBER_SLOT, RECIPIENT_SLOT))
        parts, _missing = writer.parts(rendered, identifier=IDENTIFIER_SLOT)
        document, core = parts[DOCUMENT], parts[CORE]
        if NUMBER_SLOT.encode() not in document:
            raise ValueError(_("the template does not print the copy number (copy.number)"))
        digest = hashlib.sha256(write_parts(parts))
        for data in attachments:
            digest.update(hashlib.sha256(data).digest())
        return cls(circular, digest.hexdigest(), parts, document, core)

    def template(self) -> bytes:
        """The copy template as a Word document, its placeholders in place."""
        return write_parts(self._parts)

    def with_document(self, document: bytes) -> CopyMaker:
        """The same edition stamped from another document.xml (its 版记 page settled:
        closing.py), its placeholders still in it."""
        parts = dict(self._parts)
        parts[DOCUMENT] = document
        return CopyMaker(self.circular, self.edition, parts, document, self._core)

    def make(self, copy_number: int, recipient_id: str, recipient_name: str) -> bytes:
        """The .docx of one copy: byte-identical every time for the same copy."""
        document = self._document.replace(
            NUMBER_SLOT.encode(), copy_number_text(copy_number).encode()
        ).replace(RECIPIENT_SLOT.encode(), escape(recipient_name).encode("utf-8"))
        stamp = identifier(self.circular.id, self.edition, copy_number, recipient_id)
        core = self._core.replace(IDENTIFIER_SLOT.encode(), escape(stamp).encode("utf-8"))
        parts = dict(self._parts)
        parts[DOCUMENT] = compress(document)
        parts[CORE] = core
        return write_parts(parts)
