"""Value types every part of the format shares: identifiers and dates.

Kept apart from model.py so that the modules the circular model is split into
(wording.py) read ids and dates by the same rules.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

from ..i18n import _
from .names import ID_PATTERN

Identifier = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN.pattern, max_length=80),
]
"""Lowercase letters, digits and hyphens: safe as a file name and in a URL."""


def _parse_date(value: Any) -> Any:
    """Accept `2024-04-18` (quoted or not); refuse times, numbers and impossible days."""
    if isinstance(value, datetime):
        raise ValueError(_("expected a date without a time, like 2024-04-18"))
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d.*", value):  # read as text: no YAML 1.1 timestamps
            raise ValueError(_("expected a date without a time, like 2024-04-18"))
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(
                _("'{value}' is not a date: write it as YYYY-MM-DD, like 2024-04-18").format(value=value)
            )
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(
                _("'{value}' is not a real date ({error})").format(value=value, error=error)
            ) from None
    raise ValueError(_("expected a date like 2024-04-18"))


Date = Annotated[date, BeforeValidator(_parse_date)]
