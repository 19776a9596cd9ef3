"""The lines around an English letter's title, in the order the letter writes them.

A plain letter has its letterhead (the body's name, then a line of address,
telephone and e-mail), its date, references (My ref: EO/31), number (Circular
No. NP/183/15, Ref. ChemChina TU [2012] No. 3, a date after a tab on the same
line), To line, salutation and the title repeated as a subject, around the
title in its own order; `header_order` keeps that order.
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
_TO = re.compile(r"^To\s*:\s*(?P<rest>.+)$")
_DETAILS = re.compile(r"@|\s·\s|\+\d")  # the letterhead's address, telephone and e-mail line


def letter_title(zones: Any) -> int:
    """Read the lines above the title: the index of the title."""
    items, order = zones.items, zones.letter_order
    position = 0
    while position < len(items) and isinstance(items[position], Paragraph):
        text = items[position].text.strip()
        if position < 2 and zones.known(text):
            zones.reading.issuer_names.append(text)
        elif position < 3 and _DETAILS.search(text):
            pass
        elif not all(_line(zones, part.strip(), order) for part in text.split("\t") if part.strip()):
            break
        position += 1
    return position


def read_letter_header(zones: Any, position: int) -> int:
    """Read the lines from `position` (after the title); the index of the first line of the text."""
    items, fields, order = zones.items, zones.fields, zones.letter_order
    order.append("title")
    while position < len(items) and isinstance(items[position], Paragraph):
        text = items[position].text.strip()
        if not all(_line(zones, part.strip(), order) for part in text.split("\t") if part.strip()):
            break
        position += 1
    if "date" in order and "title" in order and order != ["title", "date"]:
        fields["header_order"] = order
    return position


def _line(zones: Any, text: str, order: list[str]) -> bool:
    """Read one header line (or one part of it between tabs); False if it is none."""
    fields, reading = zones.fields, zones.reading
    title = _squeeze(fields.get("title", ""))
    if "date" not in fields and (found := patterns.parse_english_date(text)):
        fields["date"], style = found
        if style:
            fields["date_style"] = style
        line = "date"
    elif match := _REFERENCE.match(text):
        fields.setdefault("references", []).append({"label": match["label"], "text": match["text"]})
        line = "references"
    elif reading.number_line is None and (match := _NUMBER.match(text)) and re.search(r"\d", match["text"]):
        reading.number_line = (match["label"].strip(), match["text"])
        if found := patterns.NUMBER.match(re.sub(r"\s+", "", match["text"])):
            reading.number = {
                "prefix": found["prefix"],
                "year": found["year"],
                "number": int(found["number"]),
            }
        line = "number"
    elif re.match(r"^Dear\b", text) and len(text) < 60:
        fields["salutation"] = text
        line = "salutation"
    elif match := _TO.match(text):
        reading.to_names += patterns.split_names(match["rest"], english=True)
        line = "to"
    elif title and _squeeze(text) == title:
        line = "subject"
    elif order and order[-1] == "to" and len(text) < 150 and not re.search(r"[.:;,]$", text):
        reading.to_names += patterns.split_names(
            text, english=True
        )  # the To line's next recipient, on a line of its own
        line = "to"
    else:
        return False
    if line not in order:
        order.append(line)
    return True


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
