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
            f"expected a mapping of keys at the top level, found {describe(data)}",
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
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (put it in quotes if you mean text)"
    if isinstance(value, (int, float)):
        return f"the number {value} (put it in quotes if you mean text)"
    if isinstance(value, date):
        return f"the date {value.isoformat()} (put it in quotes if you mean text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def message(model: type[BaseModel], loc: tuple, detail: dict) -> str:
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    field = loc[-1] if loc and isinstance(loc[-1], str) else None
    if kind == "missing":
        return f"missing required key '{field}'"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(str(field), allowed, n=1, cutoff=0.6)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"unknown key '{field}'{suggestion}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        if isinstance(value, str):
            hint = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            return f"'{value}' is not one of: {', '.join(choices)}{suggestion}"
        return f"expected one of: {', '.join(choices)}; got {describe(value)}"
    if kind == "string_type":
        return f"expected text, got {describe(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {describe(value)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN.pattern:
            return f"'{value}' is not a valid id: use lowercase letters, digits and hyphens"
        return f"'{value}' is not a valid email address"
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return "must not be empty" + _switch_off_hint(loc)
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}, got {describe(value)}"
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", detail["msg"]))
        return text + _switch_off_hint(loc) if text.startswith("is blank") else text
    return detail["msg"]


# generated parts a circular may switch off with `false`
_SWITCHABLE = {"closing", "to_label"}


def _switch_off_hint(loc: tuple) -> str:
    return " (write false for none)" if len(loc) == 1 and loc[0] in _SWITCHABLE else ""


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
