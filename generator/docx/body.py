"""The body of a Word document, built from the HTML of a circular's rendered Markdown.

Each block becomes a WordprocessingML paragraph or table whose style is named
by the block's class: `{: .doc-number }` → style "Doc Number",
`{: .signature .sealed }` → "Signature Sealed" (else "Signature"). Headings map
to "Heading 1" … "Heading 4", tables to "Circular Table". Paragraphs stay data
until the end so that layout rules (gbt9704_rules.py) can adjust them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .reference import ReferenceDocument
from .tables import section_breaks, table_xml, type_area_height
from .text_width import UNBROKEN

_HEADING_STYLES = {
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 4",
    "h6": "Heading 4",
}
# HTML collapses only ASCII white space: an ideographic space (组　长) is kept,
# and so is a no-break space (&nbsp;) or one that starts a line (&#12288;)
_HTML_SPACE = " \t\n\r\f"
_SPACE = re.compile(f"[{_HTML_SPACE}]+")
# Text and attribute values as XML: the markup characters escaped, and the
# characters XML 1.0 forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF)
# dropped, so no text that reaches the writer can make a document Word refuses.
_FORBIDDEN = {c: None for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **_FORBIDDEN})
_XML_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", **_FORBIDDEN})


def xml_text(value: str) -> str:
    """A value to write as the text of an XML element."""
    return value.translate(_XML_TEXT)


# Dates and document numbers a renderer would otherwise break between a digit and
# a Chinese character (2024年4｜月18日) are joined by word joiners (U+2060), which
# forbid a break under the Unicode line-breaking rules. LibreOffice follows those
# only for text not in an Asian language (its Chinese rules let any two ideographs
# part, joiner or not): the run is marked as of no Asian language, which it then
# sets solid, without its space between digits and Chinese (measured:
# test_gbt9704_rules_pdf). pdftotext drops the joiner; python-docx and pandoc keep it.
_UNBROKEN_LANGUAGE = '<w:lang w:eastAsia="x-none"/>'


def _unbroken_pieces(text: str) -> list[tuple[str, bool]]:
    """The text in pieces, each with whether it is a date or number kept whole (joined)."""
    pieces, position = [], 0
    for match in UNBROKEN.finditer(text):
        pieces += [(text[position : match.start()], False), ("\u2060".join(match[0]), True)]
        position = match.end()
    pieces.append((text[position:], False))
    return [(piece, whole) for piece, whole in pieces if piece]


def xml_attribute(value: str) -> str:
    """A value to write between double quotes in an XML attribute."""
    return value.translate(_XML_ATTRIBUTE)


class Format(NamedTuple):
    """How a run of text looks: a character style, bold, italic, a size in half-points."""

    style: str = ""
    bold: bool = False
    italic: bool = False
    size: int = 0


PLAIN = Format()
LINE_BREAK = "<w:r><w:br/></w:r>"


@functools.cache
def _run_properties(fmt: Format) -> str:
    if fmt == PLAIN:
        return ""
    style = f'<w:rStyle w:val="{fmt.style}"/>' if fmt.style else ""
    size = f'<w:sz w:val="{fmt.size}"/><w:szCs w:val="{fmt.size}"/>' if fmt.size else ""
    return f"<w:rPr>{style}{'<w:b/>' if fmt.bold else ''}{'<w:i/>' if fmt.italic else ''}{size}</w:rPr>"


class Runs:
    """The runs of one paragraph, with the paragraph's plain text."""

    def __init__(self) -> None:
        self.items: list[list] = []  # ["t", format, text] or ["xml", markup, text]

    def text(self, text: str, fmt: Format) -> None:
        text = _SPACE.sub(" ", text)
        if text:
            self.items.append(["t", fmt, text])

    def xml(self, markup: str, text: str = "") -> None:
        self.items.append(["xml", markup, text])

    def plain(self) -> str:
        return "".join(item[2] for item in self.items)

    def render(self, size: int = 0) -> str:
        texts = [item for item in self.items if item[0] == "t"]
        if texts:  # drop the spaces HTML layout leaves at the ends of a paragraph (not U+3000)
            texts[0][2] = texts[0][2].lstrip(_HTML_SPACE)
            texts[-1][2] = texts[-1][2].rstrip(_HTML_SPACE)
        out = []
        for kind, value, text in self.items:
            if kind == "xml":
                out.append(value)
            elif text:
                fmt = value._replace(size=size) if size else value
                for piece, whole in _unbroken_pieces(text):
                    properties = _run_properties(fmt)
                    if whole:
                        properties = (properties or "<w:rPr></w:rPr>").replace(
                            "</w:rPr>", f"{_UNBROKEN_LANGUAGE}</w:rPr>"
                        )
                    piece = piece.translate(_XML_TEXT)
                    out.append(f'<w:r>{properties}<w:t xml:space="preserve">{piece}</w:t></w:r>')
        return "".join(out)


