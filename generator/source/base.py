"""The building blocks every part of the YAML format shares: the strict models'
configuration and the text fields with inline markup.

Kept apart from model.py so that parts of the format with modules of their own
(tables.py) use the same rules without importing the whole circular model. Each
module subclasses BaseModel with MODEL_CONFIG itself, so that linters see the
pydantic models (and their list defaults) for what they are.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, StringConstraints

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
        raise ValueError("is blank: write the text, or leave the key out")
    return value


Text = Annotated[str, BeforeValidator(_inline), BeforeValidator(_not_blank), StringConstraints(min_length=1)]
"""One line of text; allows **bold**, *italic* and [links](https://...)."""

Paragraphs = Annotated[
    str, BeforeValidator(_inline), BeforeValidator(_not_blank), StringConstraints(min_length=1)
]
"""Text of one or more paragraphs separated by blank lines (use `|` or `>` blocks)."""

CellText = Annotated[str, BeforeValidator(_inline)]
"""The text of a table cell: may be empty, a blank to fill in."""
