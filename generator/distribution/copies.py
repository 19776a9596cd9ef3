"""Numbered, addressed copies of one circular, made by patching one rendering.

A provincial federation sends a circular to thousands of grassroots unions:
the circular is rendered and written once, with placeholders where a copy
differs (its copy number, its addressee, its identifier in the document
properties), and each copy is that package with the placeholders replaced.
Only document.xml and core.xml change, so only they are compressed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ..docx.package import compress, write_parts
from ..docx.reference import CORE, DOCUMENT
from ..docx.writer import DocxWriter
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
            raise ValueError("the template does not print the copy number (copy.number)")
        digest = hashlib.sha256(write_parts(parts))
        for data in attachments:
            digest.update(hashlib.sha256(data).digest())
        return cls(circular, digest.hexdigest(), parts, document, core)

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
