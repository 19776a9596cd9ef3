"""A leader's corrections in a Word draft, traced back to the YAML values they change.

The draft was built by this tool, so the document the current YAML builds is
known: both documents are read as blocks (paragraphs with their text, tables
with their cells), aligned paragraph by paragraph with difflib (Chinese compared
character by character), and each difference is placed in the YAML value whose
text produced it. A value's rendered text is its paragraphs without markup, so
a changed phrase is found inside the paragraph that shows it; a table's cells
are its rows, header rows first. What cannot be placed (the 版头, the number or
the date, made from the registry and the layout; the numbering) is refused, and
the whole import with it: half a correction is worse than none.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _
from ..render.markup import continue_sentence
from ..source import inline_markup
from ..source.yaml_editing import Change, InsertItem, RemoveItem, SetText
from .correction_tables import Table, get, match_table, normal, squash, trace_table

PathKey = tuple


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Table

# Keys whose values are ids, dates, switches or layout: never text a reader sees as typed.
_NOT_TEXT = {
    "id", "kind", "language", "status", "issuer", "to", "cc", "date", "number", "series", "seal",
    "layout", "file", "sheet", "deadline", "start", "end", "due", "children_of", "all_under",
    "responsible", "signatory", "signer", "translation_of", "supersedes", "amends", "width", "align",
    "header_align", "font_size", "after", "height", "landscape", "colspan", "rowspan", "date_style",
    "in_force", "header_rows", "numbering", "urgency", "classification", "run_in", "every",
}  # fmt: skip
# Fields of paragraphs: a paragraph added next to one of theirs becomes one of theirs.
_PARAGRAPH_FIELDS = {"background", "text", "text_after", "purpose", "funding", "publicity", "notes"}
# Numbering the renderer writes (一是 一、 （一） 1. （1） 第一条 First,): renumbering is no correction.
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百]+是|[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|\d+[.．、]"
    r"|（\d+）|\(\d+\)|第[一二三四五六七八九十百]+[章条节]\s*|(?:First|Second|Third|Fourth|Fifth|Sixth"
    r"|Seventh|Eighth|Ninth|Tenth),)\s*"
)
# A requirement or point as the build leads it: 五是 + key + 。 + text (the key's own stop kept).
_LEAD = re.compile(
    r"^[一二三四五六七八九十]+是(?P<body>(?P<key>[^。！？；：]{1,40}[。！？；：])(?P<text>.+))$", re.DOTALL
)
_CONTEXT = 6  # characters shown each side of a changed phrase


class CorrectionError(Exception):
    """Corrections that cannot be placed in the YAML; `problems` says which."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Corrections:
    changes: list[Change] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what the draft lacks that no YAML text made


@dataclass
class _Segment:
    """One paragraph of one YAML text value, as the document shows it."""

    path: PathKey
    index: int  # which paragraph of the value
    plain: str
    source: str  # the paragraph as written, with its markup
    offsets: list[int]  # source index of each plain character, and of the end

    @property
    def item(self) -> PathKey | None:
        """The list item the value belongs to (a requirement, a point), if any."""
        for end in range(len(self.path) - 1, 0, -1):
            if isinstance(self.path[end], int):
                return self.path[: end + 1]
        return None


def _plain_with_offsets(source: str) -> tuple[str, list[int]]:
    """The paragraph without markup, and where each of its characters was written."""
    plain: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in inline_markup._INLINE.finditer(source):
        for i in range(position, match.start()):
            plain.append(source[i])
            offsets.append(i)
        position = match.end()
        group = next(name for name in ("escaped", "strong", "em", "label") if match[name])
        for i in range(match.start(group), match.end(group)):
            plain.append(source[i])
            offsets.append(i)
    for i in range(position, len(source)):
        plain.append(source[i])
        offsets.append(i)
    offsets.append(len(source))
    return "".join(plain), offsets


