"""The lines above an English letter's text, in the order the letter writes them.

A plain letter puts its date, references (My ref: EO/31), number (Circular No.
NP/183/15), To line, salutation and the title repeated as a subject between
the title and the text, in its own order; `header_order` keeps that order.
"""

from __future__ import annotations

import re
from typing import Any

from . import patterns
from .blocks import Paragraph

_REFERENCE = re.compile(r"^(?P<label>(?:my|our|your)\s+ref(?:erence)?\.?\s*:?)\s*(?P<text>\S.*)$", re.I)
_NUMBER = re.compile(
    r"^(?P<label>(?:[A-Z][A-Za-z ]*?)?(?:circular|ref|reference|document)\.?\s*(?:no\.?|number)?\s*:?)"
    r"\s*(?P<text>\S+.*)$",
    re.I,
)
_TO = re.compile(r"^To\s*:?\s+(?P<rest>.+)$")


def read_letter_header(zones: Any, position: int) -> int:
    """Read the header lines from `position`; the index of the first line of the text."""
    items, fields, reading = zones.items, zones.fields, zones.reading
    order = ["title"]
    title = _squeeze(fields.get("title", ""))
    while position < len(items) and isinstance(items[position], Paragraph):
        text = items[position].text.strip()
        if "date" not in fields and (found := patterns.parse_english_date(text)):
            fields["date"], style = found
            if style:
                fields["date_style"] = style
            line = "date"
        elif match := _REFERENCE.match(text):
            fields.setdefault("references", []).append({"label": match["label"], "text": match["text"]})
            line = "references"
        elif (
            reading.number_line is None and (match := _NUMBER.match(text)) and re.search(r"\d", match["text"])
        ):
            reading.number_line = (match["label"].strip(), match["text"])
            line = "number"
        elif re.match(r"^Dear\b", text) and len(text) < 60:
            fields["salutation"] = text
            line = "salutation"
        elif match := _TO.match(text):
            reading.to_names += patterns.split_names(match["rest"])
            line = "to"
        elif title and _squeeze(text) == title:
            line = "subject"
        else:
            break
        if line not in order:
            order.append(line)
        position += 1
    if "date" in order and len(order) > 2:
        fields["header_order"] = order
    return position


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
