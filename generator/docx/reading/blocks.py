"""A Word document's body as blocks in reading order: paragraphs, tables, breaks.

What Word shows is what import reads: tracked changes taken as accepted
(insertions and moved-to text kept, deletions and moved-from text dropped, a
deleted paragraph mark joining its paragraph to the next), field results
without their codes, content controls (w:sdt) opened, line breaks as "\n",
tabs as "\t", and the word joiners (U+2060) the writer puts inside dates and
numbers (docx/body.py) removed. Each paragraph keeps what classifying it
needs: its style, alignment, indentation and the boldness, size and font of
its runs. Tables keep their rows, header rows and merges (gridSpan, vMerge).

    document = read_docx(path)           # DocxReadError for what is not a .docx
    for block in document.blocks: ...     # Paragraph | Table | Break
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .package import DocxReadError, Package, open_package
from .styles import Styles, is_on, w

__all__ = ["Break", "Cell", "Document", "DocxReadError", "Paragraph", "Row", "Run", "Table", "read_docx"]

JOINER = "\u2060"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Elements whose content Word does not show as the paragraph's text: properties,
# tracked deletions, moved-from text, field codes, drawings and text boxes,
# comment and footnote marks.
_HIDDEN = {
    w(tag)
    for tag in (
        "pPr", "rPr", "del", "moveFrom", "delText", "instrText", "delInstrText", "drawing", "pict",
        "object", "footnoteReference", "endnoteReference", "commentReference", "annotationRef",
    )
} | {f"{{{_MC}}}AlternateContent"}  # fmt: skip


@dataclass
class Run:
    text: str
    bold: bool = False
    size: float | None = None
    """Font size in points, from the run, its styles or the document defaults."""
    font: str | None = None
    """The East Asian font (w:rFonts eastAsia), else the ASCII one."""


@dataclass
class Paragraph:
    text: str
    style_id: str | None = None
    style: str | None = None
    """The style's name as Word shows it (e.g. "Heading 1", "Title", "主送")."""
    alignment: str | None = None
    """w:jc as written: left/start, center, right/end, both, distribute; None when not set."""
    first_line: int = 0
    """First-line indent in twips (negative: hanging), from the paragraph, its style or the defaults."""
    first_line_chars: int = 0
    """First-line indent in hundredths of a character (w:firstLineChars), as WPS writes it."""
    left: int = 0
    """Left (start) indent in twips."""
    right: int = 0
    runs: list[Run] = field(default_factory=list)
    page_break_before: bool = False
    """The paragraph starts a page (pageBreakBefore, or a page break before its text)."""
    outline_level: int | None = None
    numbering: tuple[str, int] | None = None
    """(numId, level) of a Word list: its number is not in `text`."""

    @property
    def bold(self) -> bool:
        """Every run with visible text is bold."""
        visible = [run for run in self.runs if run.text.strip()]
        return bool(visible) and all(run.bold for run in visible)

    @property
    def size(self) -> float | None:
        """The largest font size of the runs with visible text."""
        sizes = [run.size for run in self.runs if run.text.strip() and run.size]
        return max(sizes) if sizes else None

    @property
    def font(self) -> str | None:
        return next((run.font for run in self.runs if run.text.strip() and run.font), None)


@dataclass
class Cell:
    blocks: list[Paragraph | Table] = field(default_factory=list)
    span: int = 1
    """Grid columns the cell covers (w:gridSpan)."""
    vmerge: str | None = None
    """"restart" for the first cell of a vertical merge, "continue" for those it covers."""

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks if isinstance(block, Paragraph))


@dataclass
class Row:
    cells: list[Cell]
    header: bool = False
    """Repeated as a header row on each page (w:tblHeader)."""
    skip_before: int = 0
    """Grid columns left empty before the first cell (w:gridBefore)."""


@dataclass
class Table:
    rows: list[Row]
    style: str | None = None
    columns: list[int] = field(default_factory=list)
    """Grid column widths in twips (w:tblGrid)."""

    @property
    def text(self) -> str:
        return "\n".join("\t".join(cell.text for cell in row.cells) for row in self.rows)


@dataclass
class Break:
    kind: str
    """"page", or "section" (a section ends here; the next starts on a new page unless continuous)."""
    landscape: bool = False
    """For a section break: the section that ends here is landscape."""