def _texts(data: Any, path: PathKey = ()):
    """Every text value of the circular with its path, tables' cells left out."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _NOT_TEXT or key in ("rows", "header", "columns", "cells", "table", "tables"):
                continue
            yield from _texts(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, (*path, index))
    elif isinstance(data, str) and path:
        yield path, data


def _segments(data: dict) -> list[_Segment]:
    found = []
    for path, value in _texts(data):
        for index, paragraph in enumerate(inline_markup.paragraphs(value)):
            plain, offsets = _plain_with_offsets(paragraph)
            if len(plain) >= 2:  # one character would be found everywhere
                found.append(_Segment(path, index, plain, paragraph, offsets))
            if path[-1] == "key" and continue_sentence(plain) != plain:
                # an English key follows "First, " in lower case: the draft shows it so
                found.append(_Segment(path, index, continue_sentence(plain), paragraph, offsets))
    return found


def describe(path: PathKey) -> str:
    """A value's place for a person: requirements 3 › text (items counted from 1)."""
    words = []
    for key in path:
        if isinstance(key, int):
            words[-1] = f"{words[-1]} {key + 1}" if words else str(key + 1)
        else:
            words.append(key)
    return " › ".join(words)


def _opening(text: str, length: int = 24) -> str:
    """The start of a paragraph, to name it."""
    text = " ".join(normal(text).split())
    return text if len(text) <= length else text[:length] + "…"


def _excerpt(text: str, start: int, end: int) -> str:
    left, right = max(start - _CONTEXT, 0), min(end + _CONTEXT, len(text))
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


@dataclass
class _Pending:
    """The paragraphs of one text value as corrected so far."""

    original: str
    paragraphs: list[str | None]  # None: removed
    added: dict[int, list[str]] = field(default_factory=dict)  # after paragraph k (-1: before the first)

    def text(self) -> str:
        kept = list(self.added.get(-1, []))
        for index, paragraph in enumerate(self.paragraphs):
            kept += ([paragraph] if paragraph is not None else []) + self.added.get(index, [])
        return "\n\n".join(kept)


