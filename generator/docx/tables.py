"""Tables in a Word document, as a secretariat sets them in Word.

From an HTML table of the rendered Markdown (render/tables.py, or a pipe table):
the header rows (<thead>) repeat at the top of every page (w:tblHeader), a
short row stays whole on its page (w:cantSplit) while a tall one may run on to
the next, as a drafter lets it in Word (a row left whole would leave most of a
page empty); merged cells span (w:gridSpan across, w:vMerge down, a
continuation cell in each row below), the widths the columns were given are
kept and the others share what is left evenly, and the table sits on the type
area's margins (GB/T 9704 §7.3.3 practice). Its text is the "Table Text"
style's, set off the body's line grid, or the table's own size (data-font-size,
in points) at an exact line of 1.25 times it. A table marked landscape gets a
landscape section of its own: the page turned with the same type area, its
header facing the binding edge, and the same footers, so the page numbers keep
their odd-right, even-left places.

The cells' text is written by the body (body.py), which hands its inline
writer in: this module knows tables, the body knows runs.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable

from lxml import etree

from .reference import ReferenceDocument, w
from .text_width import display_width

# the tables' left cell margin (reference_docs.py): indented by it, a table's borders
# line up with the margins instead of hanging into the left one
CELL_MARGIN = 85
TWIPS_PER_MM = 1440 / 25.4
_LENGTH = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*(mm|cm|%)")
_ALIGN = {"align-left": "left", "align-center": "center", "align-right": "right"}
LINE_FACTOR = 1.25  # a table's own size is set at an exact line of 1.25 times it
# A row taller than this share of the type area may break across a page; a shorter
# one moves whole to the next page, leaving at most this much of a page empty.
SPLIT_SHARE = 0.25
CELL_PADDING = 2 * CELL_MARGIN + 60  # cell margins and the air Word leaves, in twips

CellWriter = Callable[[object, int], str]  # a cell element, a size in half-points (0: the style's) → runs
StyleFinder = Callable[[tuple[str, ...]], str]  # style names → the id of the first found


def table_xml(
    element, reference: ReferenceDocument, style: StyleFinder, runs: CellWriter, width: int, height: int
) -> str:
    """The WordprocessingML of one HTML <table>, `width` twips wide on a type area
    `height` twips high."""
    rows = [(row, [c for c in row if c.tag in ("td", "th")]) for row in element.iter("tr")]
    rows = [(row, cells) for row, cells in rows if cells]
    if not rows:
        return ""
    columns = _column_count([cells for _, cells in rows])
    own_size = _size(element.get("data-font-size"))
    size = own_size or reference.font_size("Table Text")
    unit = size * 10  # a half-width character, in twips
    line = round(size * 20 * LINE_FACTOR) if own_size else _style_line(reference, size)
    widths = _widths(element, columns, width, unit)
    styles = {"th": style(("Table Heading", "Normal")), "td": style(("Table Text", "Normal"))}
    # a table's own size: on each paragraph, its line, and on each run
    spacing = f'<w:spacing w:line="{line}" w:lineRule="exact"/>' if own_size else ""
    half_points = round(own_size * 2) if own_size else 0
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
        least = _length(row.get("style", ""), "height")
        tall = _row_height(cells, widths, columns, below, unit, line) > SPLIT_SHARE * height
        properties = "" if tall and not header else "<w:cantSplit/>"
        if least:
            properties += f'<w:trHeight w:val="{round(least)}" w:hRule="atLeast"/>'
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
            paragraph = (
                f'<w:p><w:pPr><w:pStyle w:val="{styles[cell.tag]}"/>{spacing}{jc}</w:pPr>'
                f"{runs(cell, half_points)}</w:p>"
            )
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


def _widths(element, columns: int, total: int, unit: float) -> list[int]:
    """The columns' widths across the whole type area: those given (<col style="width:
    …">) in proportion, the others sharing what is left evenly, as Word shares a
    new table's width, four characters a column at least."""
    given = [_length(col.get("style", ""), "width", total) for col in element.iter("col")][:columns]
    given += [None] * (columns - len(given))
    fixed = sum(g for g in given if g is not None)
    free = [i for i, g in enumerate(given) if g is None]
    if not free:
        widths = [int(g * total / fixed) for g in given]
    else:
        least = (4 * 2 * unit + CELL_PADDING) * len(free)
        room = max(total - fixed, least)
        scale = (total - room) / fixed if fixed else 0
        widths = [int(g * scale) if g is not None else int(room / len(free)) for g in given]
    widths[-1] += total - sum(widths)
    return widths


def _size(value: str | None) -> float | None:
    """A table's own size in points (data-font-size), if it has a usable one."""
    try:
        size = float(value) if value else None
    except ValueError:
        return None
    return size if size and 1 <= size <= 72 else None


def _style_line(reference: ReferenceDocument, size: float) -> int:
    """The "Table Text" style's line in twips: its exact or least line, or else
    single spacing (auto 240) of a CJK font, about 1.3 times the size."""
    line = reference.style_value("Table Text", "w:pPr/w:spacing", "line")
    rule = reference.style_value("Table Text", "w:pPr/w:spacing", "lineRule") or "auto"
    if line and line.isdigit():
        return int(line) if rule != "auto" else round(int(line) / 240 * size * 26)
    return round(size * 26)


def _row_height(cells: list, widths: list[int], columns: int, below: dict, unit: float, line: int) -> int:
    """About how high a row sets (twips): its cell of most lines, each line of the
    text counted at half-width `unit`s wrapped to its cell's width. A cell merged
    down spreads over its rows and is not counted."""
    tallest, column, pending = 1, 0, iter(cells)
    while column < columns:
        if column in below:
            column += below[column][1]
            continue
        cell = next(pending, None)
        if cell is None:
            break
        span = min(_number(cell.get("colspan")), columns - column)
        room = max(sum(widths[column : column + span]) - CELL_PADDING, unit)
        if _number(cell.get("rowspan")) == 1:
            lines = sum(max(1, math.ceil(display_width(text) * unit / room)) for text in _text_lines(cell))
            tallest = max(tallest, lines)
        column += span
    return tallest * line + 2 * 57  # the cell's top and bottom margins


def _text_lines(cell) -> list[str]:
    """A cell's text, a line for each line break typed in it."""
    out: list[str] = []

    def walk(element) -> None:
        out.append("\n" if element.tag == "br" else (element.text or ""))
        for child in element:
            walk(child)
            out.append(child.tail or "")

    walk(cell)
    return "".join(out).split("\n")


def type_area_height(reference: ReferenceDocument, landscape: bool) -> int:
    """The type area's height in twips: the page's, or the page turned's (its width)."""
    page, margins = reference.sect_pr.find(w("pgSz")), reference.sect_pr.find(w("pgMar"))
    if landscape:
        return int(page.get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))
    return int(page.get(w("h"))) - int(margins.get(w("top"))) - int(margins.get(w("bottom")))


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
