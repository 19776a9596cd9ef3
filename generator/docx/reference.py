"""A layout's reference document (templates/<layout>.docx): styles, page setup, footers.

Loaded once per process and shared by every document written with the layout:
its parts are compressed once, and the style ids and the page geometry the
layout rules need are read from it. A secretary restyles a layout by editing
this file in Word.
"""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..render.renderer import RenderError
from ..source.templates import find_template_file
from .package import compress, read_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
CORE = "docProps/core.xml"
CUSTOM = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"


@functools.cache
def w(tag: str) -> str:
    """The qualified name of a WordprocessingML tag or attribute."""
    return f"{{{W}}}{tag}"


class ReferenceDocumentError(RenderError):
    """A reference document that cannot be used; the message names the file.

    A kind of template error: the reference document is a template that users
    edit (in Word, or by hand)."""


class _Unusable(Exception):
    """Why a reference document cannot be used."""


class ReferenceDocument:
    """A layout's reference .docx: its parts, style ids and page geometry."""

    def __init__(self, path: Path):
        self.path = path
        self.layout = path.stem
        self.parts = with_custom_part(read_parts(path))
        # compressed once: most parts are copied unchanged into every document
        self.entries = {name: compress(data) for name, data in self.parts.items()}
        root = self._xml(DOCUMENT)
        body = root.find(w("body"))
        self.sect_pr = body.find(w("sectPr"))
        # the document around the body text: everything up to <w:body>, the page
        # setup (sectPr) and the closing tags, as XML text to put a new body into
        text = self.parts[DOCUMENT].decode("utf-8")
        body_start = re.search(r"<w:body[^>]*>", text)
        self.document_head = text[: body_start.end()]
        self.document_tail = etree.tostring(self.sect_pr, encoding="unicode") + "</w:body></w:document>"
        page, margins = self.sect_pr.find(w("pgSz")), self.sect_pr.find(w("pgMar"))
        self.left_margin = int(margins.get(w("left")))
        self.text_width = int(page.get(w("w"))) - self.left_margin - int(margins.get(w("right")))
        self.styles = self._xml("word/styles.xml")
        self.paragraph_styles: dict[tuple, str] = {}  # classes → style id, filled as documents are written
        self.style_ids = {
            style.find(w("name")).get(w("val")).lower(): style.get(w("styleId"))
            for style in self.styles.iter(w("style"))
            if style.find(w("name")) is not None and style.get(w("styleId"))
        }
        self.style_elements = {style.get(w("styleId")): style for style in self.styles.iter(w("style"))}

    def _xml(self, part: str) -> etree._Element:
        if part not in self.parts:
            raise _Unusable(f"it has no part {part}")
        try:
            return etree.fromstring(self.parts[part])
        except etree.XMLSyntaxError as error:
            raise _Unusable(f"its part {part} is not well-formed XML ({error})") from None

    def style_id(self, name: str) -> str | None:
        return self.style_ids.get(name.lower())

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one reference document per layout per process
    def style_value(self, name: str, path: str, attribute: str) -> str | None:
        """A property of a style, following basedOn up to the document defaults."""
        style_id = self.style_id(name)
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.style_elements.get(style_id)
            if style is None:
                break
            found = style.find(path, {"w": W})
            if found is not None and found.get(w(attribute)) is not None:
                return found.get(w(attribute))
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None
        default = self.styles.find(f"w:docDefaults//{path}", {"w": W})
        return default.get(w(attribute)) if default is not None else None

    def font_size(self, name: str) -> float:
        """Font size of a paragraph style in points."""
        return int(self.style_value(name, "w:rPr/w:sz", "val") or 24) / 2


@functools.cache
def load_reference(path: Path, mtime: float) -> ReferenceDocument:
    """Loaded once per process; `mtime` is in the cache key so an edited file is read again.

    A file that is not a Word document (saved in another format, truncated,
    edited by hand) is a ReferenceDocumentError naming it, never a traceback."""
    try:
        return ReferenceDocument(path)
    except zipfile.BadZipFile:
        reason = "it is not a Word document (a .docx is a zip file: save it again from Word as .docx)"
    except _Unusable as error:
        reason = str(error)
    except UnicodeDecodeError as error:
        reason = f"its XML is not UTF-8 ({error.reason})"
    except (AttributeError, TypeError, ValueError) as error:
        reason = f"its page setup (w:body/w:sectPr with w:pgSz and w:pgMar) is missing or broken ({error})"
    except (OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as error:
        reason = f"it cannot be read ({getattr(error, 'strerror', None) or error})"
    raise ReferenceDocumentError(f"{path}: cannot use this reference document: {reason}")


def reference_for(project_root: Path, layout: str) -> ReferenceDocument:
    path = find_template_file(project_root, f"{layout}.docx")
    try:
        mtime = path.stat().st_mtime
    except OSError as error:
        raise ReferenceDocumentError(
            f"{path}: cannot read this reference document: {error.strerror}"
        ) from None
    return load_reference(path, mtime)


def with_custom_part(parts: dict[str, bytes]) -> dict[str, bytes]:
    """A reference document's parts declaring docProps/custom.xml (its content type and
    the package's relationship to it), once, so every document written from it may hold one."""
    types, rels = (
        parts.get("[Content_Types].xml", b"").decode("utf-8"),
        parts.get("_rels/.rels", b"").decode("utf-8"),
    )
    if not types or not rels or _CUSTOM_REL in rels:
        return parts
    override = f'<Override PartName="/{CUSTOM}" ContentType="{_CUSTOM_TYPE}"/>'
    relationship = f'<Relationship Id="rIdCustomProperties" Type="{_CUSTOM_REL}" Target="{CUSTOM}"/>'
    patched = dict(parts)
    patched["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode("utf-8")
    patched["_rels/.rels"] = rels.replace("</Relationships>", relationship + "</Relationships>").encode(
        "utf-8"
    )
    return patched
