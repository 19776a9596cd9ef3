"""GB/T 9704-2012 positions that depend on the text itself.

Styles hold everything fixed; these rules set what depends on how long the
text is, the way a typesetter would:

* the issuing-organ mark shrinks to stay on one line, and keeps its top 35 mm
  below the top of the text area when copy number, secrecy or urgency lines
  sit above it;
* a long title breaks between words, counting the space LibreOffice puts round
  digits; the 附件说明, signature and date: gbt9704_signature;
* in the letter form (信函格式, §10.1) the mark's top is 30 mm from the top of
  the page, above the text area (a frame placed on the page); the double rules
  under it and 20 mm above the foot of the page are 170 mm long, centred on the
  type area; copy number, secrecy and urgency go under the first, the number at
  the right end of the first of their lines, 7/8 of a 3号 character below the
  rule; the first page carries no page number, and the 版记 no rules;
* the closing block (版记: CC and imprint) sits at the bottom of the text area
  of the last page, between rules across the text width: a table anchored to
  the bottom margin, whose borders are the rules. When the reference document's
  section starts on an even page (layouts.Page.closing_section), the 版记 gets a
  section of its own: the text's section ends before it with the same page setup
  and page numbers, so the 版记 lands on an even page, numbered; where the text
  ends on an even page, a blank page comes before it, and closing_page settles
  the document once LibreOffice has laid it out (the 版记 onto the text's page,
  or neither page numbered: §7.4, §7.5, §7.6).
"""

from __future__ import annotations

import itertools
import math
import re

from .body import LINE_BREAK, Body, Paragraph, xml_attribute, xml_text
from .gbt9704_signature import attachment_note, signature_and_date
from .reference import ReferenceDocument, w
from .text_width import set_width, width_in_characters

HEADER_LINES = {"copy-number", "classification", "urgency"}


def apply(body: Body) -> None:
    paragraphs = body.paragraphs
    _addressee(paragraphs)
    _organ_mark(body, paragraphs, body.reference)
    _titles(paragraphs, body.reference)
    attachment_note(paragraphs, body.reference)
    signature_and_date(body, paragraphs, body.reference)
    letter = _letter_form(body, paragraphs, body.reference)
    _closing_block(body, letter)


# A frame at the right end of the type area, at the top of the text area; with
# vAnchor "text", at the right end of the line of the paragraph that follows it.
AT_THE_RIGHT = {"wrap": "around", "vAnchor": "margin", "hAnchor": "margin", "xAlign": "right", "y": 0}


def _addressee(paragraphs: list[Paragraph]) -> None:
    """A distributed copy's addressee (发：…) is not one of the standard's lines: it
    floats at the right end of the copy number's line (a frame), so that the copy
    number, secrecy and urgency keep lines 1 to 3 (§7.2.1-7.2.3)."""
    for paragraph in paragraphs:
        if "addressee" in paragraph.classes:
            paragraph.properties["framePr"] = dict(AT_THE_RIGHT)


def _organ_mark(body: Body, paragraphs: list[Paragraph], reference: ReferenceDocument) -> None:
    for index, paragraph in enumerate(paragraphs):
        if "organ-mark" not in paragraph.classes:
            continue
        size = reference.font_size("Organ Mark")
        longest = max((width_in_characters(line) for line in paragraph.text.split("\n")), default=0)
        if longest and longest * size * 20 > reference.text_width:
            paragraph.run_size = int(reference.text_width / longest / 10)  # half-points
        above = sum(1 for p in paragraphs[:index] if HEADER_LINES & set(p.classes))
        if above:
            before = int(reference.style_value("Organ Mark", "w:pPr/w:spacing", "before") or 0)
            line = int(reference.style_value("Normal", "w:pPr/w:spacing", "line") or 579)
            paragraph.properties["spacing"] = {"before": max(0, before - above * line)}
        lines = paragraph.text.split("\n")
        if len(lines) > 1 and lines[-1].endswith("文件"):
            _joint_organ_mark(body, paragraph, [*lines[:-1], lines[-1][:-2]], reference)
        return