@dataclass
class Document:
    blocks: list[Paragraph | Table | Break]
    core: dict[str, str]
    """Core properties by local name (title, subject, creator, description, ...)."""
    custom: dict[str, str]
    """Custom document properties (docProps/custom.xml)."""
    landscape: bool = False
    """The last section (the body's own sectPr) is landscape."""

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph in reading order, those in table cells included."""
        found: list[Paragraph] = []
        _collect(self.blocks, found)
        return found


def _collect(blocks: list, found: list[Paragraph]) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            found.append(block)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    _collect(cell.blocks, found)


def read_docx(source: Path | bytes) -> Document:
    """The blocks and properties of a .docx (a path or its bytes).

    Raise DocxReadError when the file cannot be read as a Word document."""
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as error:
        raise DocxReadError(str(error.strerror or error)) from None
    package = open_package(raw)
    return _Reader(package).document()


class _Reader:
    def __init__(self, package: Package):
        self.package = package
        self.styles = Styles(package.styles)

    def document(self) -> Document:
        body = self.package.document.find(w("body"))
        blocks = self.blocks(body)
        last = body.find(w("sectPr"))
        return Document(blocks, self.package.core, self.package.custom, _landscape(last))

    def blocks(self, container: etree._Element) -> list:
        out: list = []
        pending: Paragraph | None = None  # a paragraph whose mark was deleted: it joins the next
        for element in _block_elements(container):
            if element.tag == w("tbl"):
                if pending is not None:
                    out.append(pending)
                    pending = None
                out.append(self.table(element))
                continue
            paragraph, break_after, section = self.paragraph(element)
            if pending is not None:
                paragraph.runs[:0] = pending.runs
                paragraph.text = pending.text + paragraph.text
                paragraph.page_break_before = paragraph.page_break_before or pending.page_break_before
                pending = None
            if _mark_deleted(element):
                pending = paragraph
                continue
            out.append(paragraph)
            if break_after:
                out.append(Break("page"))
            if section is not None:
                out.append(Break("section", _landscape(section)))
        if pending is not None and pending.text:
            out.append(pending)
        return out

    def paragraph(self, element: etree._Element) -> tuple[Paragraph, bool, etree._Element | None]:
        """The paragraph, whether a page break follows its text, and the section it ends."""
        ppr = element.find(w("pPr"))
        style_node = ppr.find(w("pStyle")) if ppr is not None else None
        style_id = style_node.get(w("val")) if style_node is not None else self.styles.default_paragraph
        styles = self.styles
        ind = styles.paragraph(ppr, style_id, "ind")
        jc = styles.paragraph(ppr, style_id, "jc")
        outline = styles.paragraph(ppr, style_id, "outlineLvl")
        numbering = styles.paragraph(ppr, style_id, "numPr")
        paragraph = Paragraph(
            text="",
            style_id=style_id,
            style=styles.names.get(style_id, style_id) if style_id else None,
            alignment=jc.get(w("val")) if jc is not None else None,
            page_break_before=is_on(styles.paragraph(ppr, style_id, "pageBreakBefore")),
            outline_level=_int(outline.get(w("val"))) if outline is not None else None,
        )
        if ind is not None:
            hanging = _int(ind.get(w("hanging")))
            paragraph.first_line = -hanging if hanging else _int(ind.get(w("firstLine")))
            paragraph.first_line_chars = _int(ind.get(w("firstLineChars"))) - _int(ind.get(w("hangingChars")))
            paragraph.left = _int(ind.get(w("left")) or ind.get(w("start")))
            paragraph.right = _int(ind.get(w("right")) or ind.get(w("end")))
        if numbering is not None:
            num_id, level = numbering.find(w("numId")), numbering.find(w("ilvl"))
            if num_id is not None and num_id.get(w("val")) not in (None, "0"):
                paragraph.numbering = (
                    num_id.get(w("val")),
                    _int(level.get(w("val")) if level is not None else "0"),
                )
        collector = _Text(self, style_id)
        collector.walk(element)
        paragraph.runs = collector.runs
        paragraph.text = "".join(run.text for run in collector.runs)
        if collector.page_break_at == 0:
            paragraph.page_break_before = True
        break_after = collector.page_break_at is not None and collector.page_break_at > 0
        section = ppr.find(w("sectPr")) if ppr is not None else None
        return paragraph, break_after, section

    def table(self, element: etree._Element) -> Table:
        tblpr = element.find(w("tblPr"))
        style = tblpr.find(w("tblStyle")) if tblpr is not None else None
        grid = element.find(w("tblGrid"))
        table = Table(
            rows=[],
            style=self.styles.names.get(style.get(w("val"))) if style is not None else None,
            columns=[_int(col.get(w("w"))) for col in grid.iter(w("gridCol"))] if grid is not None else [],
        )
        for tr in _children(element, "tr"):
            trpr = tr.find(w("trPr"))
            if trpr is not None and (trpr.find(w("del")) is not None):
                continue  # a deleted row, the change accepted
            before = trpr.find(w("gridBefore")) if trpr is not None else None
            row = Row(
                cells=[],
                header=trpr is not None and is_on(trpr.find(w("tblHeader"))),
                skip_before=_int(before.get(w("val"))) if before is not None else 0,
            )
            for tc in _children(tr, "tc"):
                tcpr = tc.find(w("tcPr"))
                if tcpr is not None and tcpr.find(w("cellDel")) is not None:
                    continue
                span = tcpr.find(w("gridSpan")) if tcpr is not None else None
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                row.cells.append(
                    Cell(
                        blocks=[b for b in self.blocks(tc) if not isinstance(b, Break)],
                        span=max(1, _int(span.get(w("val")))) if span is not None else 1,
                        vmerge=(vmerge.get(w("val")) or "continue") if vmerge is not None else None,
                    )
                )
            table.rows.append(row)
        return table


class _Text:
    """The visible text of one paragraph, run by run, with field codes left out."""

    def __init__(self, reader: _Reader, paragraph_style: str | None):
        self.styles = reader.styles
        self.paragraph_style = paragraph_style
        self.runs: list[Run] = []
        self.fields: list[bool] = []  # per open field: still in its code (before "separate")
        self.page_break_at: int | None = None  # characters before the first page break

    def walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _HIDDEN:
                continue
            if tag == w("r"):
                self.run(child)
            else:  # hyperlinks, insertions, moved-to text, content controls, smart tags, simple fields
                self.walk(child)

    def run(self, run: etree._Element) -> None:
        rpr = run.find(w("rPr"))
        pieces = []
        for child in run:
            tag = child.tag
            if tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self.fields.append(True)
                elif kind == "separate" and self.fields:
                    self.fields[-1] = False
                elif kind == "end" and self.fields:
                    self.fields.pop()
                continue
            if any(self.fields):
                continue
            if tag == w("t"):
                pieces.append((child.text or "").replace(JOINER, ""))
            elif tag == w("tab") or tag == w("ptab"):
                pieces.append("\t")
            elif tag == w("br"):
                if child.get(w("type")) == "page":
                    if self.page_break_at is None:
                        self.page_break_at = sum(len(r.text) for r in self.runs) + len("".join(pieces))
                elif child.get(w("type")) != "column":
                    pieces.append("\n")
            elif tag == w("cr"):
                pieces.append("\n")
            elif tag == w("noBreakHyphen"):
                pieces.append("-")
            elif tag == w("sym") and child.get(w("char")):
                with contextlib.suppress(ValueError):
                    pieces.append(chr(int(child.get(w("char")), 16)))
        text = "".join(pieces)
        if not text:
            return
        run_style = rpr.find(w("rStyle")) if rpr is not None else None
        run_style_id = run_style.get(w("val")) if run_style is not None else None
        size = self.styles.run(rpr, run_style_id, self.paragraph_style, "sz")
        fonts = self.styles.run(rpr, run_style_id, self.paragraph_style, "rFonts")
        self.runs.append(
            Run(
                text=text,
                bold=is_on(self.styles.run(rpr, run_style_id, self.paragraph_style, "b")),
                size=_int(size.get(w("val"))) / 2 if size is not None else None,
                font=(fonts.get(w("eastAsia")) or fonts.get(w("ascii"))) if fonts is not None else None,
            )
        )


def _block_elements(container: etree._Element):
    """Paragraphs and tables in order, looking inside content controls, custom XML and tracked insertions."""
    for child in container:
        tag = child.tag
        if tag in (w("p"), w("tbl")):
            yield child
        elif tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _block_elements(content)
        elif tag in (w("customXml"), w("ins"), w("moveTo")):
            yield from _block_elements(child)


def _children(element: etree._Element, tag: str):
    """Rows of a table or cells of a row, also those wrapped in content controls or custom XML."""
    for child in element:
        if child.tag == w(tag):
            yield child
        elif child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == w("customXml"):
            yield from _children(child, tag)


def _mark_deleted(paragraph: etree._Element) -> bool:
    mark = paragraph.find(f"{w('pPr')}/{w('rPr')}")
    return mark is not None and (mark.find(w("del")) is not None or mark.find(w("moveFrom")) is not None)


def _landscape(section: etree._Element | None) -> bool:
    size = section.find(w("pgSz")) if section is not None else None
    if size is None:
        return False
    return size.get(w("orient")) == "landscape" or _int(size.get(w("w"))) > _int(size.get(w("h")))


def _int(value: str | None) -> int:
    try:
        return int(float(value)) if value else 0
    except ValueError:
        return 0
