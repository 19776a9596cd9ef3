"""The building blocks every part of the YAML format shares: the strict models'
configuration, the text fields with inline markup (taking a number or a date as
the text it was typed as) and the fields that take only true or false.

Kept apart from model.py so that parts of the format with modules of their own
(tables.py) use the same rules without importing the whole circular model. Each
module subclasses BaseModel with MODEL_CONFIG itself, so that linters see the
pydantic models (and their list defaults) for what they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, StringConstraints

from ..i18n import _
from .inline_markup import check_inline

MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True)  # field docstrings: schema.py reads them


def _inline(value: Any) -> Any:
    if isinstance(value, str):
        check_inline(value)
    return value


def _not_blank(value: Any) -> Any:
    """Spaces alone are not text: refused here, so no field prints as nothing (or
    leaves its Markdown class behind); leave the key out, or write false where
    a generated part (closing, printing) may be switched off."""
    if isinstance(value, str) and value and not value.strip():
        raise ValueError(blank())
    return value


def blank() -> str:
    """The message for a text of spaces alone (validation.py adds how to switch a part off)."""
    return _("is blank: write the text, or leave the key out")


def as_typed(value: Any) -> Any:
    """A number or a date where a text is expected, as the text it was typed as
    (`phone: 81085234`, `value: 0.5`, `period: 2024-12-31`): the YAML reader types
    these only when written the one way that reads back the same (yaml_source.py).
    true and false are left for the field to refuse: in a text they are more likely
    a switch."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


_AS_TYPED = BeforeValidator(as_typed)

# pydantic runs before-validators last to first: as_typed gives the others text
Text = Annotated[
    str, BeforeValidator(_inline), BeforeValidator(_not_blank), _AS_TYPED, StringConstraints(min_length=1)
]
"""One line of text; allows **bold**, *italic* and [links](https://...)."""

Paragraphs = Annotated[
    str, BeforeValidator(_inline), BeforeValidator(_not_blank), _AS_TYPED, StringConstraints(min_length=1)
]
"""Text of one or more paragraphs separated by blank lines (a `|` block); a line break
inside a paragraph prints as one, and the spaces that start a line are kept."""

CellText = Annotated[str, BeforeValidator(_inline), _AS_TYPED]
"""The text of a table cell: may be empty, a blank to fill in."""


def true_false_or(*words: str) -> BeforeValidator:
    """Only true or false (or one of `words`): pydantic would take yes, on, 1 or
    "True" as a boolean, and the YAML reader leaves those as text (yaml_source.py)."""
    *first, last = ["true", "false", *words]

    def check(value: Any) -> Any:
        if not isinstance(value, bool) and value not in words:
            raise ValueError(
                _("write {choices} or {last}, not {value}").format(
                    choices=", ".join(first), last=last, value=repr(value)
                )
            )
        return value

    return BeforeValidator(check)


Flag = Annotated[bool, true_false_or()]
"""true or false, written so."""

# What YAML 1.1 reads as a boolean, and this reader as text: where false switches a
# generated part off (`closing: false`), these would print as the words.
_SWITCH_WORDS = {"y", "yes", "n", "no", "on", "off", "true", "false"}


def not_a_switch(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in _SWITCH_WORDS:
        raise ValueError(
            _("'{value}' would print as it is: write false for none, or leave the key out").format(
                value=value
            )
        )
    return value