# Paragraph properties a layout rule may add, in the order the schema wants them.
_PROPERTY_ORDER = ("keepNext", "pageBreakBefore", "framePr", "snapToGrid", "spacing", "ind", "jc")


def _empty_element(tag: str, attributes: dict[str, int]) -> str:
    return f"<w:{tag}" + "".join(f' w:{key}="{value}"' for key, value in attributes.items()) + "/>"


@dataclass
class Paragraph:
    """A paragraph of the body, kept as data until the end so that layout rules
    (gbt9704_rules.py) can adjust it knowing its classes and text."""

    style: str
    runs: Runs
    classes: tuple[str, ...]
    text: str
    properties: dict[str, dict[str, int]] = field(default_factory=dict)
    run_size: int = 0  # half-points; 0 keeps the style's size

    def xml(self) -> str:
        extra = "".join(
            _empty_element(tag, self.properties[tag]) for tag in _PROPERTY_ORDER if tag in self.properties
        )
        runs = self.runs.render(self.run_size)
        return f'<w:p><w:pPr><w:pStyle w:val="{self.style}"/>{extra}</w:pPr>{runs}</w:p>'


@dataclass
class Body:
    """Builds the body of one document from HTML.

    Paragraphs stay data (`Paragraph`) and tables are XML text until `xml()`
    joins them: several times faster than building each element with lxml.
    """

    reference: ReferenceDocument
    items: list[Paragraph | str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    missing_styles: set[str] = field(default_factory=set)
    landscape: bool = False  # writing a table block on a landscape page
    tail: str | None = None  # the document's last section, if not the reference's

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [item for item in self.items if isinstance(item, Paragraph)]

    def style(self, names: tuple[str, ...]) -> str:
        """The id of the first style of `names` the reference has, escaped for an
        XML attribute (a reference edited by hand may have any id)."""
        for name in names:
            found = self.reference.style_id(name)
            if found:
                return xml_attribute(found)
        self.missing_styles.add(names[0])
        return xml_attribute(self.reference.style_id("Normal") or "Normal")

    def paragraph_style(self, classes: tuple[str, ...], fallback: str) -> str:
        """ "Doc Number Upward" for classes doc-number and upward, else "Doc Number", else the fallback."""
        key = (classes, fallback)
        if key not in self.reference.paragraph_styles:
            names = (_style_name(classes), _style_name(classes[:1]), fallback) if classes else (fallback,)
            self.reference.paragraph_styles[key] = self.style(names)
        return self.reference.paragraph_styles[key]

    # --- blocks ---------------------------------------------------------------

    def block(self, element, inherited: tuple[str, ...] = ()) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = tuple(element.get("class", "").split())
        if tag == "p":
            self.paragraph(element, classes or inherited, "Normal")
        elif tag == "h1":
            self.paragraph(element, classes, "Title")
        elif tag in _HEADING_STYLES:
            self.paragraph(element, classes, _HEADING_STYLES[tag])
        elif tag == "hr":
            self.paragraph(element, classes, "Normal")
        elif tag == "table":
            self.table(element)
        elif tag in ("ul", "ol"):
            for number, item in enumerate(element.iterchildren("li"), 1):
                prefix = f"{number}. " if tag == "ol" else "• "
                self.paragraph(item, classes, "Normal", prefix=prefix)
        elif tag == "div" and "landscape" in classes and not self.landscape:
            # a wide table on a landscape page of its own (docx/tables.py), with the
            # 附件 mark and title it follows: never a page holding those alone
            portrait, landscape, _width = section_breaks(self.reference)
            heading = self._attachment_heading()
            self.items.append(portrait)
            self.items += heading
            self.landscape = True
            for child in element:
                self.block(child, inherited)
            self.landscape = False
            self.items.append(landscape)
        elif tag in ("div", "blockquote", "section"):
            if element.text and element.text.strip():
                self.paragraph(element, classes or inherited, "Normal", children=False)
            for child in element:
                self.block(child, classes or inherited)
        elif tag == "pre":
            self.paragraph(element, classes, "Normal")

    def _attachment_heading(self) -> list[Paragraph]:
        """The attachment's mark and title just written, taken off the end of the body
        to go on the landscape page after them; the section break starts that page,
        so the mark's own page break is turned off."""
        tail = self.items[-2:]
        kinds = [item.classes[:1] if isinstance(item, Paragraph) else () for item in tail]
        if kinds != [("attachment-label",), ("attachment-title",)]:
            return []
        del self.items[-2:]
        tail[0].properties["pageBreakBefore"] = {"val": 0}
        return tail

    def paragraph(self, element, classes: tuple[str, ...], fallback: str, prefix: str = "", children=True):
        runs = Runs()
        if prefix:
            runs.text(prefix, PLAIN)
        self.inline(element, runs, PLAIN, children)
        style = self.paragraph_style(classes, fallback)
        self.items.append(Paragraph(style, runs, classes, runs.plain().strip(_HTML_SPACE)))

    def table(self, element) -> None:
        width = section_breaks(self.reference)[2] if self.landscape else self.reference.text_width
        height = type_area_height(self.reference, self.landscape)
        written = table_xml(element, self.reference, self.style, self.cell_runs, width, height)
        if written:
            self.items.append(written)

    def cell_runs(self, cell, size: int = 0) -> str:
        """A cell's runs; `size` in half-points, 0 for the style's."""
        runs = Runs()
        self.inline(cell, runs, PLAIN)
        return runs.render(size)

    # --- inline content -----------------------------------------------------

    def inline(self, element, runs: Runs, fmt: Format, children: bool = True) -> None:
        if element.text:
            runs.text(element.text, fmt)
        if not children:
            return
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("strong", "b"):
                self.inline(child, runs, fmt._replace(bold=True))
            elif tag in ("em", "i"):
                self.inline(child, runs, fmt._replace(italic=True))
            elif tag == "a":
                self.hyperlink(child, runs, fmt)
            elif tag == "br":
                runs.xml(LINE_BREAK, "\n")
            elif tag == "span":
                classes = child.get("class", "").split()
                if "right" in classes:  # pushed to the right margin by a right tab stop
                    runs.xml("<w:r><w:tab/></w:r>", "\t")
                style = next((_style_name((c,)) for c in classes if c != "right"), None)
                char_style = self.reference.style_id(style) if style else None
                char_style = xml_attribute(char_style) if char_style else None
                self.inline(child, runs, fmt._replace(style=char_style) if char_style else fmt)
            else:
                self.inline(child, runs, fmt)
            if child.tail:
                runs.text(child.tail, fmt)

    def hyperlink(self, element, runs: Runs, fmt: Format) -> None:
        href = element.get("href", "").translate(_FORBIDDEN)
        if href not in self.links:
            self.links.append(href)
        runs.xml(f'<w:hyperlink r:id="rIdLink{self.links.index(href) + 1}">')
        self.inline(
            element, runs, fmt._replace(style=xml_attribute(self.reference.style_id("Hyperlink") or ""))
        )
        runs.xml("</w:hyperlink>")

    # --- the document ---------------------------------------------------------

    def _space_before(self, paragraph: Paragraph) -> int:
        """The space above a paragraph: its own, or its style's (twips)."""
        own = paragraph.properties.get("spacing", {}).get("before")
        if own is not None:
            return own
        names = {style_id: name for name, style_id in self.reference.style_ids.items()}
        before = self.reference.style_value(names.get(paragraph.style, "normal"), "w:pPr/w:spacing", "before")
        return int(before) if before and before.isdigit() else 0

    def xml(self) -> str:
        """The body's XML, with the empty paragraph Word needs between two tables
        and after a table that ends the document."""
        out: list[str] = []
        previous_table = False
        # the space a layout keeps between paragraphs (its Normal's space after), kept
        # above a paragraph after a table too: a table's last row has none below it
        gap = int(self.reference.style_value("Normal", "w:pPr/w:spacing", "after") or 0)
        for item in self.items:
            is_table = isinstance(item, str) and item.startswith("<w:tbl")
            if previous_table and is_table:
                out.append(f'<w:p><w:pPr><w:pStyle w:val="{self.style(("Normal",))}"/></w:pPr></w:p>')
            if previous_table and gap and isinstance(item, Paragraph) and self._space_before(item) < gap:
                item.properties.setdefault("spacing", {})["before"] = gap
            out.append(item if isinstance(item, str) else item.xml())
            previous_table = is_table
        if previous_table:
            # a hairline high, so it never spills onto a page of its own
            out.append(
                f'<w:p><w:pPr><w:pStyle w:val="{self.style(("Normal",))}"/>'
                '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr></w:p>'
            )
        return "".join(out)


def _style_name(classes: tuple[str, ...]) -> str:
    """`("doc-number", "upward")` → "Doc Number Upward"."""
    words = [word for cls in classes for word in cls.split("-")]
    return " ".join(word[:1].upper() + word[1:] for word in words)
