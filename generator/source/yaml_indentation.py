"""Which line of a YAML file is indented wrongly, and to which column it belongs.

PyYAML reports a key indented one space too far or too short as "did not find
expected key" or "mapping values are not allowed", at whichever line it noticed
it, which can be the line after. A key belongs at the column of a key of a
mapping still open above it (or deeper, right under a key that opens a block):
this finds the key line that is at none, and the nearest column it could be at.
"""

from __future__ import annotations

import re

from ..i18n import _
from .diagnostics import Position

# "key:" or "- key:" (plain or quoted key), ending the line or followed by a space
_KEY = re.compile(r"""^( *)(- +)?([^\s#'"\-][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)""")


def misindented_key(text: str, error_line: int) -> tuple[Position, str] | None:
    """The key line at or just above `error_line` (1-based) that is indented to no
    open mapping's column, with what to do about it; None if there is none."""
    lines = text.splitlines()
    candidates = [error_line - 1]
    before = _previous_content(lines, error_line - 1)
    if before is not None:
        candidates.append(before)
    for i in candidates:
        found = _KEY.match(lines[i]) if 0 <= i < len(lines) else None
        if found is None or found.group(2):  # only a key of its own line, not a list item
            continue
        indent, key = len(found.group(1)), found.group(3)
        wanted = _open_key_columns(lines, i)
        if wanted is None or indent in wanted:
            continue
        column, line = min(wanted.items(), key=lambda item: (abs(item[0] - indent), item[0]))
        sibling = _KEY.match(lines[line]).group(3)
        return Position(i + 1, indent + 1), (
            _(
                "'{key}' is indented to column {column}: indent it to column {wanted}, like '{sibling}' on "
                "line {line}"
            ).format(key=key, column=indent + 1, wanted=column + 1, sibling=sibling, line=line + 1)
        )
    return None


def _previous_content(lines: list[str], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if lines[j].strip() and not lines[j].lstrip().startswith("#"):
            return j
    return None


def _open_key_columns(lines: list[str], i: int) -> dict[int, int] | None:
    """{column: line} of the keys of the mappings open at line i (0-based columns and
    lines), or None when the line before opens a block, where any deeper indent is right."""
    indent = len(lines[i]) - len(lines[i].lstrip(" "))
    columns: dict[int, int] = {}
    floor = None
    j = i
    while (j := _previous_content(lines, j)) is not None:
        found = _KEY.match(lines[j])
        if found is None:
            continue
        column = len(found.group(1)) + len(found.group(2) or "")
        opens = not lines[j][found.end() :].split("#")[0].strip()
        if floor is None and j == _previous_content(lines, i) and opens and indent > column:
            return None  # the line above opens a block, and this line starts it
        if floor is None or column < floor:
            columns[column] = j
            floor = column
        if floor == 0:
            break
    return columns or None
