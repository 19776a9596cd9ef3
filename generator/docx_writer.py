"""The DOCX writer: a circular's rendered Markdown into a Word document.

The Markdown becomes HTML (Python-Markdown, the same extensions as the site),
and each block becomes a WordprocessingML paragraph or table whose style is
named by the block's class: `{: .doc-number }` → style "Doc Number",
`{: .signature .sealed }` → "Signature Sealed" (else "Signature"). Headings map
to "Heading 1" … "Heading 4", tables to "Circular Table". Styles, page setup and
footers come from the layout's reference document (templates/<layout>.docx),
loaded once per process; only the body, its hyperlinks and the document
properties are written per circular.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import markdown
from lxml import etree
from lxml import html as lxml_html

from . import gbt9704_rules
from .docx_package import read_parts, write_parts
from .markup import to_plain
from .model import Circular
from .numbering import document_number
from .registry import Registry
from .rendering import Rendered
from .templating import find_template_file
from .terminal import display_width

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
CORE = "docProps/core.xml"
MARKDOWN_EXTENSIONS = ["attr_list", "tables", "md_in_html"]

_HEADING_STYLES = {
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 4",
    "h6": "Heading 4",
}
_SPACE = re.compile(r"\s+")
_LATIN_WORD = re.compile(r"[!-~\u00a0-\u024f]+")  # runs that cannot break inside


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _sub(parent, tag: str, **attrs) -> etree._Element:
    element = etree.SubElement(parent, w(tag))
    for key, value in attrs.items():
        element.set(w(key), str(value))
    return element


def markdown_to_html(text: str) -> str:
    converter = _markdown()
    converter.reset()
    return converter.convert(text)


@functools.cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS)


class MissingStyle(Exception):
    pass


class ReferenceDocument:
    """A layout's reference .docx: its parts, style ids and page geometry."""

    def __init__(self, path: Path):
        self.path = path
        self.layout = path.stem
        self.parts = read_parts(path)
        root = etree.fromstring(self.parts[DOCUMENT])
        self.root_tag, self.nsmap, self.root_attrib = root.tag, root.nsmap, dict(root.attrib)
        body = root.find(w("body"))
        self.before_body = [child for child in root if child is not body]
        self.sect_pr = body.find(w("sectPr"))
        page, margins = self.sect_pr.find(w("pgSz")), self.sect_pr.find(w("pgMar"))
        self.left_margin = int(margins.get(w("left")))
        self.text_width = int(page.get(w("w"))) - self.left_margin - int(margins.get(w("right")))
        self.styles = etree.fromstring(self.parts["word/styles.xml"])
        self.style_ids = {
            style.find(w("name")).get(w("val")).lower(): style.get(w("styleId"))
            for style in self.styles.iter(w("style"))
            if style.find(w("name")) is not None
        }

    def style_id(self, name: str) -> str | None:
        return self.style_ids.get(name.lower())

    def style_value(self, name: str, path: str, attribute: str) -> str | None:
        """A property of a style, following basedOn up to the document defaults."""
        style_id = self.style_id(name)
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.find(f"{{{W}}}style[@{{{W}}}styleId='{style_id}']")
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
    """Loaded once per process (per version of the file)."""
    return ReferenceDocument(path)


def reference_for(project_root: Path, layout: str) -> ReferenceDocument:
    path = find_template_file(project_root, f"{layout}.docx")
    return load_reference(path, path.stat().st_mtime)


@dataclass
class Block:
    """A paragraph of the body with the classes it came from (for layout rules)."""

    element: etree._Element
    classes: tuple[str, ...]
    text: str


