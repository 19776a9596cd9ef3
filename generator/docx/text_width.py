"""How wide text is, in half-width cells: CJK characters take two, Latin letters one.

Layout rules size the organ mark, titles, signatures and table columns with it;
the command line lines up its tables with it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Dates and document numbers the Word writer keeps whole on a line (body.py).
UNBROKEN = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号")


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: wide (CJK) characters take two."""
    if text.isascii():  # a number, a name, a date in digits: no wide character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def width_in_characters(text: str) -> float:
    """Width in full-width characters: Chinese counts 1, Latin letters and digits ½."""
    return display_width(text) / 2


def set_width(text: str) -> float:
    """A text's width in characters as LibreOffice sets it. Word sets 2024年4月18日
    solid (w:autoSpaceDE/DN off); LibreOffice ignores those and puts about a fifth of
    a character between digits and Chinese, but for dates and document numbers kept
    whole (UNBROKEN: body.py writes them in runs of no Asian language)."""
    marked = UNBROKEN.sub("〇", text)  # a date kept whole counts as one Chinese character
    boundaries = sum(1 for a, b in itertools.pairwise(marked) if a.isascii() != b.isascii())
    return width_in_characters(text) + 0.2 * boundaries