class _Tracer:
    def __init__(self, data: dict):
        self.data = data
        self.segments = _segments(data)
        self.result = Corrections()
        self.problems: list[str] = []
        self.pending: dict[PathKey, _Pending] = {}
        self.removed_items: set[PathKey] = set()
        self.used_tables: set[PathKey] = set()
        self.items_added: dict[PathKey, int] = {}

    # where a built paragraph's text came from
    def found_in(self, text: str) -> list[tuple[int, int, _Segment]]:
        found = []
        for segment in self.segments:
            at = text.find(segment.plain)
            if at >= 0:
                found.append((at, at + len(segment.plain), segment))
        return found

    def value(self, segment: _Segment) -> _Pending:
        pending = self.pending.get(segment.path)
        if pending is None:
            original = get(self.data, segment.path)
            pending = self.pending[segment.path] = _Pending(
                original, list(inline_markup.paragraphs(original))
            )
        return pending

    def refuse(self, message: str) -> None:
        self.problems.append(message)

    # --- paragraphs
    def changed(self, number: int, old: str, new: str) -> None:
        old, new = normal(old), normal(new)
        found = self.found_in(old)
        if not found and "\n" in old:  # a title the layout broke into lines
            old, new = old.replace("\n", ""), new.replace("\n", "")
            found = self.found_in(old)
        edits: dict[int, tuple[int, int, _Segment, list]] = {}
        numbering = _NUMBERING.match(old)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            around = [f for f in found if f[0] <= i1 and i2 <= f[1]]
            if not around:
                if numbering and i2 <= numbering.end() and _NUMBERING.match(new):
                    continue  # renumbered after a deletion: the build numbers anyway
                self.refuse(
                    _("paragraph {number}: “{old}” → “{new}” is not in any text of the YAML (the letterhead, "
                      "number, date, names and numbering are made from the registry and the layout): "
                      "change it in the YAML or the registry").format(
                        number=number, old=_excerpt(old, i1, i2), new=_excerpt(new, j1, j2))
                )  # fmt: skip
                continue
            start, end, segment = max(around, key=lambda f: f[1] - f[0])
            entry = edits.setdefault(id(segment), (start, end, segment, []))
            entry[3].append((i1 - start, i2 - start, new[j1:j2]))
        for _start, _end, segment, ops in edits.values():
            plain = segment.plain
            source = segment.source
            for i1, i2, replacement in sorted(ops, reverse=True):
                source = source[: segment.offsets[i1]] + replacement + source[segment.offsets[i2] :]
            self.value(segment).paragraphs[segment.index] = source
            shown_old = _excerpt(plain, ops[0][0], ops[-1][1])
            new_plain = plain
            for i1, i2, replacement in sorted(ops, reverse=True):
                new_plain = new_plain[:i1] + replacement + new_plain[i2:]
            delta = len(new_plain) - len(plain)
            shown_new = _excerpt(new_plain, ops[0][0], ops[-1][1] + delta)
            self.result.report.append(
                _("{field}: {old} → {new}").format(field=describe(segment.path), old=shown_old, new=shown_new)
            )

    def whole(self, text: str) -> list[_Segment]:
        """Segments that are the whole paragraph (after its numbering)."""
        text = normal(text)
        rest = text[_NUMBERING.match(text).end() :] if _NUMBERING.match(text) else text
        return [s for s in self.segments if s.plain in (text, rest)]

    def owner(self, text: str) -> PathKey | None:
        items = [s.item for s in (f[2] for f in self.found_in(normal(text))) if s.item]
        return min(items, key=len) if items else None

    def added(self, before: str | None, after: str | None, text: str, owner: PathKey | None) -> None:
        """A paragraph the leader added between two built paragraphs: a new item after
        the one before it, when it is written as one (五是……), else a new paragraph of
        the text next to it."""
        if owner is not None and self.item_added(owner, normal(text)):
            return
        for neighbour, offset in ((before, 1), (after, 0)):
            if neighbour is None:
                continue
            for segment in self.whole(neighbour):
                if segment.path[-1] in _PARAGRAPH_FIELDS:
                    self.value(segment).added.setdefault(segment.index - 1 + offset, []).append(text.strip())
                    self.result.report.append(
                        _("{field}: paragraph added: {text}").format(
                            field=describe(segment.path), text=_opening(text)
                        )
                    )
                    return
        self.refuse(
            _("an added paragraph “{text}” follows no text of the YAML it could belong to: "
              "add it to the YAML by hand").format(text=_opening(text))
        )  # fmt: skip

    def item_added(self, owner: PathKey, text: str) -> bool:
        """A requirement or point typed as the build writes one (一是找准问题。……), after
        the item `owner` (or inside a list of such items); False if it is no such item."""
        lead = _LEAD.match(text)
        item = get(self.data, owner)
        if lead is None or not isinstance(item, dict) or "text" not in item:
            return False
        key = lead["key"].removesuffix("。")  # the build puts it back
        new = {"key": key, "text": lead["text"]} if "key" in item else {"text": lead["body"]}
        at = owner[-1] + 1 + self.items_added.get(owner[:-1], 0)
        self.items_added[owner[:-1]] = self.items_added.get(owner[:-1], 0) + 1
        self.result.changes.append(InsertItem(owner[:-1], owner[-1] + 1, new))
        self.result.report.append(_("{item} added").format(item=describe((*owner[:-1], at))))
        return True

    def removed(self, built: list[Block], deleted: list[int], owners: list[PathKey | None]) -> None:
        """Paragraphs the leader deleted: paragraphs of a text, or whole list items (a
        requirement with its deadline line and targets table), never half of one."""
        gone_items, handled = set(), set()
        for index in deleted:
            block = built[index]
            if not isinstance(block, Paragraph):
                continue
            segments = [s for s in self.whole(block.text) if s.path[-1] in _PARAGRAPH_FIELDS]
            if segments and not (segments[0].index == 0 and segments[0].item):
                segment = segments[0]
                self.value(segment).paragraphs[segment.index] = None
                handled.add(index)
                self.result.report.append(
                    _("{field}: paragraph {number} removed").format(
                        field=describe(segment.path), number=segment.index + 1
                    )
                )
            elif self.owner(block.text) is not None:
                gone_items.add(self.owner(block.text))
        for item in sorted(gone_items, reverse=True):
            self.removed_items.add(item)
            self.result.changes.append(RemoveItem(item))
            self.result.report.append(_("{item} removed").format(item=describe(item)))
        gone = set(deleted)
        for index, block in enumerate(built):
            inside = owners[index] is not None and any(owners[index][: len(i)] == i for i in gone_items)
            if index not in gone:
                if inside and isinstance(block, Paragraph) and self.owner(block.text):
                    self.refuse(
                        _("“{text}” is left of {item}, whose other paragraphs were deleted: delete all of "
                          "it, or change the YAML").format(
                            text=_opening(block.text), item=describe(owners[index]))
                    )  # fmt: skip
            elif inside or index in handled:
                continue
            elif isinstance(block, Paragraph) and self.found_in(normal(block.text)):
                self.refuse(
                    _("a deleted paragraph “{text}” holds text of the YAML that is no paragraph of its own: "
                      "change the YAML instead").format(text=_opening(block.text))
                )  # fmt: skip
            elif isinstance(block, Table) and match_table(block, self.data, set()) is not None:
                self.refuse(_("a table was deleted; remove it in the YAML"))
            elif not isinstance(block, Paragraph) or normal(block.text).strip():
                # made by the layout or the registry (a 版记 LibreOffice turned into a text box, say)
                self.result.kept.append(
                    _opening(block.text) if isinstance(block, Paragraph) else _("a table")
                )

    def finish(self) -> Corrections:
        for path, pending in self.pending.items():
            if any(path[: len(item)] == item for item in self.removed_items):
                continue
            text = pending.text()
            if not text:
                self.refuse(
                    _("{field} would be left empty: remove it in the YAML").format(field=describe(path))
                )
                continue
            if "\n" in text or pending.original.endswith("\n"):
                text += "\n"
            if text != pending.original:
                self.result.changes.append(SetText(path, text))
        if self.problems:
            raise CorrectionError(self.problems)
        return self.result


