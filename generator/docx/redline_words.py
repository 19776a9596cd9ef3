"""What changed inside one paragraph: its text in tokens, and the differences as
Word's Compare shows them.

English is compared by words, Chinese by words as jieba cuts them (title_words.py
reads jieba's dictionary without loading it whole). A short stretch left equal
between two changes (a space, one character, 月 between two changed numbers of
a date) is folded into them, so a changed phrase reads as one deletion and one
insertion, not a comb of small ones. The word joiners the writer puts inside
dates and numbers (U+2060) are text like any other: both documents come from
the same writer, so they stand at the same places in equal text.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .title_words import word_ends

# a Latin word or number (joiners inside it), a stretch of white space, a stretch of
# Chinese (cut into words by jieba), or any other single character
_TOKEN = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f\u2060]+(?:['’.,\-][0-9A-Za-z\u00c0-\u024f\u2060]+)*"
    r"|\s+"
    r"|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
    r"|."
)
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# an equal stretch this short (joiners and spaces not counted) between two changes joins them
_ISLAND = 2


def tokens(text: str) -> list[str]:
    """`text` in tokens whose concatenation is `text`."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match[0]
        if len(token) > 1 and _CHINESE.match(token):
            start = 0
            for end in word_ends(token):
                out.append(token[start:end])
                start = end
        else:
            out.append(token)
    return out


def _island(words: list[str]) -> bool:
    text = "".join(words).replace("\u2060", "")
    return len(text.strip()) <= _ISLAND


def changes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Opcodes over the token lists ("equal" or "replace", with empty sides for a
    pure deletion or insertion), short equal islands folded into the changes around them."""
    codes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        inner = 0 < index < len(codes) - 1
        if tag == "equal" and not (inner and _island(old[i1:i2])):
            merged.append(["equal", i1, i2, j1, j2])
        elif merged and merged[-1][0] == "replace":
            merged[-1][2], merged[-1][4] = i2, j2
        else:
            merged.append(["replace", i1, i2, j1, j2])
    return [tuple(code) for code in merged]


def similarity(old: str, new: str) -> float:
    """How alike two texts are, 0 to 1, cheaply bounded first."""
    if old == new:
        return 1.0
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < 0.4 or matcher.quick_ratio() < 0.4:
        return matcher.quick_ratio()
    return matcher.ratio()
