"""How wide text is, in half-width cells: CJK characters take two, Latin letters one.

Layout rules size the organ mark and table columns with it; the command line
lines up its tables with it.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: wide (CJK) characters take two."""
    if text.isascii():  # a number, a name, a date in digits: no wide character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
