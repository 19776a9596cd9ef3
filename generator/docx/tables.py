"""Tables in a Word document, as a secretariat sets them in Word.

From an HTML table of the rendered Markdown (render/tables.py, or a pipe table):
the header rows (<thead>) repeat at the top of every page (w:tblHeader), no row
breaks across a page (w:cantSplit), merged cells span (w:gridSpan across,
w:vMerge down, a continuation cell in each row below), the widths the columns
were given are kept and the rest shared by how much text each column holds,
and the table sits on the type area's margins (GB/T 9704 §7.3.3 practice). A
table marked landscape gets a landscape section of its own: the page turned
with the same type area, its header facing the binding edge, and the same
footers, so the page numbers keep their odd-right, even-left places.

The cells' text is written by the body (body.py), which hands its inline
writer in: this module knows tables, the body knows runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from lxml import etree

from .reference import ReferenceDocument, w
from .text_width import display_width

# runs that cannot break inside: Latin words and numbers, and dates (2024年9月30日)
_LATIN_WORD = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|[!-~\u00a0-\u024f]+")
# the tables' left cell margin (reference_docs.py): indented by it, a table's borders
# line up with the margins instead of hanging into the left one
CELL_MARGIN = 85
TWIPS_PER_MM = 1440 / 25.4
_LENGTH = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*(mm|cm|%)")
_ALIGN = {"align-left": "left", "align-center": "center", "align-right": "right"}

CellWriter = Callable[[object], str]  # a cell element → the runs of its paragraph
StyleFinder = Callable[[tuple[str, ...]], str]  # style names → the id of the first found


def table_xml(element, reference: ReferenceDocument, style: StyleFinder, runs: CellWriter, width: int) -> str:
    """The WordprocessingML of one HTML <table>, `width` twips wide."""
    rows = [(row, [c for c in row if c.tag in ("td", "th")]) for row in element.iter("tr")]
    rows = [(row, cells) for row, cells in rows if cells]
    if not rows:
        return ""
    columns = _column_count([cells for _, cells in rows])
    unit = reference.font_size("Table Text") * 10  # a half-width character
    widths = _widths(element, [cells for _, cells in rows], columns, width, unit)
    styles = {"th": style(("Table Heading", "Normal")), "td": style(("Table Text", "Normal"))}
    grid = "".join(f'<w:gridCol w:w="{w_}"/>' for w_ in widths)
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style(("Circular Table",))}"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/>'
        f'<w:tblInd w:w="{CELL_MARGIN}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    below: dict[int, list[int]] = {}  # start column → [rows still to cover, colspan]
    for row, cells in rows:
        header = row.getparent().tag == "thead" or all(c.tag == "th" for c in cells)
        height = _length(row.get("style", ""), "height")
        properties = "<w:cantSplit/>"
        if height:
            properties += f'<w:trHeight w:val="{round(height)}" w:hRule="atLeast"/>'
        if header:
            properties += "<w:tblHeader/>"
        out.append(f"<w:tr><w:trPr>{properties}</w:trPr>")
        column, pending = 0, iter(cells)
        while column < columns:
            if column in below:  # the cell above runs down through this row
                span = below[column][1]
                out.append(_cell(widths, column, span, "<w:vMerge/>", ""))
                below[column][0] -= 1
                if not below[column][0]:
                    del below[column]
                column += span
                continue
            cell = next(pending, None)
            if cell is None:
                break
            span = min(_number(cell.get("colspan")), columns - column)
            down = _number(cell.get("rowspan"))
            merge = '<w:vMerge w:val="restart"/>' if down > 1 else ""
            if down > 1:
                below[column] = [down - 1, span]
            align = next((_ALIGN[c] for c in cell.get("class", "").split() if c in _ALIGN), None)
            jc = f'<w:jc w:val="{align}"/>' if align else ""
            paragraph = f'<w:p><w:pPr><w:pStyle w:val="{styles[cell.tag]}"/>{jc}</w:pPr>{runs(cell)}</w:p>'
            out.append(_cell(widths, column, span, merge, paragraph))
            column += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _cell(widths: list[int], column: int, span: int, merge: str, paragraph: str) -> str:
    width = sum(widths[column : column + span])
    grid_span = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    properties = f'<w:tcW w:w="{width}" w:type="dxa"/>{grid_span}{merge}'  # text at the top, as Word sets it
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{paragraph or '<w:p/>'}</w:tc>"


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def _column_count(rows: list[list]) -> int:
    """How many columns the rows fill, counting the places rowspans cover."""
    covered: dict[int, int] = {}  # row index → places covered by cells above
    columns = 0
    for r, cells in enumerate(rows):
        filled = covered.pop(r, 0)
        for cell in cells:
            span, down = _number(cell.get("colspan")), _number(cell.get("rowspan"))
            filled += span
            for below in range(r + 1, r + down):
                covered[below] = covered.get(below, 0) + span
        columns = max(columns, filled)
    return columns


def _length(style: str, name: str, total: int = 0) -> float | None:
    """A width or height from a style attribute, in twips (a share of `total` for %)."""
    for key, number, unit in _LENGTH.findall(style):
        if key == name:
            value = float(number)
            return total * value / 100 if unit == "%" else value * TWIPS_PER_MM * (10 if unit == "cm" else 1)
    return None


def _widths(element, rows: list[list], columns: int, total: int, unit: float) -> list[int]:
    """The columns' widths across the whole type area: those given (<col style="width:
    …">) in proportion, the others sharing what is left by how much text they hold."""
    given = [_length(col.get("style", ""), "width", total) for col in element.iter("col")][:columns]
    given += [None] * (columns - len(given))
    fixed = sum(g for g in given if g is not None)
    free = [i for i, g in enumerate(given) if g is None]
    if not free:
        widths = [int(g * total / fixed) for g in given]
    else:
        least = (4 * unit + 240) * len(free)  # four characters a free column at least
        room = max(total - fixed, least)
        scale = (total - room) / fixed if fixed else 0
        auto = _text_widths(rows, columns, total, unit)
        free_auto = sum(auto[i] for i in free)
        widths = [
            int(g * scale) if g is not None else int(room * auto[i] / free_auto) for i, g in enumerate(given)
        ]
    widths[-1] += total - sum(widths)
    return widths


