"""Hand-written returns: the same answers as a form's, typed as YAML.

For a union that reports by letter or telephone, the secretariat writes:

    circular: panzhihua-2024-07
    organization: geliping-park-federation
    who: 张三                  # default contact person for every answer
    answers:
      - requirement: 2
        target: 1              # omit to answer the requirement as a whole
        status: in-progress    # or its label: 进行中, in progress
        value: 85%
        date: 2024-05-20
        note: 已完成31家中的26家

Problems point at file:line:column, like `circulars check`.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ...source.diagnostics import Diagnostics
from ...source.model import Date, Identifier, Model
from ...source.returns import ReturnStatus, parse_status
from ...source.validation import validate
from ...source.yaml_source import Loaded, SourceMap, read_yaml
from .layout import MAX_CELL_TEXT
from .reading import Answer, Problem, Received

# As long as a form's cell may be: the same answers, the same limits.
_Text = Annotated[str, Field(max_length=MAX_CELL_TEXT)]


def _status(value: Any) -> Any:
    return (parse_status(value) or value) if isinstance(value, str) else value


class HandAnswer(Model):
    requirement: Annotated[int, Field(ge=1)]
    """The requirement's number in the circular (1 for the first)."""
    target: Annotated[int, Field(ge=1)] | None = None
    """The target's number within the requirement; omit to answer the requirement as a whole."""
    status: Annotated[ReturnStatus, BeforeValidator(_status)]
    value: _Text | int | float | None = None
    date: Date | None = None
    note: _Text | None = None
    who: _Text | None = None


class HandReturn(Model):
    circular: Identifier
    organization: Identifier
    who: _Text | None = None
    answers: Annotated[list[dict], Field(min_length=1)]
    """Each a HandAnswer, validated one by one so that every problem is reported."""


def _part(loaded: Loaded, at: tuple, data: Any) -> Loaded:
    """One part of a loaded file, as if it were a file of its own (positions kept)."""
    n = len(at)
    source = SourceMap(
        loaded.source.path,
        {k[n:]: v for k, v in loaded.source.values.items() if k[:n] == at},
        {k[n:]: v for k, v in loaded.source.keys.items() if k[:n] == at},
    )
    return Loaded(data, source)


def read_hand_written(path: Path, data: bytes, shown: str, today: datetime.date) -> Received:
    received = Received(shown, hashlib.sha256(data).hexdigest())
    diagnostics = Diagnostics()
    loaded = read_yaml(path, diagnostics, raw=data)
    parsed = validate(HandReturn, loaded, diagnostics) if loaded.data is not None else None
    answers = []
    for i, data in enumerate(parsed.answers if parsed is not None else []):
        answer = validate(HandAnswer, _part(loaded, ("answers", i), data), diagnostics)
        if answer is not None:
            answers.append((i, answer))
    for d in diagnostics.sorted():
        received.problems.append(Problem(f"{shown}:{d.position.line}:{d.position.column}", d.message))
    if parsed is None:
        return received
    received.circular, received.organization = parsed.circular, parsed.organization
    for i, answer in answers:
        position = loaded.source.at(("answers", i))
        where = f"{shown}:{position.line}:{position.column}"
        if answer.date is not None and answer.date > today:
            at = loaded.source.at(("answers", i, "date"))
            received.problems.append(
                Problem(
                    f"{shown}:{at.line}:{at.column}",
                    f"the date {answer.date:%Y-%m-%d} is in the future (today is {today:%Y-%m-%d})",
                )
            )
            continue
        value = answer.value.strip() or None if isinstance(answer.value, str) else answer.value
        received.answers.append(
            Answer(
                answer.requirement,
                answer.target,
                answer.status,
                value,
                answer.date,
                answer.note,
                answer.who or parsed.who,
                where,
            )
        )
    return received
