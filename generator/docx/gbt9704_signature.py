"""GB/T 9704-2012: the end of the text, whose positions depend on its length.

* 附件说明 (§7.3.4): 附件 two characters in, the numbers of the next names under
  the first's, a long name wrapping under its own first character;
* without a seal, the signature one blank line under the text and the date
  starting two characters right of it; with a seal, two blank lines, the date
  four characters from the right and the signature centred over it (joint
  issuers side by side, the last of each row over the date); with the
  signatory's own seal, title and name end four characters from the right, the
  date a line below (§7.3.5);
* the text's last paragraph (or a closing table's last row) keeps with the
  signature, so that the signature never starts a page alone (§7.3.5.4).
"""

from __future__ import annotations

import itertools
import re

from .body import PLAIN, Body, Paragraph
from .reference import ReferenceDocument
from .text_width import set_width, width_in_characters

# the label a note's first line starts with: 附件：, 附表：, 附：, or the circular's own
NOTE_LABEL, NOTE_NUMBER = re.compile(r"[^：:\d]{1,10}[：:]"), re.compile(r"\d+\.")
TAB = "<w:r><w:tab/></w:r>"
# the start of a paragraph's properties, up to its style: where w:keepNext goes
_PARAGRAPH_STYLE = re.compile(r"<w:pPr>(<w:pStyle [^>]*/>)?")


def attachment_note(paragraphs: list[Paragraph], reference: ReferenceDocument) -> None:
    """§7.3.4: 附件 two characters in, the next names' numbers under the first's, and
    a name too long for its line continuing under its own first character: a hanging
    indent as wide as what precedes the name. After a number, whose width depends on
    the font, a tab takes the name to the indent (Word's and LibreOffice's implicit
    tab stop at a hanging indent), half a character of air allowed for the number."""
    notes = [p for p in paragraphs if "attachment-note" in p.classes]
    if not notes:
        return
    tracking = int(reference.style_value("Normal", "w:rPr/w:spacing", "val") or 0)
    char = reference.font_size("Normal") * 20 + tracking  # a character's advance, twips
    indent = int(reference.style_value("Normal", "w:pPr/w:ind", "firstLine") or 0)
    number_at = indent
    for note in notes:
        # a label's line (each label's note its own: 附件：…, then 附表：…) and the lines
        # continuing it, their numbers under its first
        first = "continued" not in note.classes
        label = NOTE_LABEL.match(note.text) if first else None
        if first:
            number_at = indent + (width_in_characters(label[0]) * char if label else 0)
        number = NOTE_NUMBER.match(note.text, label.end() if label else 0)
        end = (number or label).end() if number or label else 0
        if not end or end == len(note.text):
            continue
        hang = width_in_characters(note.text[:end]) * char
        if number:
            hang += char / 2
            _insert(note, end, TAB, "\t")
        start = indent if first else number_at
        note.properties["ind"] = {"left": round(start + hang), "hanging": round(hang)}


def _insert(paragraph: Paragraph, offset: int, markup: str, text: str) -> None:
    """Insert markup (a run) at a character offset of the paragraph's text, splitting the run there."""
    items, position = [], 0
    for kind, fmt, piece in paragraph.runs.items:
        if kind == "t" and position < offset < position + len(piece):
            cut = offset - position
            items += [[kind, fmt, piece[:cut]], ["xml", markup, text], [kind, fmt, piece[cut:]]]
        else:
            items.append([kind, fmt, piece])
            if position + len(piece) == offset:
                items.append(["xml", markup, text])
        position += len(piece)
    paragraph.runs.items = items


