"""Opening a .docx for reading: its zip, within bounds, and the parts import reads.

The package is read with zipfile and lxml rather than through python-docx's
object model, which shows only a paragraph's direct runs: text inside tracked
insertions, moves, hyperlinks and content controls would be lost. A .doc, .pdf
or .wps renamed to .docx, a damaged zip or one that inflates past reason is
refused with DocxReadError, whose message follows the file's name.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ...i18n import _

MAX_INFLATED_BYTES = 200 * 1024 * 1024
"""The most a document's zip members may hold uncompressed, all together."""
MAX_ZIP_MEMBERS = 5000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_STRICT_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_STYLES = "/styles"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CORE_NAMES = {
    "http://purl.org/dc/elements/1.1/": "",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": "",
    "http://purl.org/dc/terms/": "",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .wps, .xls, or an encrypted .docx


class DocxReadError(Exception):
    """A file that cannot be read as a Word document; the message follows its name."""


@dataclass
class Package:
    """The parsed parts import reads: the main document, its styles, its properties."""

    document: etree._Element
    styles: etree._Element | None
    core: dict[str, str] = field(default_factory=dict)
    """Core properties by local name: title, subject, creator, description, ..."""
    custom: dict[str, str] = field(default_factory=dict)
    """Custom document properties (docProps/custom.xml), as text."""


def open_package(raw: bytes) -> Package:
    """The parts of a .docx given as bytes; DocxReadError if it is not one."""
    if raw.startswith(_OLE):
        raise DocxReadError(
            _(
                "is an old Word (.doc) or WPS file, or a password-protected one: "
                "save it as .docx and import that"
            )
        )
    if raw.startswith(b"%PDF"):
        raise DocxReadError(_("is a PDF file, not a Word document: import the .docx it was made from"))
    if not raw:
        raise DocxReadError(_("is empty: it holds no Word document"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise DocxReadError(
            _("is not a Word document (.docx) that can be read: the file is damaged or of another kind")
        ) from None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
        raise DocxReadError(
            _("holds more than a Word document can: at most {count} parts and {size} MB uncompressed").format(
                count=MAX_ZIP_MEMBERS, size=MAX_INFLATED_BYTES // 2**20
            )
        )
    names = {member.filename for member in members}
    try:
        main = _main_part(archive, names)
        if main is None:
            raise DocxReadError(_("is a zip file but not a Word document: it has no word/document.xml"))
        document = _xml(archive, main)
        if document.find(f"{{{W}}}body") is None:
            raise DocxReadError(_("is not a Word document: its main part has no body"))
        styles_name = _related(archive, names, main, _STYLES) or "word/styles.xml"
        styles = _xml(archive, styles_name) if styles_name in names else None
        core = _core(archive) if "docProps/core.xml" in names else {}
        custom = _custom(archive) if "docProps/custom.xml" in names else {}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError):
        raise DocxReadError(_("is a damaged Word document: its zip cannot be read whole")) from None
    except etree.XMLSyntaxError as error:
        raise DocxReadError(
            _("is a damaged Word document: a part is not well-formed XML ({error})").format(error=error)
        ) from None
    return Package(document, styles, core, custom)


def _parser() -> etree.XMLParser:
    # huge_tree: a long paragraph's text node may pass libxml2's 10 MB default
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name), _parser())


def _main_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        for rel in _xml(archive, "_rels/.rels").iter(f"{{{_RELS}}}Relationship"):
            if rel.get("Type") in (_OFFICE_DOCUMENT, _STRICT_DOCUMENT):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    return "word/document.xml" if "word/document.xml" in names else None


def _related(archive: zipfile.ZipFile, names: set[str], part: str, type_suffix: str) -> str | None:
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return None
    for rel in _xml(archive, rels).iter(f"{{{_RELS}}}Relationship"):
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            return posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
    return None


def _core(archive: zipfile.ZipFile) -> dict[str, str]:
    root = _xml(archive, "docProps/core.xml")
    return {etree.QName(child).localname: (child.text or "") for child in root if isinstance(child.tag, str)}


def _custom(archive: zipfile.ZipFile) -> dict[str, str]:
    root = _xml(archive, "docProps/custom.xml")
    values = {}
    for prop in root.iter(f"{{{_CUSTOM}}}property"):
        name = prop.get("name")
        value = next((child for child in prop if isinstance(child.tag, str)), None)
        if name and value is not None:
            values[name] = value.text or ""
    return values