def _joint_organ_mark(body: Body, mark: Paragraph, names: list[str], reference: ReferenceDocument) -> None:
    """§7.2.4: joint issuers' names stacked, the lead first, evenly spread to one
    width, and 文件 to their right, centred on them from top to bottom: a table
    without borders, centred, under a hairline paragraph that keeps the mark's
    distance from the top of the text area."""
    size = mark.run_size or round(reference.font_size("Organ Mark") * 2)  # half-points
    longest = max(width_in_characters(name) for name in names)
    size = min(size, int(reference.text_width / (longest + 2.5) / 10))
    char = size * 10  # twips
    columns = (round(longest * char) + 60, 2 * char + 60)
    style = mark.style
    run = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'

    def cell(width: int, texts: list[str], jc: str, centred: bool = False) -> str:
        paragraphs = "".join(
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:spacing w:before="0"/><w:jc w:val="{jc}"/></w:pPr>'
            f'<w:r>{run}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>'
            for text in texts
        )
        align = '<w:vAlign w:val="center"/>' if centred else ""
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{align}</w:tcPr>{paragraphs}</w:tc>'

    table = (
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
        '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>'
        '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{columns[0]}"/><w:gridCol w:w="{columns[1]}"/></w:tblGrid>'
        f"<w:tr>{cell(columns[0], names, 'distribute')}"
        f"{cell(columns[1], ['文件'], 'right', True)}</w:tr></w:tbl>"
    )
    before = mark.properties.get("spacing", {}).get("before")
    if before is None:
        before = int(reference.style_value("Organ Mark", "w:pPr/w:spacing", "before") or 0)
    index = body.items.index(mark)
    body.items[index : index + 1] = [
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:spacing w:before="{before}" w:after="0"'
        ' w:line="20" w:lineRule="exact"/></w:pPr></w:p>',
        table,
    ]


# Titles set as the title is: the circular's, its attachments' and the documents
# it issues (印发), each in its own style.
TITLE_STYLES = {"title": "Title", "attachment-title": "Attachment Title", "document-title": "Document Title"}


def _titles(paragraphs: list[Paragraph], reference: ReferenceDocument) -> None:
    """A title longer than a line breaks between words into lines of balanced
    length, a trapezoid or a diamond rather than a full line over an orphan. An
    attachment's or issued document's title, broken or not, has its lines as far
    apart as the title's (one line, not the two grid lines a 2号 line takes), so
    that it sits on the type area's third line (GB/T 9704 §7.3.7)."""
    line = reference.style_value("Title", "w:pPr/w:spacing", "line")
    for title in paragraphs:
        style = next((TITLE_STYLES[c] for c in title.classes if c in TITLE_STYLES), None)
        if style is None or any(
            kind == "xml" and markup != LINE_BREAK for kind, markup, _ in title.runs.items
        ):
            continue  # a title with a link is left as written
        _break_title(title, int(reference.text_width / (reference.font_size(style) * 20)))
        if style != "Title" and line:
            title.properties["snapToGrid"] = {"val": 0}
            title.properties["spacing"] = {"line": line, "lineRule": "exact"}


def _break_title(title: Paragraph, per_line: int) -> None:
    """Break the title's runs where title_breaks says (if it is longer than a line);
    a title broken where its author wrote (a `|` block), each of its lines that is
    longer than a line, rather than let the renderer break it inside a word."""
    breaks, start = [], 0
    for line in title.runs.plain().split("\n"):
        if set_width(line) > per_line:
            breaks += [start + offset for offset in title_breaks(line, per_line)]
        start += len(line) + 1
    if not breaks:
        return
    items, position = [], 0
    for kind, fmt, piece in title.runs.items:
        start = position
        position += len(piece)
        cuts = [b - start for b in breaks if start < b < position]
        for left, right in zip([0, *cuts], [*cuts, len(piece)], strict=True):
            if left:
                items.append(["xml", LINE_BREAK, "\n"])
            items.append([kind, fmt, piece[left:right]])
    title.runs.items = items


