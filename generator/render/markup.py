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
    out = []
    for span in parse(normalize_space(text)):
        escaped = escape_markdown(span.text)
        if span.style == "strong":
            out.append(f"**{escaped}**")
        elif span.style == "em":
            out.append(f"*{escaped}*")
        elif span.style == "link":
            out.append(f"[{escaped}]({quote(span.url, safe=':/?#@!$&=+;,%~.-_')})")
        else:
            out.append(escaped)
    return "".join(out)


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
