"""Writes the Word reference documents templates/<layout>.docx from layouts.py.

A reference document holds what the DOCX writer takes as given: styles, page
setup, page-number footers and settings. Its body shows one paragraph in each
style, so a secretary can open it in Word, restyle the letterhead or fonts, save
it under templates/, and every circular built afterwards follows.

Run `python -m generator.docx.reference_docs` after changing layouts.py; the output
is byte-identical for the same layouts, so the committed files only change
when the layouts do.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..source.templates import builtin_templates
from .layouts import LAYOUTS, Border, Layout, Style
from .package import read_parts, write_parts

# Word's own (lower-case) names for built-in styles we define.
_BUILT_IN_NAMES = {"Heading 1", "Heading 2", "Heading 3", "Heading 4", "Footer"}
_FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)
TABLE_STYLE = "Circular Table"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def style_id(name: str) -> str:
    return "".join(part for part in name.split() if part)


def _word_name(name: str) -> str:
    return name.lower() if name in _BUILT_IN_NAMES else name


def _el(tag: str, **attrs: str | int) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


def _sub(parent, tag: str, **attrs: str | int):
    element = _el(tag, **attrs)
    parent.append(element)
    return element


def run_properties(style: Style, parent) -> None:
    """rPr children in schema order: fonts, bold, italic, color, size."""
    rpr = _sub(parent, "w:rPr")
    if style.font:
        east = style.east_asian_font or style.font
        # all four slots: Word falls back to a theme font for any slot left empty
        _sub(rpr, "w:rFonts", ascii=style.font, hAnsi=style.font, eastAsia=east, cs=style.font)
    if style.bold is not None:
        _sub(rpr, "w:b", val=int(style.bold))
        _sub(rpr, "w:bCs", val=int(style.bold))
    if style.italic is not None:
        _sub(rpr, "w:i", val=int(style.italic))
        _sub(rpr, "w:iCs", val=int(style.italic))
    if style.color:
        _sub(rpr, "w:color", val=style.color)
    if style.tracking is not None:
        _sub(rpr, "w:spacing", val=style.tracking)
    if style.size:
        half_points = round(style.size * 2)
        _sub(rpr, "w:sz", val=half_points)
        _sub(rpr, "w:szCs", val=half_points)
    if len(rpr) == 0:
        parent.remove(rpr)


def _borders(parent, borders: tuple[Border, ...]) -> None:
    box = _sub(parent, "w:pBdr")
    for side in ("top", "bottom"):
        for border in borders:
            if border.side == side:
                _sub(
                    box, f"w:{side}", val=border.style, sz=border.size, space=border.space, color=border.color
                )


def paragraph_properties(style: Style, page_text_width: int, parent) -> None:
    """pPr children in schema order."""
    ppr = _sub(parent, "w:pPr")
    if style.keep_next:
        _sub(ppr, "w:keepNext")
    if style.page_break_before:
        _sub(ppr, "w:pageBreakBefore")
    if style.borders:
        _borders(ppr, style.borders)
    if style.right_tab:
        # tab positions count from the left margin, not from the paragraph's indent
        tabs = _sub(ppr, "w:tabs")
        _sub(tabs, "w:tab", val="right", pos=page_text_width - (style.right or 0))
    if style.hanging_punctuation is not None:
        _sub(ppr, "w:overflowPunct", val=int(style.hanging_punctuation))
    if style.east_asian_spacing is not None:
        _sub(ppr, "w:autoSpaceDE", val=int(style.east_asian_spacing))
        _sub(ppr, "w:autoSpaceDN", val=int(style.east_asian_spacing))
    if style.snap_to_grid is not None:
        _sub(ppr, "w:snapToGrid", val=int(style.snap_to_grid))
    spacing = {}
    for key, value in (("before", style.before), ("after", style.after), ("line", style.line)):
        if value is not None:
            spacing[key] = value
    if style.line is not None:
        spacing["lineRule"] = style.line_rule or "auto"
    if spacing:
        _sub(ppr, "w:spacing", **spacing)
    indent = {}
    for key, value in (("left", style.left), ("right", style.right)):
        if value is not None:
            indent[key] = value
    if style.hanging:
        indent["hanging"] = style.hanging
    elif style.first_line is not None:
        indent["firstLine"] = style.first_line
    if indent:
        _sub(ppr, "w:ind", **indent)
    if style.align:
        _sub(ppr, "w:jc", val=style.align)


def style_element(style: Style, text_width: int):
    element = _el("w:style", type=style.kind, styleId=style_id(style.name))
    if style.name == "Normal":
        element.set(qn("w:default"), "1")
    _sub(element, "w:name", val=_word_name(style.name))
    if style.based_on:
        _sub(element, "w:basedOn", val=style_id(style.based_on))
    if style.next:
        _sub(element, "w:next", val=style_id(style.next))
    _sub(element, "w:qFormat")
    if style.kind == "paragraph":
        paragraph_properties(style, text_width, element)
    run_properties(style, element)
    return element


def _defaults(layout: Layout):
    normal = next(s for s in layout.styles if s.name == "Normal")
    defaults = _el("w:docDefaults")
    rpr = _sub(_sub(defaults, "w:rPrDefault"), "w:rPr")
    east = normal.east_asian_font or normal.font
    _sub(rpr, "w:rFonts", ascii=normal.font, hAnsi=normal.font, eastAsia=east, cs=normal.font)
    _sub(rpr, "w:sz", val=round(normal.size * 2))
    _sub(rpr, "w:szCs", val=round(normal.size * 2))
    # w:val is the language of Latin letters and digits: given as Chinese, LibreOffice
    # breaks lines inside numbers ("10｜00"); Chinese text is w:eastAsia's
    _sub(
        rpr, "w:lang", val="en-US" if layout.language == "zh-CN" else "en-GB", eastAsia="zh-CN", bidi="ar-SA"
    )
    _sub(_sub(_sub(defaults, "w:pPrDefault"), "w:pPr"), "w:spacing", after=0, line=240, lineRule="auto")
    return defaults


def _fixed_styles():
    """The default character, table and numbering styles every document needs."""
    character = _el("w:style", type="character", default=1, styleId="DefaultParagraphFont")
    _sub(character, "w:name", val="Default Paragraph Font")
    _sub(character, "w:uiPriority", val=1)
    _sub(character, "w:semiHidden")
    table = _el("w:style", type="table", default=1, styleId="TableNormal")
    _sub(table, "w:name", val="Normal Table")
    _sub(table, "w:semiHidden")
    margins = _sub(_sub(table, "w:tblPr"), "w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        _sub(margins, f"w:{side}", w=0 if side in ("top", "bottom") else 108, type="dxa")
    numbering = _el("w:style", type="numbering", default=1, styleId="NoList")
    _sub(numbering, "w:name", val="No List")
    _sub(numbering, "w:semiHidden")
    grid = _el("w:style", type="table", styleId=style_id(TABLE_STYLE))
    _sub(grid, "w:name", val=TABLE_STYLE)
    _sub(grid, "w:basedOn", val="TableNormal")
    tblpr = _sub(grid, "w:tblPr")
    borders = _sub(tblpr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _sub(borders, f"w:{side}", val="single", sz=4, space=0, color="000000")
    margins = _sub(tblpr, "w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        _sub(margins, f"w:{side}", w=57 if side in ("top", "bottom") else 85, type="dxa")
    return [character, table, numbering, grid]


def _write_styles(document, layout: Layout) -> None:
    root = document.styles.element
    for child in list(root):
        root.remove(child)
    root.append(_defaults(layout))
    text_width = layout.page.text_width
    for style in layout.styles:
        root.append(style_element(style, text_width))
    for element in _fixed_styles():
        root.append(element)


def _page_setup(document, layout: Layout) -> None:
    page = layout.page
    sect_pr = document.sections[0]._sectPr
    for child in list(sect_pr):
        if child.tag in (qn("w:pgSz"), qn("w:pgMar"), qn("w:cols"), qn("w:docGrid")):
            sect_pr.remove(child)
    for attr in list(sect_pr.attrib):
        del sect_pr.attrib[attr]  # revision ids
    sect_pr.append(_el("w:pgSz", w=page.width, h=page.height))
    sect_pr.append(
        _el(
            "w:pgMar",
            top=page.top,
            right=page.right,
            bottom=page.bottom,
            left=page.left,
            header=page.header,
            footer=page.footer,
            gutter=0,
        )
    )
    sect_pr.append(_el("w:cols", space=425))
    if page.line_pitch:
        # LibreOffice honours type="lines" better than linesAndChars (see layouts.TRACKING)
        sect_pr.append(_el("w:docGrid", type="lines", linePitch=page.line_pitch))


def _field(paragraph, instruction: str) -> None:
    field = _el("w:fldSimple", instr=f" {instruction} ")
    run = _sub(field, "w:r")
    _sub(run, "w:t").text = "1"
    paragraph._p.append(field)


def _page_number_paragraph(paragraph, layout: Layout, side: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.style = style_id("Footer")
    if layout.page_numbers == "gbt9704":
        # — N —, odd pages on the right and even pages on the left, one character in
        indent = _el("w:ind", **{side: 280})
        ppr.append(indent)
        ppr.append(_el("w:jc", val=side))
        paragraph.add_run("— ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" —")
    else:
        paragraph.add_run("Page ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" of ")
        _field(paragraph, "NUMPAGES")


def _footers(document, layout: Layout) -> None:
    section = document.sections[0]
    # a closing section's only numbered page would be its first: a title page
    # whose (absent) first-page footer is blank
    section.different_first_page_header_footer = layout.page.closing_section
    if layout.page.closing_section:
        section.start_type = WD_SECTION.EVEN_PAGE
    if layout.page_numbers == "gbt9704":
        document.settings.odd_and_even_pages_header_footer = True
        _page_number_paragraph(section.footer.paragraphs[0], layout, "right")
        _page_number_paragraph(section.even_page_footer.paragraphs[0], layout, "left")
    else:
        _page_number_paragraph(section.footer.paragraphs[0], layout, "center")


def _settings(document) -> None:
    settings = document.settings.element
    for tag in ("w:rsids", "w:attachedTemplate"):
        for child in settings.findall(qn(tag)):
            settings.remove(child)
    # A line a writer breaks (a name list, an aligned line) ends there: Word and
    # LibreOffice would otherwise spread a justified line over the width before
    # the break. First in w:compat, as the schema orders it.
    settings.find(qn("w:compat")).insert(0, OxmlElement("w:doNotExpandShiftReturn"))


def _drop_unused_parts(document) -> None:
    """The python-docx template carries a thumbnail, custom XML and a 400 KB
    stylesWithEffects part; none belongs in a reference document."""
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(r_id)
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype in (_STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
            document.part.rels.pop(r_id)


def _sample_body(document, layout: Layout) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    intro = (
        "这是版式参考文档：在Word中修改下列样式并保存为templates/gbt9704.docx，重新生成后所有公文随之改变。"
        if layout.name == "gbt9704"
        else "This is the reference document of the layout: restyle the paragraphs below in Word, "
        "save it as templates/international.docx, rebuild, and every circular follows."
    )
    document.add_paragraph(intro, style="Normal")
    for style in layout.styles:
        if style.kind == "paragraph" and style.name not in ("Normal", "Footer"):
            document.add_paragraph(style.sample or style.name, style=style.name)
    table = document.add_table(rows=2, cols=3, style=TABLE_STYLE)
    for row_index, row in enumerate(table.rows):
        for col_index, cell in enumerate(row.cells):
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Heading" if row_index == 0 else "Table Text"
            paragraph.add_run(f"{'Heading' if row_index == 0 else 'Cell'} {col_index + 1}")


def _core_properties(document, layout: Layout) -> None:
    core = document.core_properties
    core.title = f"Circulars reference document: {layout.name}"
    core.subject = layout.description
    core.author = "Circulars"
    core.last_modified_by = "Circulars"
    core.comments = f"Restyle in Word and save as templates/{layout.name}.docx"
    core.keywords = ""
    core.revision = 1
    core.created = _FIXED_DATE
    core.modified = _FIXED_DATE
    core.language = layout.language
    core.category = ""


def build_reference(layout: Layout) -> bytes:
    document = docx.Document()
    _drop_unused_parts(document)
    _write_styles(document, layout)
    _page_setup(document, layout)
    _settings(document)
    _footers(document, layout)
    _sample_body(document, layout)
    _core_properties(document, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return write_parts(read_parts(buffer.getvalue()))


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else builtin_templates()
    for layout in LAYOUTS.values():
        path = target / f"{layout.name}.docx"
        path.write_bytes(build_reference(layout))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