def title_breaks(text: str, per_line: int) -> list[int]:
    """Where to break a title (character offsets): only between the words jieba
    finds, into as few lines as fit, as even as can be, and failing even, the
    longer line first (a trapezoid) or in the middle (a diamond)."""
    # Imported here for start-up time only (jieba takes 0.2 s to import), not for a cycle:
    # a process that writes no long Chinese title never loads it.
    from .title_words import word_ends

    ends = word_ends(text)[:-1]
    width = set_width(text)
    for lines in range(math.ceil(width / per_line), math.ceil(width / per_line) + 3):
        best: tuple[float, list[int]] | None = None
        for cuts in itertools.combinations(ends, lines - 1):
            bounds = [0, *cuts, len(text)]
            widths = [set_width(text[a:b]) for a, b in itertools.pairwise(bounds)]
            if max(widths) > per_line:
                continue
            peak = widths.index(max(widths))
            rising = all(a <= b for a, b in itertools.pairwise(widths[: peak + 1]))
            shaped = rising and all(a >= b for a, b in itertools.pairwise(widths[peak:]))
            cost = max(widths) - min(widths) + (0 if shaped else 1.5)
            if best is None or cost < best[0]:
                best = (cost, list(cuts))
        if best is not None:
            return best[1]
    return []


# The letter form's rules are 170 mm long (9638 twips), wider than the type area.
LETTER_RULE = 9638
# Where the mark's ink starts and ends below the top of its frame, in ems of its
# size; how far below the top of a Double Rule paragraph its thick line is drawn
# (twips), and how far below the top of the lower rule's frame the middle of its
# two lines is (measured: test_gbt9704_pdf).
MARK_INK_TOP, MARK_INK_BOTTOM = 0.30, 1.243
RULE_BELOW_TOP = 136
LOWER_RULE_BELOW_TOP = 164
# §10.1: the first line under the first double rule 7/8 of a 3号 (16 pt) character
# below it (twips); how far below it a 3号 line off the grid straight under the
# rule has its ink (measured: test_gbt9704_pdf).
UNDER_RULE = round(16 * 20 * 7 / 8)
UNDER_RULE_UNSPACED = 210


def _letter_form(body: Body, paragraphs: list[Paragraph], reference: ReferenceDocument) -> bool:
    """§10.1: the mark 30 mm from the page top, in a frame placed on the page (the
    text area starts 37 mm down, and a paragraph cannot start above it); the first
    double rule in the text under the frame; the second in a frame of its own 20 mm
    above the foot of the page. Whether the document takes the letter form."""
    mark = next((p for p in paragraphs if {"organ-mark", "letter"} <= set(p.classes)), None)
    if mark is None:
        return False
    mm = 1440 / 25.4
    x = reference.left_margin - (LETTER_RULE - reference.text_width) // 2  # centred on the type area
    frame = {"w": LETTER_RULE, "wrap": "notBeside", "vAnchor": "page", "hAnchor": "page", "x": x}
    em = (mark.run_size / 2 or reference.font_size("Organ Mark Letter")) * 20  # twips
    # the frame as high as puts the rule's thick line 4 mm below the mark's ink
    height = round(MARK_INK_BOTTOM * em + 4 * mm) - RULE_BELOW_TOP
    mark.properties["framePr"] = {
        **frame,
        "y": round(30 * mm - MARK_INK_TOP * em),
        "h": height,
        "hRule": "exact",
    }
    mark.properties.pop("spacing", None)  # the frame places it, whatever lines are above
    index = body.items.index(mark)
    rule = body.items[index + 1] if index + 1 < len(body.items) else None
    if isinstance(rule, Paragraph) and "double-rule" in rule.classes:
        # in the text under the frame (LibreOffice drew no border on it inside the frame),
        # reaching 7 mm past the type area on either side
        reach = (LETTER_RULE - reference.text_width) // 2
        rule.properties["ind"] = {"left": -reach, "right": -(LETTER_RULE - reference.text_width - reach)}
        index += 1
    _under_the_rule(body, paragraphs, rule if isinstance(rule, Paragraph) else mark, reference)
    # the Double Rule style with its border turned over: thin above thick
    style = reference.style_id("Double Rule")
    if style is None:
        return True  # the body already reported the style missing
    border = {
        key: reference.style_value("Double Rule", "w:pPr/w:pBdr/w:bottom", key) or default
        for key, default in (("sz", "18"), ("color", "FF0000"))
    }
    page_height = int(reference.sect_pr.find(w("pgSz")).get(w("h")))
    attributes = {**frame, "wrap": "around", "y": page_height - round(20 * mm) - LOWER_RULE_BELOW_TOP}
    frame_pr = " ".join(f'w:{key}="{value}"' for key, value in attributes.items())
    body.items.insert(
        index + 1,
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:framePr {frame_pr}/><w:pBdr>'
        f'<w:bottom w:val="thinThickSmallGap" w:sz="{border["sz"]}" w:space="0" w:color="{border["color"]}"/>'
        "</w:pBdr></w:pPr></w:p>",
    )
    return True