@dataclass
class Body:
    """Builds the body of one document from HTML."""

    reference: ReferenceDocument
    blocks: list[Block] = field(default_factory=list)
    elements: list[etree._Element] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    missing_styles: set[str] = field(default_factory=set)

    def style(self, names: list[str]) -> str:
        for name in names:
            found = self.reference.style_id(name)
            if found:
                return found
        self.missing_styles.add(names[0])
        return self.reference.style_id("Normal") or "Normal"

    # --- blocks ---------------------------------------------------------------

    def block(self, element, inherited: tuple[str, ...] = ()) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = tuple(element.get("class", "").split())
        if tag == "p":
            self.paragraph(element, classes or inherited, ["Normal"])
        elif tag == "h1":
            self.paragraph(element, classes, ["Title"])
        elif tag in _HEADING_STYLES:
            self.paragraph(element, classes, [_HEADING_STYLES[tag]])
        elif tag == "hr":
            self.paragraph(element, classes, ["Normal"])
        elif tag == "table":
            self.table(element)
        elif tag in ("ul", "ol"):
            for number, item in enumerate(element.iterchildren("li"), 1):
                prefix = f"{number}. " if tag == "ol" else "• "
                self.paragraph(item, classes, ["Normal"], prefix=prefix)
        elif tag in ("div", "blockquote", "section"):
            if element.text and element.text.strip():
                self.paragraph(element, classes or inherited, ["Normal"], children=False)
            for child in element:
                self.block(child, classes or inherited)
        elif tag == "pre":
            self.paragraph(element, classes, ["Normal"])

    def paragraph(
        self, element, classes: tuple[str, ...], fallback: list[str], prefix: str = "", children=True
    ):
        names = [_style_name(classes), _style_name(classes[:1])] if classes else []
        p = etree.Element(w("p"))
        ppr = _sub(p, "pPr")
        _sub(ppr, "pStyle", val=self.style([n for n in names if n] + fallback))
        text_parts: list[str] = []
        if prefix:
            self.run(p, prefix, {}, text_parts)
        self.inline(element, p, {}, text_parts, children)
        _trim_paragraph(p)
        self.elements.append(p)
        self.blocks.append(Block(p, classes, "".join(text_parts).strip()))
        return p

    def table(self, element) -> None:
        rows = [row for row in element.iter("tr")]
        if not rows:
            return
        cells = [[c for c in row if c.tag in ("td", "th")] for row in rows]
        unit = self.reference.font_size("Table Text") * 10  # a half-width character
        widths = _column_widths(cells, self.reference.text_width, unit)
        tbl = etree.Element(w("tbl"))
        tbl_pr = _sub(tbl, "tblPr")
        _sub(tbl_pr, "tblStyle", val=self.style(["Circular Table"]))
        _sub(tbl_pr, "tblW", w=self.reference.text_width, type="dxa")
        _sub(tbl_pr, "tblLayout", type="fixed")
        grid = _sub(tbl, "tblGrid")
        for width in widths:
            _sub(grid, "gridCol", w=width)
        for row in cells:
            tr = _sub(tbl, "tr")
            if row and row[0].tag == "th":
                _sub(_sub(tr, "trPr"), "tblHeader")  # repeats on every page
            for cell, width in zip(row, widths, strict=False):
                tc = _sub(tr, "tc")
                _sub(_sub(tc, "tcPr"), "tcW", w=width, type="dxa")
                style = "Table Heading" if cell.tag == "th" else "Table Text"
                p = _sub(tc, "p")
                _sub(_sub(p, "pPr"), "pStyle", val=self.style([style, "Normal"]))
                self.inline(cell, p, {}, [], True)
                _trim_paragraph(p)
        self.elements.append(tbl)

    def finish(self) -> list[etree._Element]:
        """The body's elements, with the empty paragraph Word needs between two
        tables and after a table that ends the document."""
        out: list[etree._Element] = []
        for element in self.elements:
            if out and out[-1].tag == w("tbl") and element.tag == w("tbl"):
                out.append(_empty_paragraph(self.style(["Normal"])))
            out.append(element)
        if out and out[-1].tag == w("tbl"):
            last = _empty_paragraph(self.style(["Normal"]))
            # a hairline high, so it never spills onto a page of its own
            _sub(last.find(w("pPr")), "spacing", before=0, after=0, line=20, lineRule="exact")
            out.append(last)
        return out

    # --- inline content -----------------------------------------------------

    def inline(self, element, p, fmt: dict, text_parts: list[str], children: bool = True) -> None:
        if element.text:
            self.run(p, element.text, fmt, text_parts)
        if not children:
            return
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("strong", "b"):
                self.inline(child, p, {**fmt, "b": True}, text_parts)
            elif tag in ("em", "i"):
                self.inline(child, p, {**fmt, "i": True}, text_parts)
            elif tag == "a":
                self.hyperlink(child, p, fmt, text_parts)
            elif tag == "br":
                _sub(_sub(p, "r"), "br")
            elif tag == "span":
                classes = child.get("class", "").split()
                if "right" in classes:  # pushed to the right margin by a right tab stop
                    _sub(_sub(p, "r"), "tab")
                    text_parts.append("\t")
                style = next((_style_name((c,)) for c in classes if c != "right"), None)
                char_style = self.reference.style_id(style) if style else None
                self.inline(child, p, {**fmt, "style": char_style} if char_style else fmt, text_parts)
            else:
                self.inline(child, p, fmt, text_parts)
            if child.tail:
                self.run(p, child.tail, fmt, text_parts)

    def run(self, parent, text: str, fmt: dict, text_parts: list[str]) -> None:
        text = _SPACE.sub(" ", text)
        if not text:
            return
        r = _sub(parent, "r")
        if fmt:
            rpr = _sub(r, "rPr")
            if fmt.get("style"):
                _sub(rpr, "rStyle", val=fmt["style"])
            if fmt.get("b"):
                _sub(rpr, "b")
            if fmt.get("i"):
                _sub(rpr, "i")
        t = _sub(r, "t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text_parts.append(text)

    def hyperlink(self, element, p, fmt: dict, text_parts: list[str]) -> None:
        href = element.get("href", "")
        if href in self.links:
            number = self.links.index(href) + 1
        else:
            self.links.append(href)
            number = len(self.links)
        link = _sub(p, "hyperlink")
        link.set(f"{{{R}}}id", f"rIdLink{number}")
        self.inline(element, link, {**fmt, "style": self.reference.style_id("Hyperlink")}, text_parts)


def _column_widths(rows: list[list], total: int, unit: float) -> list[int]:
    """Column widths (twips) for cells of text in half-width units of `unit` twips.

    Each column first gets its minimum: its longest Latin word, or up to four
    Chinese characters, so nothing short is broken; what is left of the width
    goes to the columns in proportion to how much longer their text is.
    """
    padding = 240  # cell margins and a little air
    columns = max(len(row) for row in rows)
    minimum, wanted = [4.0] * columns, [4.0] * columns
    for row in rows:
        for index, cell in enumerate(row):
            text = cell.text_content().strip()
            width = display_width(text)
            longest_word = max((display_width(word) for word in _LATIN_WORD.findall(text)), default=0)
            minimum[index] = max(minimum[index], longest_word, min(width, 8))
            wanted[index] = max(wanted[index], min(width, 60))
    minimum_twips = [m * unit + padding for m in minimum]
    if sum(minimum_twips) >= total:
        widths = [int(total * m / sum(minimum_twips)) for m in minimum_twips]
    else:
        spare = total - sum(minimum_twips)
        extra = [max(0.0, want - low) for want, low in zip(wanted, minimum, strict=True)]
        share = sum(extra) or columns
        widths = [
            int(low + spare * ((e if sum(extra) else 1) / share))
            for low, e in zip(minimum_twips, extra, strict=True)
        ]
    widths[-1] += total - sum(widths)
    return widths


def _style_name(classes: tuple[str, ...]) -> str:
    """`("doc-number", "upward")` → "Doc Number Upward"."""
    words = [word for cls in classes for word in cls.split("-")]
    return " ".join(word[:1].upper() + word[1:] for word in words)


def _empty_paragraph(style_id: str) -> etree._Element:
    p = etree.Element(w("p"))
    _sub(_sub(p, "pPr"), "pStyle", val=style_id)
    return p


def _trim_paragraph(p) -> None:
    """Drop the spaces HTML layout leaves at the ends of a paragraph."""
    texts = p.findall(f".//{{{W}}}t")
    if texts:
        texts[0].text = texts[0].text.lstrip()
        texts[-1].text = texts[-1].text.rstrip()


@dataclass
class WrittenDocx:
    data: bytes
    missing_styles: set[str]


class DocxWriter:
    """Writes circulars as .docx; one per process, reused for every document."""

    def __init__(self, project_root: Path, registry: Registry):
        self.project_root = project_root
        self.registry = registry

    def write(self, rendered: Rendered) -> WrittenDocx:
        reference = reference_for(self.project_root, rendered.layout)
        body = Body(reference)
        html = markdown_to_html(rendered.markdown)
        for element in lxml_html.fragments_fromstring(html) if html.strip() else []:
            if isinstance(element, str):
                continue
            body.block(element)
        if reference.layout == "gbt9704":
            gbt9704_rules.apply(body)
        parts = dict(reference.parts)
        parts[DOCUMENT] = self._document_xml(reference, body)
        if body.links:
            parts[DOCUMENT_RELS] = _with_links(reference.parts[DOCUMENT_RELS], body.links)
        parts[CORE] = core_properties(rendered.circular, self.registry)
        return WrittenDocx(write_parts(parts), body.missing_styles)

    @staticmethod
    def _document_xml(reference: ReferenceDocument, body: Body) -> bytes:
        root = etree.Element(reference.root_tag, nsmap=reference.nsmap)
        root.attrib.update(reference.root_attrib)
        for element in reference.before_body:
            root.append(copy.deepcopy(element))
        body_element = _sub(root, "body")
        body_element.extend(body.finish())
        body_element.append(copy.deepcopy(reference.sect_pr))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_links(rels: bytes, links: list[str]) -> bytes:
    root = etree.fromstring(rels)
    for number, href in enumerate(links, 1):
        rel = etree.SubElement(root, f"{{{PACKAGE_RELS}}}Relationship")
        rel.set("Id", f"rIdLink{number}")
        rel.set("Type", HYPERLINK)
        rel.set("Target", href)
        rel.set("TargetMode", "External")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def core_properties(circular: Circular, registry: Registry) -> bytes:
    """Title, subject, author, keywords, created = date of issue, language."""
    lang = circular.language
    issuers = "; ".join(registry.name(org, lang) for org in circular.issuer if org in registry.organizations)
    number = document_number(circular, registry)
    when = f"{circular.date.isoformat()}T00:00:00Z"
    values = {
        "dc:title": to_plain(circular.title),
        "dc:subject": number or circular.kind,
        "dc:creator": issuers,
        "cp:keywords": "; ".join(to_plain(tag) for tag in circular.tags),
        "dc:description": circular.id,
        "cp:lastModifiedBy": "Circulars",
        "cp:revision": "1",
        "cp:category": circular.kind,
        "dc:language": "zh-CN" if lang == "zh" else "en-GB",
    }
    fields = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in values.items())
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{fields}"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()
