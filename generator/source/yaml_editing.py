"""Changing a few values of a circular's YAML file and nothing else.

`circulars import edited.docx --replace ID` brings a leader's corrections back
into the YAML a secretary wrote, and must keep all of it that did not change:
comments, key order, quoting, block scalars and blank lines, byte for byte.
A round-trip library (ruamel.yaml) re-emits the whole file and normalises
indentation, flow spacing and long lines on the way; here the file is never
re-emitted: PyYAML's node marks say where each value's text starts and ends,
and only those spans are rewritten, each in the style it was written in.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..i18n import _
from .yaml_source import PathKey

try:  # the marks are the same with libyaml, which is faster
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class EditError(ValueError):
    """A change that cannot be made where it points (no such value, or not text)."""


@dataclass(frozen=True)
class SetText:
    """Give the scalar at `path` the text `text` (written in the scalar's style)."""

    path: PathKey
    text: str


@dataclass(frozen=True)
class RemoveItem:
    """Remove the list item at `path` (its last element is the item's index)."""

    path: PathKey


@dataclass(frozen=True)
class InsertItem:
    """Insert `value` into the list at `path` so that it becomes item `index`."""

    path: PathKey
    index: int
    value: Any


Change = SetText | RemoveItem | InsertItem


def edit_yaml(text: str, changes: list[Change]) -> str:
    """The file's text with `changes` made; everything else is kept as it was."""
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        raise EditError(_("the file is empty"))
    lines = _line_starts(text)
    splices: list[tuple[int, int, str]] = []
    for change in changes:
        if isinstance(change, SetText):
            node, parent = _find(root, change.path)
            splices.append(_set_text(text, node, parent, change.text))
        elif isinstance(change, RemoveItem):
            sequence = _find(root, change.path[:-1])[0]
            splices.append(_remove_item(text, lines, sequence, change.path))
        else:
            sequence = _find(root, change.path)[0]
            splices.append(_insert_item(text, lines, sequence, change))
    _check_overlaps(splices)
    # from the end backwards, so that each splice's offsets still hold; of insertions at
    # one place the last given goes in first, so that they stand in the order given
    order = sorted(range(len(splices)), key=lambda n: (splices[n][0], splices[n][1], n), reverse=True)
    for start, end, replacement in (splices[n] for n in order):
        text = text[:start] + replacement + text[end:]
    return text


def _check_overlaps(splices: list[tuple[int, int, str]]) -> None:
    ordered = sorted(splices)
    for before, after in itertools.pairwise(ordered):
        start, end = after[0], before[1]
        if start < end:
            raise EditError(_("two changes touch the same value"))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


def _find(root, path: PathKey):
    """The node at `path` and its parent collection."""
    node, parent = root, None
    for key in path:
        parent = node
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            found = [value for key_node, value in node.value if key_node.value == key]
            if not found:
                raise EditError(_("no key '{key}' at {path}").format(key=key, path=_describe(path)))
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if not 0 <= key < len(node.value):
                raise EditError(_("no item {number} at {path}").format(number=key + 1, path=_describe(path)))
            node = node.value[key]
        else:
            raise EditError(_("{path} is not where the file has it").format(path=_describe(path)))
    return node, parent


def _describe(path: PathKey) -> str:
    return ".".join(str(key) for key in path) or "the top"


# --- scalars -----------------------------------------------------------------


def _set_text(text: str, node, parent, value: str) -> tuple[int, int, str]:
    if not isinstance(node, yaml.ScalarNode):
        raise EditError(_("a list or mapping cannot take text"))
    start, end = node.start_mark.index, node.end_mark.index
    in_flow = isinstance(parent, yaml.CollectionNode) and parent.flow_style
    if node.style in ("|", ">"):
        return _block_scalar(text, node, value)
    if node.style == "'" and "\n" not in value:
        return start, end, "'" + value.replace("'", "''") + "'"
    if not node.style and _plain_ok(value, in_flow):  # libyaml gives "" for plain, PyYAML None
        return start, end, value
    block = _new_block(text, start, value) if isinstance(parent, yaml.MappingNode) and not in_flow else None
    return start, end, block or _double_quoted(value)


def _new_block(text: str, start: int, value: str) -> str | None:
    """A one-line value that now has paragraphs, as a person writes them: a `|` block
    indented under its key (None where a block cannot hold the value as it is)."""
    core = value.removesuffix("\n")
    if "\n" not in core or core.endswith("\n") or value[:1] in (" ", "\t", "\n"):
        return None
    line = text[text.rfind("\n", 0, start) + 1 : start]
    indent = " " * (len(line) - len(line.lstrip(" -")) + 2)
    lines = [indent + part if part else "" for part in core.split("\n")]
    return ("|" if value.endswith("\n") else "|-") + "\n" + "\n".join(lines)


# what our reader would take for a number, date, boolean or nothing (yaml_source._AsTyped)
_AMBIGUOUS_PLAIN = re.compile(
    r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$|^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^(?:true|false|null|~)$"
)


def _plain_ok(value: str, in_flow: bool) -> bool:
    """Whether `value` written plain reads back as this very text (and stays text)."""
    if not value or "\n" in value or value != value.strip() or _AMBIGUOUS_PLAIN.match(value):
        return False
    if in_flow and any(c in value for c in ",[]{}"):
        return False
    try:
        node = yaml.compose(f"k: {value}\n", Loader=_Loader)
    except yaml.YAMLError:
        return False
    scalar = node.value[0][1] if isinstance(node, yaml.MappingNode) else None
    return (
        isinstance(scalar, yaml.ScalarNode)
        and not scalar.style
        and scalar.value == value
        and scalar.tag == "tag:yaml.org,2002:str"
    )


def _double_quoted(value: str) -> str:
    dumped = yaml.dump(value, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=1 << 30)
    return dumped.rstrip("\n").removesuffix("\n...").rstrip("\n")


def _block_scalar(text: str, node, value: str) -> tuple[int, int, str]:
    """Rewrite a `|` block in place: same header, same indentation; the blank lines
    that follow it (inside its span, but not its value) are kept. A `>` block stays
    one while its text is one line; text of several lines is written as `|`, whose
    line breaks need no folding."""
    start, end = node.start_mark.index, node.end_mark.index
    header, _newline, body = text[start:end].partition("\n")
    if value[:1] in (" ", "\t") or re.search(r"[1-9]", header):
        # a first line that starts with a blank needs an indentation indicator: quote instead
        return start, end, _double_quoted(value)
    indent = min((len(line) - len(line.lstrip(" ")) for line in body.split("\n") if line.strip()), default=2)
    indicators = header.split("#", 1)[0]
    chomp = "-" if "-" in indicators else "+" if "+" in indicators else ""
    comment = header[header.index("#") :] if "#" in header else ""
    blank_after = 0
    if chomp != "+":  # clip and strip: the blank lines after the text are layout, not value
        blank_after = max(body[len(body.rstrip("\n \t")) :].count("\n") - 1, 0)
    core = value.rstrip("\n") if chomp != "+" else value.removesuffix("\n")
    lines = [(" " * indent + line) if line else "" for line in core.split("\n")]
    style = ">" if header.startswith(">") and "\n" not in core else "|"  # one line folds to itself
    result = f"{style}{chomp}" + (f" {comment}" if comment else "") + "\n" + "\n".join(lines) + "\n"
    result += "\n" * blank_after
    if end == len(text) and not text.endswith("\n"):  # a file that ends without a newline
        result = result.rstrip("\n")
    return start, end, result


# --- list items --------------------------------------------------------------


def _item_lines(text: str, lines: list[int], item) -> tuple[int, int]:
    """Offsets of the whole lines an item of a block list takes, from its dash's line
    to its last line with content (comments and blank lines after it stay)."""
    first_line = item.start_mark.line
    body = text[item.start_mark.index : item.end_mark.index]
    kept = body.rstrip()
    while True:  # a comment line that ends the span belongs to what follows
        tail = kept.rsplit("\n", 1)
        if len(tail) == 2 and tail[1].lstrip().startswith("#"):
            kept = tail[0].rstrip()
            continue
        break
    last_index = item.start_mark.index + len(kept)
    last_line = text.count("\n", 0, last_index)
    stop = lines[last_line + 1] if last_line + 1 < len(lines) else len(text)
    return lines[first_line], stop


def _remove_item(text: str, lines: list[int], sequence, path: PathKey) -> tuple[int, int, str]:
    if not isinstance(sequence, yaml.SequenceNode):
        raise EditError(_("{path} is not a list").format(path=_describe(path[:-1])))
    index = path[-1]
    if not 0 <= index < len(sequence.value):
        raise EditError(_("no item {number} at {path}").format(number=index + 1, path=_describe(path[:-1])))
    items = sequence.value
    if len(items) == 1:
        raise EditError(_("{path} would be left empty").format(path=_describe(path[:-1])))
    if sequence.flow_style:
        if index + 1 < len(items):
            return items[index].start_mark.index, items[index + 1].start_mark.index, ""
        return items[index - 1].end_mark.index, items[index].end_mark.index, ""
    start, stop = _item_lines(text, lines, items[index])
    if index + 1 < len(items):  # up to the next dash: the item's own comments go with it
        stop = lines[items[index + 1].start_mark.line]
    return start, stop, ""


class _BlockDumper(yaml.SafeDumper):
    """Writes a new item as a person would: text of several lines as a `|` block."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value.strip("\n") else None
    if style:
        value = value if value.endswith("\n") else value + "\n"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_text)


def _dump(value: Any, flow: bool) -> str:
    return (
        yaml.dump(
            value,
            Dumper=_BlockDumper,
            allow_unicode=True,
            sort_keys=False,
            width=1 << 30,
            default_flow_style=flow,
        )
        .removesuffix("...\n")
        .rstrip("\n")
    )


def _insert_item(text: str, lines: list[int], sequence, change: InsertItem) -> tuple[int, int, str]:
    if not isinstance(sequence, yaml.SequenceNode):
        raise EditError(_("{path} is not a list").format(path=_describe(change.path)))
    items = sequence.value
    if not items or not 0 <= change.index <= len(items):
        raise EditError(
            _("item {number} cannot be placed in {path}").format(
                number=change.index + 1, path=_describe(change.path)
            )
        )
    if sequence.flow_style:
        rendered = _dump(change.value, flow=True)
        if change.index < len(items):
            at = items[change.index].start_mark.index
            return at, at, rendered + ", "
        at = items[-1].end_mark.index
        return at, at, ", " + rendered
    sibling = items[min(change.index, len(items) - 1)]
    dash_line = text[lines[sibling.start_mark.line] : sibling.start_mark.index]
    dash = dash_line.rfind("-")
    if dash < 0 or dash_line[:dash].strip():
        raise EditError(
            _("the list at {path} is not written one item a line").format(path=_describe(change.path))
        )
    pad = " " * dash
    flow = isinstance(sibling, yaml.CollectionNode) and bool(sibling.flow_style)
    rendered = _dump(change.value, flow=flow)
    step = sibling.start_mark.column - dash
    body = rendered.split("\n")
    block = (
        pad
        + "-"
        + " " * (step - 1)
        + body[0]
        + "".join("\n" + (pad + " " * step + line if line else "") for line in body[1:])
    )
    block += "\n"
    if change.index < len(items):
        at = lines[items[change.index].start_mark.line]
    else:
        at = _item_lines(text, lines, items[-1])[1]
        if at == len(text) and not text.endswith("\n"):
            return at, at, "\n" + block.rstrip("\n")
    return at, at, block