def _under_the_rule(
    body: Body, paragraphs: list[Paragraph], rule: Paragraph, reference: ReferenceDocument
) -> None:
    """§10.1: copy number, secrecy and urgency at the left under the first double
    rule, one a line, not above the mark; the number at the right end of the first
    of their lines (a frame on that line), or on a line of its own under the rule
    when there are none; the first line's characters 7/8 of a 3号 character below
    the rule. A copy's addressee takes the right end of the next line, or a line of
    its own at the right under them."""
    lines = [p for p in paragraphs if HEADER_LINES & set(p.classes)]
    number = next((p for p in paragraphs if {"doc-number", "letter"} <= set(p.classes)), None)
    addressee = next((p for p in paragraphs if "addressee" in p.classes), None)
    beside = [p for p in (number, addressee) if p is not None]
    for paragraph in [*lines, *beside]:
        body.items.remove(paragraph)
    rows: list[list[Paragraph]] = []  # a line's frame, then the line
    for line, side in itertools.zip_longest(lines, beside[: len(lines)]):
        if side is not None:
            side.properties["framePr"] = {**AT_THE_RIGHT, "vAnchor": "text"}
        rows.append([line] if side is None else [side, line])
    for side in beside[len(lines) :]:
        side.properties.pop("framePr", None)
        if side is addressee:
            side.properties["jc"] = {"val": "right"}
        rows.append([side])
    if not rows:
        return
    # off the grid (where fonts of both roles share a baseline), pushed down so that
    # the first line's ink is 7/8 of a 3号 character below the rule
    shift = UNDER_RULE - UNDER_RULE_UNSPACED
    for row in rows:
        for paragraph in row:
            paragraph.properties["snapToGrid"] = {"val": 0}
            if row is rows[0]:
                paragraph.properties["spacing"] = {"before": shift}
    placed = [paragraph for row in rows for paragraph in row]
    index = body.items.index(rule) + 1
    body.items[index:index] = placed
    # the title, and the text after it, stay where they were: the title two lines
    # below the last of these, less the shift
    title = next((p for p in body.items[index + len(placed) :] if isinstance(p, Paragraph)), None)
    if title is not None and "title" in title.classes:
        before = int(reference.style_value("Title", "w:pPr/w:spacing", "before") or 0)
        title.properties["spacing"] = {"before": max(0, before - shift)}


