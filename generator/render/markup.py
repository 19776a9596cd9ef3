"""A circular's text fields as safe Markdown, for the one rendering both outputs share.

The inline markup (bold, italic, links; source/inline_markup.py) becomes
Markdown; every other character that means something to Markdown or HTML is
escaped, so text from YAML prints exactly as typed.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ..source.inline_markup import normalize_space, parse

# Characters that mean something to Python-Markdown anywhere in a line (with the
# tables and attr_list extensions), and those that matter only where a line
# starts (lists, quotes, rules). Escaping only these keeps the Markdown readable.
_SPECIAL_ANYWHERE = re.compile(r"([\\`*_{}\[\]#|])")
_SPECIAL_AT_LINE_START = re.compile(r"^(\s*)(?:([>+\-])|(\d+)\.)", re.MULTILINE)
# Any character the first two steps below change: most text has none (a Chinese
# paragraph never does), and one search is a fifth of the replacing it spares.
_CHANGED_ANYWHERE = re.compile(r"[\\`*_{}\[\]#|&<]")


def escape_markdown(text: str) -> str:
    """Text that Markdown will print literally (and HTML will not interpret)."""
    if _CHANGED_ANYWHERE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        text = _SPECIAL_ANYWHERE.sub(r"\\\1", text)
    first = text[:1]
    if "\n" not in text and not first.isspace() and not first.isdecimal() and first not in ">+-":
        return text  # one line that starts no block: the line-start pattern cannot match
    return _SPECIAL_AT_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\.", text)


def to_markdown(text: str) -> str:
    """One line of YAML text as safe Markdown."""
    return _spans_markdown(normalize_space(text), escape_markdown)


def _spans_markdown(text: str, plain) -> str:
    """The inline markup of text as Markdown, its plain text written by `plain`."""
    out = []
    for span in parse(text):
        escaped = plain(span.text)
        if span.style == "strong":
            out.append(f"**{escaped}**")
        elif span.style == "em":
            out.append(f"*{escaped}*")
        elif span.style == "link":
            out.append(f"[{escaped}]({quote(span.url, safe=':/?#@!$&=+;,%~.-_')})")
        else:
            out.append(escaped)
    return "".join(out)


# The spaces that start a line, kept: as entities, which neither Python-Markdown (it
# strips a paragraph's leading white space, U+3000 included) nor HTML drops.
_LINE_START_BLANKS = re.compile(r"[ \u3000]+")
_KEPT_BLANK = {" ": "&nbsp;", "\u3000": "&#12288;"}


def paragraph_markdown(paragraph: str) -> str:
    """One paragraph of a text field as Markdown: where the writer broke the line, a
    line break (`<br />`, which Word keeps as a break in the same paragraph), and the
    spaces that start a line (a name aligned under the first) as typed."""
    if "\n" not in paragraph and paragraph[:1] not in _KEPT_BLANK:
        return to_markdown(paragraph)
    starts, lines = [], []
    for line in paragraph.split("\n"):
        blanks = _LINE_START_BLANKS.match(line)
        starts.append("".join(_KEPT_BLANK[c] for c in blanks.group()) if blanks else "")
        lines.append(normalize_space(line))
    later_starts = iter(starts[1:])

    def plain(text: str) -> str:  # a bold or italic run may go on past a break
        return "".join(
            (f"<br />{next(later_starts)}" if index else "") + escape_markdown(piece)
            for index, piece in enumerate(text.split("\n"))
        )

    return starts[0] + _spans_markdown("\n".join(lines), plain)


def title_markdown(text: str) -> str:
    """A title as Markdown for its one heading line: where the author broke the line
    (a `|` block or "\\n" in YAML), a line break the layouts keep as written."""
    lines = [line for line in text.split("\n") if line.strip()]
    return "<br />".join(to_markdown(line) for line in lines)


def continue_sentence(text: str) -> str:
    """Lower-case a phrase's first letter so it can follow 'First, ' mid-sentence.

    Only when the first two words look like ordinary words ("Find out problems",
    "The maritime home"), not a name ("Chengdu FTU builds", "Baogai Science Park").
    """
    words = text.split(" ", 2)
    if len(words) < 2:
        return text
    first, second = words[0], words[1]
    ordinary = first.isalpha() and len(first) > 1 and first[1:].islower() and second[:1].islower()
    return text[:1].lower() + text[1:] if ordinary else text
