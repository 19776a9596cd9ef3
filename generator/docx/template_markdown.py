"""The Markdown our templates write, to HTML without Python-Markdown.

Python-Markdown was half of writing a Word document: it tries every block and
inline pattern on every paragraph. The built-in templates write a small,
regular part of Markdown — paragraphs with an attr_list line, headings, a red
rule, `<div markdown="1">` around pipe tables and HTML tables, and inline
strong, links, escapes, `<span>`, `<br />` and the two entities that keep the
spaces starting a line (`&nbsp;`, `&#12288;`) — which this module reads line by
line in one pass, giving the HTML Python-Markdown gives for it, character for
character.

Anything outside that part (a list, a quote, emphasis with one star, an
entity, a line that could start another kind of block…), as a project's own
templates or unusual text may write, makes `to_html` return None, and the
caller converts the whole text with Python-Markdown as before. The test
compares both on every example and on thousands of generated texts.
"""

from __future__ import annotations

import re

# What Python-Markdown's backslash escapes (markdown.Markdown.ESCAPED_CHARS).
_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!")

# Anything that could start a block other than a paragraph, or change one.
_NOT_PARAGRAPH = re.compile(
    r"[ \t]"  # indented: code, or a list's continuation
    r"|[#>|{=~`:]"  # heading, quote, table, attribute list, setext line, fence, definition
    r'|<(?!span class="[\w -]+">)'  # HTML, but the span a run-in heading opens its paragraph with
    r"|[-*+](?:[ \t]|$)"  # bullet
    r"|\d+[.)](?:[ \t]|$)"  # numbered item
    r"|\[[^\]]*\]:"  # reference definition
)
_RULE = re.compile(r"^[ ]{0,3}(?:(?:-+[ ]{0,2}){3,}|(?:_+[ ]{0,2}){3,}|(?:\*+[ ]{0,2}){3,})[ ]*$")
_ATTRIBUTE_LIST = r"\{:?[ ]*((?:[.#][A-Za-z][\w-]*[ ]*)+)\}"  # {: .class #id }, its tokens captured
_HTML_ATTRIBUTES = r'((?: [a-z][a-z-]*="[^"&<>]*")*)'  # a tag's attributes (data-font-size too), captured
_ATTRIBUTES = re.compile(_ATTRIBUTE_LIST)
_HEADING = re.compile(rf"(#{{1,6}})[ ]+(.*?)(?:[ ]+{_ATTRIBUTE_LIST})?")
_DIV = re.compile(r'<div class="([\w -]+)" markdown="1">')
_HTML_ATTRIBUTE = re.compile(r' ([a-z][a-z-]*)="([^"&<>]*)"')
_HTML_TABLE_OPEN = re.compile(rf"<table{_HTML_ATTRIBUTES}>")
_ROW = re.compile(rf"<tr{_HTML_ATTRIBUTES}>(.*)</tr>")
_CELL = re.compile(rf"<(t[hd]){_HTML_ATTRIBUTES}>(.*?)</\1>")
_COLGROUP = re.compile(r'<colgroup>(?:<col(?: style="[^"&<>]*")?>)*</colgroup>')
_RAW_RULE = re.compile(r'<hr class="[\w -]+" />')
_PIPE_SEPARATOR = re.compile(r"\|(?:[ ]*-{3,}[ ]*\|)+")
_INLINE_TAG = re.compile(r'<span class="[\w -]+">|</span>|<br />|<br>')
_LINK = re.compile(r"\[([^\[\]\\`*_<>&]+)\]\(([^\s()<>\"'&\\]+)\)")


# Carriage returns and tabs Python-Markdown normalizes first; STX and ETX it reserves.
_CONTROL = re.compile("[\r\t\x02\x03]")


class _Unsupported(Exception):
    """The text leaves the part of Markdown read here."""


def to_html(text: str) -> str | None:
    """The HTML Python-Markdown makes of `text`, or None if the text is not of the part read here."""
    if _CONTROL.search(text):
        return None
    try:
        return "".join(_Blocks(text.split("\n")).read()).strip()
    except _Unsupported:
        return None