def _closing_block(body: Body, letter: bool = False) -> None:
    rows = [p for p in body.paragraphs if {"cc", "imprint"} & set(p.classes)]
    if not rows:
        # no 版记: the text's section is the last, numbered from its first page
        # (but for a letter) and not pushed to an even page
        text_section = _text_section(body.reference, keep_title_page=letter)
        if text_section:
            tail = body.reference.document_tail
            body.tail = text_section + tail[tail.index("</w:sectPr>") + len("</w:sectPr>") :]
        return
    # How the document is made public (公开方式) sits right above the 版记's first
    # rule, as government notices print it: a row of its own with that rule under it.
    publicity = [p for p in body.paragraphs if "publicity" in p.classes][-1:]
    rows = publicity + rows
    width = body.reference.text_width
    # Anchored to the bottom of the text area, text never overlapping it.
    # Horizontally relative to the page: LibreOffice keeps a margin-anchored
    # table as wide as the text inline instead of floating it.
    # Rules: first and last 0.35 mm (sz 8), the one between CC and imprint 0.25 mm;
    # none in the letter form (§10.1: 版记不加…分隔线).
    top = "" if publicity else '<w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    rules = (
        ""
        if letter
        else f"<w:tblBorders>{top}"
        '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
        "</w:tblBorders>"
    )
    table = [
        "<w:tbl><w:tblPr>"
        f'<w:tblpPr w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{body.reference.left_margin}"'
        ' w:tblpYSpec="bottom"/>'
        '<w:tblOverlap w:val="never"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/>'
        f"{rules}"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        f'</w:tblPr><w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>'
    ]
    first_row = body.items.index(rows[0])
    for paragraph in rows:
        body.items.remove(paragraph)
        borders = _PUBLICITY_BORDERS if paragraph in publicity and not letter else ""
        cell = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{borders}</w:tcPr>{paragraph.xml()}'
        table.append(f"<w:tr><w:tc>{cell}</w:tc></w:tr>")
    table.append("</w:tbl>")
    body.items.append("".join(table))
    text_section = _text_section(body.reference, keep_title_page=letter)
    if text_section:
        # Hairline paragraphs: one ends the text's section (so it never takes a page of
        # its own), one opens the 版记's (LibreOffice does not start a section that
        # holds nothing but a floating table on a new page).
        body.items[first_row:first_row] = [
            f"<w:p><w:pPr>{_HAIRLINE}{text_section}</w:pPr></w:p>",
            f"<w:p><w:pPr>{_HAIRLINE}</w:pPr></w:p>",
            _page_number(body.reference),
        ]


# Where the 版记 page's number goes: the top of the frame below the top of the page
# that puts it where the footer puts the other pages' (measured: test_gbt9704_pdf).
PAGE_NUMBER_Y = 15010


def _page_number(reference: ReferenceDocument) -> str:
    """§7.5 exempts from numbering only a 版记 page after a blank page: the 版记 page
    numbered as an even page is, by a frame where its footer would put the number.
    Not by a footer: LibreOffice sets a table anchored to the bottom of the type area
    lower on a page with a footer. A blank page before it, which LibreOffice inserts
    for the 版记 section's even-page start, has no number; closing_page then removes
    this frame, or the section break, once the PDF shows that blank page."""
    style = reference.style_id("Footer") or "Footer"
    frame = f'<w:framePr w:w="{reference.text_width}" w:wrap="around" w:vAnchor="page" w:hAnchor="margin"'
    frame += f' w:x="0" w:y="{PAGE_NUMBER_Y}"/>'
    number = '<w:fldSimple w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>'
    return (
        f'<w:p><w:pPr><w:pStyle w:val="{xml_attribute(style)}"/>{frame}<w:ind w:left="280"/>'
        f'<w:jc w:val="left"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r>{number}'
        '<w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p>'
    )


# The 公开方式 row: no rule above it, the 版记's first rule (0.35 mm) under it.
_PUBLICITY_BORDERS = (
    '<w:tcBorders><w:top w:val="nil"/>'
    '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tcBorders>'
)

_HAIRLINE = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'


_EVEN_PAGE = re.compile(r'<w:type w:val="evenPage"\s*/>')
_TITLE_PAGE = re.compile(r"<w:titlePg\s*/>|<w:titlePg [^>]*/>")


def _text_section(reference: ReferenceDocument, keep_title_page: bool = False) -> str:
    """The page setup of the text before the 版记, if the reference's (last)
    section starts on an even page: the same, less the even-page start and, but
    for a letter (§10.1: 首页不显示页码), the unnumbered title page."""
    sect_pr = reference.document_tail[: reference.document_tail.index("</w:sectPr>") + len("</w:sectPr>")]
    if not _EVEN_PAGE.search(sect_pr):
        return ""
    sect_pr = _EVEN_PAGE.sub("", sect_pr)
    return sect_pr if keep_title_page else _TITLE_PAGE.sub("", sect_pr)
