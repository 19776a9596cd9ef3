"""The small, safe subset of Markdown allowed in a circular's text.

A secretary may write **bold**, *italic* and [links](https://example.org) in any
text field; everything else is data and must print exactly as typed, so that
`# not a heading`, `<b>` or `{{ 7*7 }}` in a requirement reaches the page and the
Word file literally. This module parses that subset and turns it into escaped
Markdown (for the one rendering both outputs share) or plain text (for titles,
document properties and feeds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

# Characters that mean something to Python-Markdown anywhere in a line (with the
# tables and attr_list extensions), and those that matter only where a line
# starts (lists, quotes, rules). Escaping only these keeps the Markdown readable.
_SPECIAL_ANYWHERE = re.compile(r"([\\`*_{}\[\]#|])")
_SPECIAL_AT_LINE_START = re.compile(r"^(\s*)(?:([>+\-])|(\d+)\.)", re.MULTILINE)
_INLINE = re.compile(
    r"\\(?P<escaped>[\\*\[\]_])"
    # no emphasis inside Latin words or numbers (7*7*2), but inside Chinese text
    r"|(?<![A-Za-z0-9*])\*\*(?=\S)(?P<strong>[^*]+?)(?<=\S)\*\*(?![A-Za-z0-9*])"
    r"|(?<![A-Za-z0-9*])\*(?=[^\s*])(?P<em>[^*]+?)(?<=[^\s*])\*(?![A-Za-z0-9*])"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>[^()\s]+)\)",
    re.DOTALL,
)
_SAFE_URL = re.compile(r"^(https?://|mailto:|#|/|\.{0,2}/?[\w\-.~%/]+(#[\w\-]*)?$)", re.IGNORECASE)
# Chinese characters and punctuation, including the curly quotes Chinese uses:
# a line break next to one of these is not a word space.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018\u2019\u201c\u201d\u2014\u2026"
_SOFT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*|[ \t]*\n\s*(?=[{_CJK}])")


@dataclass(frozen=True)
class Span:
    """A run of text with at most one kind of emphasis or a link target."""

    text: str
    style: str = ""  # "", "strong", "em" or "link"
    url: str = ""


def parse(text: str) -> list[Span]:
    """Split text into plain, bold, italic and link spans."""
    spans: list[Span] = []
    plain: list[str] = []
    position = 0

    def flush() -> None:
        if plain:
            spans.append(Span("".join(plain)))
            plain.clear()

    for match in _INLINE.finditer(text):
        plain.append(text[position : match.start()])
        position = match.end()
        if match["escaped"]:
            plain.append(match["escaped"])
            continue
        flush()
        if match["strong"]:
            spans.append(Span(match["strong"], "strong"))
        elif match["em"]:
            spans.append(Span(match["em"], "em"))
        else:
            spans.append(Span(match["label"], "link", match["url"]))
    plain.append(text[position:])
    flush()
    return [span for span in spans if span.text]


def check_inline(text: str) -> None:
    """Raise ValueError if the text links somewhere a document must not point."""
    for span in parse(text):
        if span.style == "link" and not _SAFE_URL.match(span.url):
            raise ValueError(
                f"link target '{span.url}' is not allowed: use http(s)://, mailto: or a relative path"
            )


def escape_markdown(text: str) -> str:
    """Text that Markdown will print literally (and HTML will not interpret)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _SPECIAL_ANYWHERE.sub(r"\\\1", text)
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


def to_plain(text: str) -> str:
    """The text without markup, for titles, properties and feeds."""
    return "".join(span.text for span in parse(normalize_space(text)))


def normalize_space(text: str) -> str:
    """Join the lines of one paragraph: no space between Chinese characters."""
    text = _SOFT_BREAK.sub("", text.strip())
    return re.sub(r"\s+", " ", text)


def paragraphs(text: str | None) -> list[str]:
    """Split block text on blank lines into paragraphs."""
    if not text:
        return []
    return [p for p in (normalize_space(p) for p in re.split(r"\n\s*\n", text)) if p]


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
