"""A day with an optional time of day: deadlines and events as circulars write them.

`2024-05-10` or `2024-05-10 17:00` (`请于5月10日17:00前报送`). A `When` is a
`date`, so every comparison with dates (overdue, before the date of issue)
and every `date` consumer keeps working; it also carries the time, which
`isoformat()` and the formatted date show.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from ..i18n import _

# seconds are read (a timestamp written to the second) only to refuse any but :00
_WHEN = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


class When(date):
    """A date, and the time of day if one was given (to the minute)."""

    time: time | None

    def __new__(cls, year: int, month: int, day: int, at: time | None = None) -> When:
        self = super().__new__(cls, year, month, day)
        self.time = at
        return self

    def __reduce__(self):  # builds run in worker processes: pickle the time too
        return (When, (self.year, self.month, self.day, self.time))

    def isoformat(self) -> str:
        day = super().isoformat()
        return f"{day} {self.time.strftime('%H:%M')}" if self.time else day

    __str__ = isoformat


def parse_when(value: Any) -> Any:
    """Accept `2024-05-10`, `2024-05-10 17:00` (quoted or not) or a YAML timestamp."""
    if isinstance(value, datetime):
        if value.second or value.microsecond or value.tzinfo:
            raise ValueError(_("give the time to the minute, without a time zone: 2024-05-10 17:00"))
        return When(value.year, value.month, value.day, value.time())
    if isinstance(value, date):
        return When(value.year, value.month, value.day)
    if isinstance(value, str):
        match = _WHEN.fullmatch(value.strip())
        if not match:
            raise ValueError(
                _(
                    "'{value}' is not a date: write it as YYYY-MM-DD or YYYY-MM-DD HH:MM, like 2024-05-10 "
                    "17:00"
                ).format(value=value)
            )
        try:
            day = date.fromisoformat(match[1])
        except ValueError as error:
            raise ValueError(
                _("'{value}' is not a real date ({error})").format(value=value, error=error)
            ) from None
        if match[2] is None:
            return When(day.year, day.month, day.day)
        hour, minute = int(match[2]), int(match[3])
        if match[4] and match[4] != "00":
            raise ValueError(_("give the time to the minute, without a time zone: 2024-05-10 17:00"))
        if hour > 23 or minute > 59:
            raise ValueError(_("'{value}' is not a real time of day (00:00 to 23:59)").format(value=value))
        return When(day.year, day.month, day.day, time(hour, minute))
    raise ValueError(_("expected a date like 2024-05-10, or a date and time like 2024-05-10 17:00"))


DateTime = Annotated[
    date,
    BeforeValidator(parse_when),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}( \d{1,2}:\d{2})?$",
            "examples": ["2024-05-10", "2024-05-10 17:00"],
        }
    ),
]
"""A date, or a date and time of day: 2024-05-10 or 2024-05-10 17:00."""