def _key(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "P" + normal(block.text)
    return "T" + "\x1f".join("\x1e".join(squash(row)) for row in block.rows)


def trace(data: dict, built: list[Block], edited: list[Block]) -> Corrections:
    """The YAML changes that turn `built` (what `data` builds) into `edited`.

    Raises CorrectionError listing every difference that cannot be placed."""
    tracer = _Tracer(data)
    old_keys, new_keys = [_key(b) for b in built], [_key(b) for b in edited]
    owners: list[PathKey | None] = []
    owner = None
    for block in built:  # a paragraph no text made (a requirement's deadline line) goes with the one before
        if isinstance(block, Paragraph):
            owner = tracer.owner(block.text) or owner
        owners.append(owner)
    tables = 0
    table_numbers = []
    for block in built:
        tables += isinstance(block, Table)
        table_numbers.append(tables)
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    deletions: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs, deleted, inserted = _pair(built[i1:i2], edited[j1:j2])
        for a, b in pairs:
            if isinstance(built[i1 + a], Paragraph):
                tracer.changed(i1 + a + 1, built[i1 + a].text, edited[j1 + b].text)
            else:
                trace_table(tracer, table_numbers[i1 + a], built[i1 + a], edited[j1 + b])
        deletions += [i1 + a for a in deleted]
        for b in inserted:
            block = edited[j1 + b]
            if isinstance(block, Table):
                tracer.refuse(_("a table was added; add it to the YAML by hand"))
                continue
            before = _previous_paragraph(built, i1 + _before(pairs, b))
            after = (
                _next_paragraph(built, i1 + _before(pairs, b) + 1)
                if i1 + _before(pairs, b) + 1 < len(built)
                else None
            )
            at = i1 + _before(pairs, b)
            tracer.added(before, after, block.text, owners[at] if at >= 0 else None)
    tracer.removed(built, deletions, owners)
    return tracer.finish()


def _before(pairs: list[tuple[int, int]], b: int) -> int:
    """Index (within the old run) of the last old block paired before new block b; -1 if none."""
    earlier = [a for a, nb in pairs if nb < b]
    return max(earlier) if earlier else -1


def _previous_paragraph(blocks: list[Block], index: int) -> str | None:
    while index >= 0:
        if isinstance(blocks[index], Paragraph):
            return blocks[index].text
        index -= 1
    return None


def _next_paragraph(blocks: list[Block], index: int) -> str | None:
    while index < len(blocks):
        if isinstance(blocks[index], Paragraph):
            return blocks[index].text
        index += 1
    return None


def _pair(old: list[Block], new: list[Block]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Which old block became which new one in a replaced run: in order, by likeness."""
    pairs: list[tuple[int, int]] = []
    next_new = 0
    for a, block in enumerate(old):
        best, best_ratio = None, 0.5
        for b in range(next_new, len(new)):
            if type(new[b]) is not type(block):
                continue
            ratio = difflib.SequenceMatcher(None, _key(block), _key(new[b]), autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = b, ratio
        if best is not None:
            pairs.append((a, best))
            next_new = best + 1
    paired_old = {a for a, _ in pairs}
    paired_new = {b for _, b in pairs}
    return (
        pairs,
        [a for a in range(len(old)) if a not in paired_old],
        [b for b in range(len(new)) if b not in paired_new],
    )
