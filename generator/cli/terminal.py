"""Plain-text tables that line up with Chinese text in a terminal."""

from __future__ import annotations

from ..docx.text_width import display_width


def truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def table(headers: list[str], rows: list[list[str]], max_width: int | None = 60) -> str:
    """Columns separated by two spaces; cells longer than max_width are cut with an
    ellipsis (None: never, where every character matters)."""
    cells = [[c if max_width is None else truncate(c, max_width) for c in row] for row in [headers, *rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [c + " " * (widths[i] - display_width(c)) for i, c in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