class _Blocks:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.at = 0
        self.divs = 0

    def read(self) -> list[str]:
        out: list[str] = []
        lines = self.lines
        while self.at < len(lines):
            line = lines[self.at]
            if not line:
                self.at += 1
            elif line == "</div>":
                if not self.divs:
                    raise _Unsupported
                self.divs -= 1
                self.at += 1
                out.append("</div>")
            elif line.startswith("<div"):
                match = _match(_DIV, line)
                self.divs += 1
                self.at += 1
                out.append(f'<div class="{match.group(1)}">')
            elif line.startswith("<table"):
                out.append(self.html_table())
            elif line.startswith("<hr"):
                _match(_RAW_RULE, line)
                self.blank_or_end(self.at + 1)
                self.at += 1
                out.append(line + "\n")
            elif line.startswith("#"):
                out.append(self.heading(line))
            elif line.startswith("|"):
                out.append(self.pipe_table())
            else:
                out.append(self.paragraph())
        if self.divs:
            raise _Unsupported
        return out

    def blank_or_end(self, index: int) -> None:
        if index < len(self.lines) and self.lines[index]:
            raise _Unsupported

    def block_lines(self) -> list[str]:
        """The lines up to the next blank line or `</div>`."""
        start = self.at
        lines = self.lines
        while self.at < len(lines) and lines[self.at] and lines[self.at] != "</div>":
            self.at += 1
        return lines[start : self.at]

    def heading(self, line: str) -> str:
        match = _match(_HEADING, line)
        self.blank_or_end(self.at + 1)
        self.at += 1
        text = match.group(2)
        if not text or text.endswith(("#", " ")):
            raise _Unsupported
        level = len(match.group(1))
        return f"<h{level}{_attributes(match.group(3))}>{_inline(text)}</h{level}>"

    def paragraph(self) -> str:
        lines = self.block_lines()
        attributes = ""
        if len(lines) > 1 and lines[-1].startswith("{"):
            attributes = _attributes(_match(_ATTRIBUTES, lines[-1]).group(1))
            lines = lines[:-1]
        for line in lines:
            if _NOT_PARAGRAPH.match(line) or _RULE.match(line) or line.endswith((" ", "\t")):
                raise _Unsupported
        return f"<p{attributes}>{_inline(chr(10).join(lines))}</p>"

    def pipe_table(self) -> str:
        lines = self.block_lines()
        if len(lines) < 3 or not _PIPE_SEPARATOR.fullmatch(lines[1]):
            raise _Unsupported
        rows = [_pipe_cells(line) for line in lines]
        width = len(rows[0])
        if any(len(row) != width for row in rows) or lines[1].count("|") != width + 1:
            raise _Unsupported
        head = "".join(f"<th>{cell}</th>" for cell in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows[2:])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def html_table(self) -> str:
        """A table as render/tables.py writes it: one row per line, cells read as inline Markdown."""
        lines = self.lines
        out = [f"<table{_html_attributes(_match(_HTML_TABLE_OPEN, lines[self.at]).group(1))}>"]
        self.at += 1
        while self.at < len(lines) and lines[self.at] != "</table>":
            line = lines[self.at]
            self.at += 1
            if line in ('<thead markdown="1">', '<tbody markdown="1">'):
                out.append(line[:6] + ">")
            elif line in ("</thead>", "</tbody>"):
                out.append(line)
            elif line.startswith("<colgroup>"):
                out.append(_match(_COLGROUP, line).group(0))
            else:
                row = _match(_ROW, line)
                cells = _CELL.findall(row.group(2))
                if "".join(f"<{t}{a}>{c}</{t}>" for t, a, c in cells) != row.group(2):
                    raise _Unsupported
                out.append(f"<tr{_html_attributes(row.group(1))}>")
                for tag, attributes, content in cells:
                    if 'markdown="span"' not in attributes:
                        raise _Unsupported
                    out.append(f"<{tag}{_html_attributes(attributes)}>{_inline(content)}</{tag}>")
                out.append("</tr>")
        if self.at == len(lines):
            raise _Unsupported
        self.at += 1
        out.append("</table>")
        return "".join(out)


