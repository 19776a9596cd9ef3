"""GB/T 9704-2012 positions that depend on the text itself.

Styles hold everything fixed; these rules set what depends on how long the
text is, the way a typesetter would:

* the issuing-organ mark shrinks to stay on one line, and keeps its top 35 mm
  below the top of the text area when copy number, secrecy or urgency lines
  sit above it;
* without a seal, the date starts two characters right of the signature; with
  a seal, the signature is centred over the date;
* the closing block (版记: CC and imprint) sits at the bottom of the text area
  of the last page, between rules across the text width: a table anchored to
  the bottom margin, whose borders are the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from .terminal import display_width

if TYPE_CHECKING:
    from .docx_writer import Block, Body, ReferenceDocument

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEADER_LINES = {"copy-number", "classification", "urgency"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _width_in_characters(text: str) -> float:
    """Width in full-width characters: Chinese counts 1, Latin letters and digits ½."""
    return display_width(text) / 2


def _set(ppr, tag: str, **attrs) -> None:
    """Set attributes on a pPr child, creating it in schema order if needed."""
    order = ["pStyle", "keepNext", "pageBreakBefore", "pBdr", "tabs", "spacing", "ind", "jc"]
    element = ppr.find(_w(tag))
    if element is None:
        element = etree.Element(_w(tag))
        position = order.index(tag)
        index = sum(1 for child in ppr if etree.QName(child).localname in order[:position])
        ppr.insert(index, element)
    for key, value in attrs.items():
        element.set(_w(key), str(value))


def apply(body: Body) -> None:
    _organ_mark(body.blocks, body.reference)
    _signature_and_date(body.blocks, body.reference)
    _closing_block(body)


def _organ_mark(blocks: list[Block], reference: ReferenceDocument) -> None:
    for index, block in enumerate(blocks):
        if "organ-mark" not in block.classes:
            continue
        size = reference.font_size("Organ Mark")
        longest = max((_width_in_characters(line) for line in block.text.split("\n")), default=0)
        if longest and longest * size * 20 > reference.text_width:
            fitted = int(reference.text_width / longest / 10)  # half-points
            for rpr_parent in block.element.iter(_w("r")):
                rpr = rpr_parent.find(_w("rPr"))
                if rpr is None:
                    rpr = etree.Element(_w("rPr"))
                    rpr_parent.insert(0, rpr)
                etree.SubElement(rpr, _w("sz")).set(_w("val"), str(fitted))
                etree.SubElement(rpr, _w("szCs")).set(_w("val"), str(fitted))
        above = sum(1 for b in blocks[:index] if HEADER_LINES & set(b.classes))
        if above:
            before = int(reference.style_value("Organ Mark", "w:pPr/w:spacing", "before") or 0)
            line = int(reference.style_value("Normal", "w:pPr/w:spacing", "line") or 579)
            _set(block.element.find(_w("pPr")), "spacing", before=max(0, before - above * line))
        return


def _signature_and_date(blocks: list[Block], reference: ReferenceDocument) -> None:
    signatures = [b for b in blocks if "signature" in b.classes]
    dates = [b for b in blocks if "date" in b.classes]
    if not signatures or not dates:
        return
    date = dates[0]
    char = reference.font_size("Date") * 20  # one character, in twips
    signature_width = max(_width_in_characters(b.text) for b in signatures)
    date_width = _width_in_characters(date.text)
    if "sealed" in date.classes:
        date_right = 4 * char
        signature_right = max(0, date_right + (date_width - signature_width) / 2 * char)
        for block in signatures:
            _set(block.element.find(_w("pPr")), "ind", right=round(signature_right))
        _set(date.element.find(_w("pPr")), "ind", right=round(date_right))
    else:
        # the date's first character two characters right of the signature's
        date_right = max(0, (signature_width - date_width) * char)
        _set(date.element.find(_w("pPr")), "ind", right=round(date_right))


def _closing_block(body: Body) -> None:
    rows = [b for b in body.blocks if {"cc", "imprint"} & set(b.classes)]
    if not rows:
        return
    width = body.reference.text_width
    table = etree.Element(_w("tbl"))
    tbl_pr = etree.SubElement(table, _w("tblPr"))
    # anchored to the bottom of the text area; body text never overlaps it.
    # Horizontally relative to the page: LibreOffice keeps a margin-anchored
    # table as wide as the text inline instead of floating it.
    position = etree.SubElement(tbl_pr, _w("tblpPr"))
    for key, value in (
        ("vertAnchor", "margin"),
        ("horzAnchor", "page"),
        ("tblpX", str(body.reference.left_margin)),
        ("tblpYSpec", "bottom"),
    ):
        position.set(_w(key), value)
    etree.SubElement(tbl_pr, _w("tblOverlap")).set(_w("val"), "never")
    tbl_w = etree.SubElement(tbl_pr, _w("tblW"))
    tbl_w.set(_w("w"), str(width))
    tbl_w.set(_w("type"), "dxa")
    borders = etree.SubElement(tbl_pr, _w("tblBorders"))
    # first and last rules 0.35 mm, the one between CC and imprint 0.25 mm
    for side, size in (("top", 8), ("bottom", 8), ("insideH", 6)):
        rule = etree.SubElement(borders, _w(side))
        for key, value in (("val", "single"), ("sz", str(size)), ("space", "0"), ("color", "000000")):
            rule.set(_w(key), value)
    etree.SubElement(tbl_pr, _w("tblLayout")).set(_w("type"), "fixed")
    margins = etree.SubElement(tbl_pr, _w("tblCellMar"))
    for side in ("left", "right"):
        margin = etree.SubElement(margins, _w(side))
        margin.set(_w("w"), "0")
        margin.set(_w("type"), "dxa")
    grid_col = etree.SubElement(etree.SubElement(table, _w("tblGrid")), _w("gridCol"))
    grid_col.set(_w("w"), str(width))
    for block in rows:
        body.elements.remove(block.element)
        cell = etree.SubElement(etree.SubElement(table, _w("tr")), _w("tc"))
        cell_width = etree.SubElement(etree.SubElement(cell, _w("tcPr")), _w("tcW"))
        cell_width.set(_w("w"), str(width))
        cell_width.set(_w("type"), "dxa")
        cell.append(block.element)
    body.elements.append(table)