def signature_and_date(body: Body, paragraphs: list[Paragraph], reference: ReferenceDocument) -> None:
    signatures = [p for p in paragraphs if "signature" in p.classes]
    dates = [p for p in paragraphs if "date" in p.classes]
    if not signatures or not dates:
        return
    date = dates[0]
    _keep_with_the_text(body, signatures[0], date)
    char = reference.font_size("Date") * 20  # one character, in twips
    width = reference.text_width
    if "person" in date.classes:
        # §7.3.5.3: the signatory's seal four characters from the right with their
        # title two characters to its left; the date a line below, as far from the right
        line = int(reference.style_value("Normal", "w:pPr/w:spacing", "line") or 579)
        for paragraph in [*signatures, date]:
            paragraph.properties["ind"] = {"right": round(4 * char)}
            paragraph.properties["jc"] = {"val": "right"}
        date.properties["spacing"] = {"before": line}
        return
    # one signature under another: only the first is set off from the text
    for paragraph in signatures[1:]:
        paragraph.properties["spacing"] = {"before": 0}
    date_width = set_width(date.text) * char
    if "sealed" in date.classes:
        # §7.3.5.1: the date four characters from the right, the signature centred
        # over it; joint issuers side by side, the last of each row centred over it.
        # The date is centred in a box around its centre, so that the two stay centred
        # on each other whatever the fonts make of the date's width.
        centre = width - 4 * char - date_width / 2
        box = date_width + 2 * char
        date.properties["ind"] = {"left": round(centre - box / 2), "right": round(width - centre - box / 2)}
        date.properties["jc"] = {"val": "center"}
        rows = _side_by_side(body, signatures) if signatures[1:] else [(signatures[0], signatures[0].text)]
        for row, last in rows:
            # a row too wide for that keeps to the type area, flush right
            right = max(0, width - centre - set_width(last) * char / 2)
            right = min(right, max(0, width - set_width(row.text) * char))
            row.properties["ind"] = {"left": 0, "right": round(right)}
            row.properties["jc"] = {"val": "right"}
        return
    signature_width = max(width_in_characters(p.text) for p in signatures) * char
    # §7.3.5.2: the signature two characters from the right, the date's first
    # character two right of the signature's; a date as long as the signature or
    # longer two characters from the right, the signature two characters left of it
    if date_width < signature_width:
        date_left = width - 2 * char - signature_width + 2 * char
    else:
        date_left = width - 2 * char - date_width
    signature_right = width - (date_left - 2 * char) - signature_width
    for paragraph in signatures:
        paragraph.properties["ind"] = {"right": round(signature_right)}
    date.properties["ind"] = {"left": round(date_left), "right": 0}
    date.properties["jc"] = {"val": "left"}


def _keep_with_the_text(body: Body, signature: Paragraph, date: Paragraph) -> None:
    """§7.3.5.4: the signature never alone on a page. Whatever paragraph ends the
    text (特此通知。, the 附件说明, a plain paragraph when there is no closing) keeps
    with the signature, and the date with the notes under it: LibreOffice and Word
    both carry the text's last lines over to the signature's page."""
    index = body.items.index(signature)
    before = body.items[index - 1] if index else None
    if isinstance(before, Paragraph):
        before.properties["keepNext"] = {}
    elif isinstance(before, str) and before.startswith("<w:tbl>"):
        # a table ends the text: its last row keeps with the signature (Word keeps a
        # row with the next paragraph when every paragraph in it keeps with the next)
        row = before.rindex("<w:tr>")
        body.items[index - 1] = before[:row] + _PARAGRAPH_STYLE.sub(r"\g<0><w:keepNext/>", before[row:])
    after = body.items.index(date) + 1
    if (
        after < len(body.items)
        and isinstance(body.items[after], Paragraph)
        and "notes" in body.items[after].classes
    ):
        date.properties["keepNext"] = {}


def _side_by_side(body: Body, signatures: list[Paragraph]) -> list[tuple[Paragraph, str]]:
    """Sealed joint issuers sign side by side, two to a row (§7.3.5.1, figure A.5):
    each row, with the name at its right end."""
    rows = []
    for first, second in itertools.zip_longest(signatures[::2], signatures[1::2]):
        last = first.text
        if second is not None:
            last = second.text
            first.runs.text("\u3000" * 4, first.runs.items[-1][1] if first.runs.items else PLAIN)
            first.runs.items.extend(second.runs.items)
            first.text = first.runs.plain().strip()
            body.items.remove(second)
        rows.append((first, last))
    return rows
