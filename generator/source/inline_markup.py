"""The inline markup a circular's text fields may hold, and what it means.

A secretary may write **bold**, *italic* and [links](https://example.org) in any
text field; everything else is data and must print exactly as typed, so that
`# not a heading`, `<b>` or `{{ 7*7 }}` in a requirement reaches the page and the
Word file literally. This module parses that subset, checks link targets (the
model validates with it) and gives the plain text (for titles, document
properties and feeds); render/markup.py turns it into escaped Markdown.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import unquote

from ..i18n import _

_INLINE = re.compile(
    r"\\(?P<escaped>[\\*\[\]_])"
    # no emphasis inside Latin words or numbers (7*7*2), but inside Chinese text
    r"|(?<![A-Za-z0-9*])\*\*(?=\S)(?P<strong>[^*]+?)(?<=\S)\*\*(?![A-Za-z0-9*])"
    r"|(?<![A-Za-z0-9*])\*(?=[^\s*])(?P<em>[^*]+?)(?<=[^\s*])\*(?![A-Za-z0-9*])"
    # a label holds no bracket, so each `[` looks only as far as the next bracket:
    # the scan stays linear however many `[` a text has
    r"|\[(?P<label>[^\[\]\n]+)\]\((?P<url>[^()\s]+)\)",
    re.DOTALL,
)
_WEB_URL = re.compile(r"https?://[^/?#\\@:]+(:\d+)?([/?#][^\\]*)?", re.IGNORECASE)
_ANCHOR = re.compile(r"#[\w\-.~%]*")
_RELATIVE = re.compile(r"(?P<path>[\w\-.~%/]+)(#[\w\-.~%]*)?")
# Chinese characters and punctuation, including the curly quotes Chinese uses:
# a line break next to one of these is not a word space.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018\u2019\u201c\u201d\u2014\u2026"
# A break is matched only from where its run of blanks starts (never from inside
# it), which keeps a long run of spaces or newlines linear to scan.
_SOFT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*|(?<!\s)[ \t]*\n\s*(?=[{_CJK}])")


class Span(NamedTuple):
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


# Far above any real paragraph (a full A4 page holds about 620 Chinese characters):
# Python-Markdown's inline pass takes time quadratic in a paragraph's escapes and
# entities (20,000 `*` take 0.7 s), so a bound keeps builds linear in file size.
MAX_PARAGRAPH = 10_000
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def check_inline(text: str) -> None:
    """Raise ValueError if a paragraph is too long or links somewhere a document must not point.

    Every text field is checked as it is read; most have no link (a link's `](`
    is not in them) and are shorter than a paragraph may be, and skip the work."""
    for span in parse(text) if "](" in text else ():
        if span.style == "link" and not safe_url(span.url):
            raise ValueError(
                _("link target '{url}' is not allowed: use http(s)://, mailto: or a relative path").format(
                    url=span.url
                )
            )
    if len(text) <= MAX_PARAGRAPH:
        return
    longest = max(len(paragraph) for paragraph in _PARAGRAPH_BREAK.split(text))
    if longest > MAX_PARAGRAPH:
        raise ValueError(
            _(
                "a paragraph of {longest:,} characters: split it with blank lines (at most "
                "{max_paragraph:,} characters each)"
            ).format(longest=longest, max_paragraph=MAX_PARAGRAPH)
        )


def safe_url(url: str) -> bool:
    """Whether a document may link to url: the web, mail, an anchor, or a path inside the site.

    Anything that could reach another machine or the reader's own files is refused:
    other schemes (javascript:, file:), `//host/share` (a Windows network path
    in Word), absolute paths like /etc/passwd, and `..` climbing out of the site.
    """
    if url.lower().startswith(("http://", "https://")):
        return _WEB_URL.fullmatch(url) is not None
    if url.lower().startswith("mailto:"):
        return "@" in url and "/" not in url and "\\" not in url
    if url.startswith("#"):
        return _ANCHOR.fullmatch(url) is not None
    relative = _RELATIVE.fullmatch(url)
    if relative is None:
        return False
    path = unquote(relative["path"])  # %2e%2e is .. to a browser
    return not path.startswith("/") and ".." not in path.split("/") and "\\" not in path


@functools.lru_cache(maxsize=4096)
def to_plain(text: str) -> str:
    """The text without markup, for titles, properties and feeds (remembered: a listing
    page shows a title once per row, and a title is in many listings)."""
    return "".join(span.text for span in parse(normalize_space(text)))


def normalize_space(text: str) -> str:
    """Join the lines of one paragraph: no space between Chinese characters.

    Runs of ASCII white space become one space; an ideographic space inside the
    text (联系人：张三　电话：…) is the author's and is kept, as HTML keeps it."""
    text = text.strip()
    if "\n" in text:  # most text is one line: the look-around pattern costs 10 µs on 100 characters
        text = _SOFT_BREAK.sub("", text)
    return _ASCII_SPACE.sub(" ", text)


def paragraphs(text: str | None) -> list[str]:
    """Split block text on blank lines into paragraphs, each with the lines the writer
    broke it into (a line break where one was typed) and the spaces that start a later
    line (an alignment under the line above). Lines that are blank, spaces that end a
    line and those that start a paragraph are dropped: its first line's indent is the
    layout's (two characters in GB/T 9704), which text pasted from a web page (　　…)
    would otherwise double."""
    if not text:
        return []
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines:
            found.append("\n".join([lines[0].strip(), *lines[1:]]))
    return found