def _match(pattern: re.Pattern, text: str) -> re.Match:
    match = pattern.fullmatch(text)
    if match is None:
        raise _Unsupported
    return match


def _attributes(spec: str | None) -> str:
    """An attr_list's `.class #id` as HTML attributes, sorted by name as Python-Markdown writes them."""
    if not spec:
        return ""
    classes = [token[1:] for token in spec.split() if token[0] == "."]
    ids = [token[1:] for token in spec.split() if token[0] == "#"]
    found = {"class": " ".join(classes)} if classes else {}
    if ids:
        found["id"] = ids[-1]
    return "".join(f' {name}="{value}"' for name, value in sorted(found.items()))


def _html_attributes(text: str) -> str:
    """An HTML tag's attributes without `markdown`, sorted by name as Python-Markdown writes them."""
    found = dict(_HTML_ATTRIBUTE.findall(text))
    if "".join(f' {name}="{value}"' for name, value in found.items()) != text or len(found) != text.count(
        "="
    ):
        raise _Unsupported
    found.pop("markdown", None)
    return "".join(f' {name}="{value}"' for name, value in sorted(found.items()))


def _pipe_cells(line: str) -> list[str]:
    if not line.startswith("| ") or not line.endswith(" |") or "\\|" in line:
        raise _Unsupported
    return [_inline(cell.strip()) for cell in line[2:-2].split(" | ")]


def _inline(text: str) -> str:
    """Inline Markdown as Python-Markdown writes it: escapes, **strong**, links, <span>, <br />."""
    out: list[str] = []
    parts = _INLINE_TAG.split(text)
    tags = _INLINE_TAG.findall(text)
    for index, part in enumerate(parts):
        out.append(_strong(part))
        if index < len(tags):
            out.append(tags[index])
    return "".join(out)


def _strong(text: str) -> str:
    if "**" not in text:
        return _links(text)
    pieces = text.split("**")
    if len(pieces) % 2 == 0:
        raise _Unsupported
    out = [_links(pieces[0])]
    for inner, after in zip(pieces[1::2], pieces[2::2], strict=True):
        if not inner or inner[0].isspace() or inner[-1].isspace():
            raise _Unsupported
        out.append(f"<strong>{_links(inner)}</strong>{_links(after)}")
    return "".join(out)


def _links(text: str) -> str:
    if "[" not in text and "]" not in text:
        return _plain(text)
    out = []
    end = 0
    for match in _LINK.finditer(text):
        out.append(_plain(text[end : match.start()]))
        out.append(f'<a href="{match.group(2)}">{_plain(match.group(1))}</a>')
        end = match.end()
    out.append(_plain(text[end:]))
    return "".join(out)


def _plain(text: str) -> str:
    """Text with backslash escapes and nothing else that Markdown reads."""
    if "\\" in text:
        pieces = text.split("\\")
        kept = [pieces[0]]
        for piece in pieces[1:]:
            if not piece or piece[0] not in _ESCAPABLE:
                raise _Unsupported
            kept.append(("&gt;" if piece[0] == ">" else piece[0]) + piece[1:])
            _check_plain(piece[1:])
        _check_plain(pieces[0])
        return "".join(kept)
    _check_plain(text)
    return text


_SPECIAL = re.compile(r"[*_\[\]<>&`{}!]|  \n|\\")
# Entities Python-Markdown writes out as they are (render/markup.py writes these two).
_KEPT_ENTITY = re.compile(r"&(?:nbsp|#12288);")


def _check_plain(text: str) -> None:
    if _SPECIAL.search(_KEPT_ENTITY.sub("", text) if "&" in text else text):
        raise _Unsupported
