"""Turning pydantic's validation errors into messages a secretary can act on.

Each error's location (a path of keys and list indexes) is looked up in the
file's SourceMap, so the message points at the exact line and column, and the
wording says what to write instead: `unknown key 'requirments' (did you mean
'requirements'?)`, `expected text, got a number (put it in quotes)`.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from ..i18n import _
from .base import blank
from .diagnostics import Diagnostics
from .model import ID_PATTERN
from .tables import UNION_TAGS as TABLE_UNION_TAGS
from .yaml_source import Loaded

# Tags of discriminated unions appear in error locations but not in the file.
_UNION_TAGS = {"org-reference", "org-selector", "recipient-group", "switched-off", "given", *TABLE_UNION_TAGS}


def validate(
    model: type[BaseModel],
    loaded: Loaded,
    diagnostics: Diagnostics,
    name_answer: Callable[[tuple, object], str | None] | None = None,
) -> Any:
    """The data as `model`, or None after reporting every problem. `name_answer` says
    what to write instead of a name given where an id belongs (registry_names)."""
    data = loaded.data
    source = loaded.source
    if not isinstance(data, dict):
        diagnostics.error(
            source.path,
            source.at(()),
            _("expected a mapping of keys at the top level, found {found}").format(found=describe(data)),
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            loc = tuple(part for part in detail["loc"] if part not in _UNION_TAGS)
            kind = detail["type"]
            if kind == "extra_forbidden":
                position = source.key_at(loc)
            elif kind == "missing":
                position = source.at(loc[:-1])
            else:
                position = source.at(loc)
            answer = None
            if name_answer is not None and kind in ("string_pattern_mismatch", "string_too_long"):
                answer = name_answer(loc, detail.get("input"))
            diagnostics.error(source.path, position, answer or message(model, loc, detail))
        return None


def describe(value: Any) -> str:
    """What kind of YAML value this is, for messages."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("{value} (put it in quotes if you mean text)").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("the number {value} (put it in quotes if you mean text)").format(value=value)
    if isinstance(value, date):
        return _("the date {value} (put it in quotes if you mean text)").format(value=value.isoformat())
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return f"'{value}'"


def message(model: type[BaseModel], loc: tuple, detail: dict) -> str:
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    field = loc[-1] if loc and isinstance(loc[-1], str) else None
    if kind == "missing":
        return _("missing required key '{key}'").format(key=field)
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(str(field), allowed, n=1, cutoff=0.6)
        if hint:
            return _("unknown key '{key}' (did you mean '{hint}'?)").format(key=field, hint=hint[0])
        return _("unknown key '{key}'").format(key=field)
    if kind == "literal_error":
        choices = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        if isinstance(value, str):
            hint = difflib.get_close_matches(value, choices.split(", "), n=1, cutoff=0.5)
            if hint:
                return _("'{value}' is not one of: {choices} (did you mean '{hint}'?)").format(
                    value=value, choices=choices, hint=hint[0]
                )
            return _("'{value}' is not one of: {choices}").format(value=value, choices=choices)
        return _("expected one of: {choices}; got {found}").format(choices=choices, found=describe(value))
    expected = {
        "string_type": _("expected text, got {found}"),
        "int_type": _("expected a whole number, got {found}"),
        "bool_type": _("expected true or false, got {found}"),
        "list_type": _("expected a list, got {found}"),
        "model_type": _("expected a mapping of keys, got {found}"),
    }
    kind_of = {"int_parsing": "int_type", "int_from_float": "int_type", "bool_parsing": "bool_type"}
    kind_of |= {"tuple_type": "list_type", "model_attributes_type": "model_type", "dict_type": "model_type"}
    if kind_of.get(kind, kind) in expected:
        return expected[kind_of.get(kind, kind)].format(found=describe(value))
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN.pattern:
            return _("'{value}' is not a valid id: use lowercase letters, digits and hyphens").format(
                value=value
            )
        return _("'{value}' is not a valid email address").format(value=value)
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return _("must not be empty (write false for none)") if _switchable(loc) else _("must not be empty")
    if kind == "string_too_long":
        return _("is longer than {count} characters").format(count=ctx.get("max_length"))
    if kind == "too_short":
        return _("needs at least {count} item(s)").format(count=ctx.get("min_length"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least {least}, got {found}").format(
            least=ctx.get("ge", ctx.get("gt")), found=describe(value)
        )
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", detail["msg"]))
        if text == blank() and _switchable(loc):
            return _("{problem} (write false for none)").format(problem=text)
        return text
    return detail["msg"]


# generated parts a circular may switch off with `false`
_SWITCHABLE = {"closing", "to_label"}


def _switchable(loc: tuple) -> bool:
    return len(loc) == 1 and loc[0] in _SWITCHABLE


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Names of the keys allowed by the model found by following `loc`."""
    current: Any = model
    for part in loc:
        current = _model_in(current, part)
        if current is None:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _model_in(annotation: Any, part: Any) -> Any:
    """Step one key or index into a type, looking through Optional/list/Annotated."""
    if _is_model(annotation):
        if not isinstance(part, str) or part not in annotation.model_fields:
            return None
        return annotation.model_fields[part].annotation
    for arg in _unwrap(annotation):
        if isinstance(part, int) and typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
        if _is_model(arg):
            return _model_in(arg, part)
    return None


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _unwrap(arg)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