def _text_widths(rows: list[list], columns: int, total: int, unit: float) -> list[int]:
    """Column widths (twips) for cells of text in half-width units of `unit` twips.

    Each column first gets its minimum: its longest Latin word, or up to four
    Chinese characters, so nothing short is broken; what is left of the width
    goes to the columns in proportion to how much longer their text is. Only
    cells of one column count: a merged cell's text spreads over its columns.
    """
    padding = 240  # cell margins and a little air
    minimum, wanted = [4.0] * columns, [4.0] * columns
    covered: dict[int, set[int]] = {}
    for r, cells in enumerate(rows):
        index = 0
        for cell in cells:
            while index in covered.get(r, set()):
                index += 1
            span, down = _number(cell.get("colspan")), _number(cell.get("rowspan"))
            for below in range(r + 1, r + down):
                covered.setdefault(below, set()).update(range(index, index + span))
            if span == 1 and index < columns:
                text = cell.text_content().strip()
                width = display_width(text)
                # a date gets 3 half-width cells more: LibreOffice spaces digits from 年月日
                longest_word = max(
                    (display_width(word) + 3 * ("年" in word) for word in _LATIN_WORD.findall(text)),
                    default=0,
                )
                minimum[index] = max(minimum[index], longest_word, min(width, 8))
                wanted[index] = max(wanted[index], min(width, 60))
            index += span
    minimum_twips = [m * unit + padding for m in minimum]
    if sum(minimum_twips) >= total:
        return [int(total * m / sum(minimum_twips)) for m in minimum_twips]
    spare = total - sum(minimum_twips)
    extra = [max(0.0, want - low) for want, low in zip(wanted, minimum, strict=True)]
    share = sum(extra) or columns
    return [
        int(low + spare * ((e if sum(extra) else 1) / share))
        for low, e in zip(minimum_twips, extra, strict=True)
    ]


# --- landscape pages -----------------------------------------------------------


@functools.cache
def section_breaks(reference: ReferenceDocument) -> tuple[str, str, int]:
    """Paragraphs that end the portrait section before a landscape table and the
    landscape section after it, and the landscape type area's width.

    Both copy the reference's page setup (footers, page numbers, grid), less an
    even-page start and a title page of its own: they are pages of the text. The
    landscape page is the portrait one turned a quarter: its top margin is the
    portrait left (the binding edge), its left the portrait bottom, so the type
    area stays where it is on the sheet.
    """
    portrait = _text_section(reference)
    landscape = etree.fromstring(etree.tostring(portrait))
    size, margins = landscape.find(w("pgSz")), landscape.find(w("pgMar"))
    width, height = size.get(w("w")), size.get(w("h"))
    size.set(w("w"), height)
    size.set(w("h"), width)
    size.set(w("orient"), "landscape")
    top, right, bottom, left = (margins.get(w(side)) for side in ("top", "right", "bottom", "left"))
    for side, value in (("top", left), ("right", top), ("bottom", right), ("left", bottom)):
        margins.set(w(side), value)
    text_width = int(height) - int(bottom) - int(top)
    hairline = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    return (
        f"<w:p><w:pPr>{hairline}{etree.tostring(portrait, encoding='unicode')}</w:pPr></w:p>",
        f"<w:p><w:pPr>{hairline}{etree.tostring(landscape, encoding='unicode')}</w:pPr></w:p>",
        text_width,
    )


def _text_section(reference: ReferenceDocument):
    section = etree.fromstring(etree.tostring(reference.sect_pr))
    for tag in ("type", "titlePg"):
        for found in section.findall(w(tag)):
            section.remove(found)
    return section
