"""Safe YAML reading that remembers where every value came from.

PyYAML (with libyaml when present) composes the text into nodes that carry their
start marks; we convert the nodes to plain Python values ourselves instead of
using a constructor, which lets us

* record the line and column of every value and every key (the `SourceMap`),
* reject duplicate keys, merge keys and non-standard tags,
* bound how far aliases may expand (the "billion laughs" attack),
* keep impossible dates such as 2024-02-30 as text for validation to report,
* refuse characters that a Word document cannot hold,
* read every value as typed (`_AsTyped`): YAML 1.1, which PyYAML implements, reads
  10:00 as the number 600, 007 as 7, 1_000 as 1000, yes and off as booleans and
  .5 as a float, so a meeting's time printed as 600 in a table. Here a plain
  value is a boolean, a number, nothing or a date only when written the one way
  that reads back the same (true, 12, 0.75, null, 2024-04-18); anything else is
  the text as typed, which a text field or cell prints and a typed field refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from ..i18n import N_, _
from .diagnostics import Diagnostics, Position
from .files import FileProblem, read_regular
from .yaml_indentation import misindented_key

try:  # libyaml is many times faster; the pure-Python parser gives the same nodes
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


class _AsTyped(_Parser):
    """The safe loader with the plain values it types narrowed to those whose text is
    what they print as: the converter turns a whole number or a date back into that
    very text where a text is expected, and YAML 1.1's other forms stay text."""

    yaml_implicit_resolvers: ClassVar[dict] = {}  # add_implicit_resolver copies the parser's table otherwise


for _tag, _pattern, _first in (
    ("bool", r"true|false", "tf"),
    ("int", r"-?(?:0|[1-9][0-9]*)", "-0123456789"),
    ("float", r"-?(?:0|[1-9][0-9]*)\.[0-9]+", "-0123456789"),  # and only as Python writes it back
    ("null", r"~|null|", ["~", "n", ""]),
    ("timestamp", r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "0123456789"),
    ("merge", r"<<", "<"),  # so that a merge key is recognised, and refused
):
    _AsTyped.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first))

# A circular has a few hundred values; anything near this is an alias bomb.
MAX_VALUES = 100_000

# A circular nests a dozen levels at most; the conversion below recurses once
# per level, so a deeper file is refused at the first list or mapping past it.
MAX_DEPTH = 64

# Characters XML 1.0 (and therefore DOCX) cannot contain.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

PathKey = tuple  # a path into the data: ("requirements", 2, "deadline")


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of one file starts."""

    path: Path
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def at(self, path: PathKey) -> Position:
        """Position of the value at `path`, or of its nearest recorded ancestor."""
        for end in range(len(path), -1, -1):
            found = self.values.get(tuple(path[:end]))
            if found is not None:
                return found
        return Position()

    def key_at(self, path: PathKey) -> Position:
        """Position of the key that introduces `path` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.at(path)


@dataclass
class Loaded:
    """The result of reading one YAML file: data is None when it could not be read."""

    data: Any
    source: SourceMap


class _AliasBomb(Exception):
    pass


class _Empty(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, position: Position):
        super().__init__(position)
        self.position = position


def _position(mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


# PyYAML's words for what a hand-edited file most often gets wrong, to be translated
# (any other of its messages is shown as it says it)
_YAML_WORDS = {
    N_("invalid YAML"),
    N_("mapping values are not allowed here"),
    N_("mapping values are not allowed in this context"),
    N_("did not find expected node content"),
    N_("found unknown escape character"),
    N_("while parsing a block node"),
    N_("could not find expected ':'"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("found character that cannot start any token"),
    N_("found unexpected end of stream"),
    N_("found undefined alias"),
    N_("while scanning a simple key"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a plain scalar"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
}


def _yaml_words(text: str) -> str:
    return _(text) if text in _YAML_WORDS else text


def _describe_syntax_error(error: yaml.MarkedYAMLError, text: str) -> tuple[Position, str]:
    mark = error.problem_mark or error.context_mark
    position = _position(mark) if mark else Position()
    problem = _yaml_words(error.problem or "invalid YAML")
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = _("tab character: indent YAML with spaces, not tabs")
    elif mark is not None and (misplaced := misindented_key(text, mark.line + 1)) is not None:
        position, problem = misplaced
    elif error.context:
        problem = _("{context}: {problem}").format(context=_yaml_words(error.context), problem=problem)
    return position, _("YAML syntax error: {problem}").format(problem=problem)


def _position_of_index(text: str, index: int) -> Position:
    before = text[:index]
    return Position(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def decode(raw: bytes, path: Path, diagnostics: Diagnostics) -> str | None:
    """UTF-8 text of a file, or None with an error naming the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        diagnostics.error(
            path,
            Position(raw.count(b"\n", 0, error.start) + 1, column),
            _("file is not valid UTF-8 (byte 0x{raw:02x}); save it as UTF-8").format(raw=raw[error.start]),
        )
        return None
    return text.removeprefix("\ufeff")


def read_yaml(path: Path, diagnostics: Diagnostics, raw: bytes | None = None) -> Loaded:
    """Read one YAML file into plain values, recording positions and problems."""
    source = SourceMap(path)
    if raw is None:
        try:
            raw = read_regular(path)
        except FileProblem as problem:
            diagnostics.error(path, Position(), _("file {problem}").format(problem=problem))
            return Loaded(None, source)
    text = decode(raw, path, diagnostics)
    if text is None:
        return Loaded(None, source)
    converter = _Converter(source)
    try:
        data = converter.convert(_compose(text), ())
    except _TooDeep as error:  # alone: what the converter found before it is dropped, as libyaml would
        message = _("nested too deeply: more than {max_depth} levels of lists and mappings")
        diagnostics.error(path, error.position, message.format(max_depth=MAX_DEPTH))
        return Loaded(None, source)
    except _Empty:
        diagnostics.error(path, Position(), _("file is empty: expected a mapping of keys"))
        return Loaded(None, source)
    except _AliasBomb:
        diagnostics.extend(converter.diagnostics)
        diagnostics.error(
            path,
            converter.bomb_position,
            _("aliases expand this file beyond {max_values} values; write the values out").format(
                max_values=MAX_VALUES
            ),
        )
        return Loaded(None, source)
    except yaml.MarkedYAMLError as error:
        position, message = _describe_syntax_error(error, text)
        diagnostics.error(path, position, message)
        return Loaded(None, source)
    except yaml.reader.ReaderError as error:
        diagnostics.error(
            path,
            _position_of_index(text, error.position),
            _("character U+{character:04X} is not allowed in a YAML file").format(character=error.character)
            if isinstance(error.character, int)
            else f"unreadable YAML: {error.reason}",
        )
        return Loaded(None, source)
    except yaml.YAMLError as error:
        diagnostics.error(path, Position(), _("YAML error: {error}").format(error=error))
        return Loaded(None, source)
    diagnostics.extend(converter.diagnostics)
    return Loaded(data, source)


def _compose(text: str):
    """The file's node tree; _TooDeep where it first nests deeper than MAX_DEPTH.

    libyaml refuses to nest past 1,000 levels itself, so it composes the tree in
    one pass and the converter checks the depth as it walks it. Where libyaml
    stopped (at its limit, or at a syntax error further on), the pure-Python
    parser's events say whether our limit was crossed first; without libyaml
    they are read before composing, as Python's composer recurses without limit.
    """
    if _Parser is yaml.SafeLoader:
        deep = _too_deep(text)
        if deep is not None:
            raise _TooDeep(deep)
    try:
        node = yaml.compose(text, Loader=_AsTyped)
    except yaml.MarkedYAMLError:
        deep = _too_deep(text) if _Parser is not yaml.SafeLoader else None
        if deep is not None:
            raise _TooDeep(deep) from None
        raise
    if node is None:
        raise _Empty
    return node


def _too_deep(text: str) -> Position | None:
    """Where the text first nests deeper than MAX_DEPTH, read as a flat stream of
    events by the pure-Python parser (which has no limit of its own); None if it
    does not, or if the text is not YAML before it would."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return _position(event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


class _Converter:
    def __init__(self, source: SourceMap):
        self.source = source
        self.diagnostics = Diagnostics()  # kept apart until the whole file is known not too deep
        self.count = 0
        self.collections: set[int] = set()  # the collection nodes converted so far
        self.bomb_position = Position()
        self.scalars = SafeConstructor()

    def error(self, node, message: str) -> None:
        self.diagnostics.error(self.source.path, _position(node.start_mark), message)

    def convert(self, node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            # an alias's node carries the anchor's mark; point at the key being expanded
            self.bomb_position = self.source.key_at(path[:1])
            raise _AliasBomb
        if path not in self.source.values:  # an alias keeps its first position
            self.source.values[path] = _position(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if len(path) >= MAX_DEPTH:  # a list or mapping inside 64 others
            # one met before is an alias expanded: point at the key that expands it
            raise _TooDeep(
                self.source.key_at(path[:1]) if id(node) in self.collections else _position(node.start_mark)
            )
        self.collections.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.mapping(node, path)

    def scalar(self, node) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.error(node, _("unsupported YAML tag '{tag}'").format(tag=node.tag))
            return node.value
        if node.tag == _TAG + "str":
            bad = _XML_INVALID.search(node.value)
            if bad:
                self.error(
                    node, _("character U+{ord:04X} cannot appear in a document").format(ord=ord(bad.group()))
                )
            return node.value
        if node.tag in (_TAG + "int", _TAG + "float") and ":" in node.value:
            # only an explicit !!int or !!float gets here: PyYAML would read 10:00 as 600
            self.error(
                node,
                _("'{value}' is no number: put a time in quotes, or write the number in digits").format(
                    value=node.value
                ),
            )
            return node.value
        try:
            value = self.scalars.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError, AttributeError):
            # e.g. 2024-02-30 looks like a date but is not one: keep the text so
            # validation reports it against the field that expected a date
            # (AttributeError: PyYAML's own, for `!!timestamp` on what is no timestamp).
            return node.value
        # 0.75 (as the returns records write a share) is a number; 1.50 stays the text typed
        return node.value if isinstance(value, float) and repr(value) != node.value else value

    def mapping(self, node, path: PathKey) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, _("a key must be plain text, not a list or mapping"))
                continue
            key = key_node.value
            if key_node.tag == _TAG + "merge":
                self.error(key_node, _("merge keys (<<) are not supported; write the keys out"))
                continue
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self.error(
                    key_node,
                    _("duplicate key '{key}' (first defined on line {line})").format(key=key, line=line),
                )
                continue
            first_seen[key] = key_node
            self.source.keys.setdefault((*path, key), _position(key_node.start_mark))
            result[key] = self.convert(value_node, (*path, key))
        return result
