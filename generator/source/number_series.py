"""Series of document numbers (发文字号) an organization owns, and their patterns.

An organization may number several series, each with its own counter: a
federation's 琼工发, its office's 琼工办发 and its letters' 琼工函; an English
union's head-office circulars NP/053/23. A pattern says how a number is
written: `{prefix}` the series' prefix, `{year}` 2023, `{yy}` 23, `{number}` 53
and `{number:3}` 053 (padded with zeros to three digits).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from ..i18n import _

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KNOWN = re.compile(r"prefix|year|yy|number(?::[1-9])?")

DEFAULT_PATTERNS = {"zh": "{prefix}〔{year}〕{number}号", "en": "{prefix} [{year}] No. {number}"}
DEFAULT_LABELS = {"zh": "文号：", "en": "Ref. "}


def _check_pattern(pattern: str) -> str:
    for placeholder in _PLACEHOLDER.findall(pattern):
        if not _KNOWN.fullmatch(placeholder):
            raise ValueError(
                _(
                    "unknown placeholder '{{{placeholder}}}' in the pattern: use {{prefix}}, {{year}}, "
                    "{{yy}}, {{number}} or {{number:3}} (the number padded with zeros to 3 digits)"
                ).format(placeholder=placeholder)
            )
    if not re.search(r"\{number(?::[1-9])?\}", pattern):
        raise ValueError(
            _(
                "the pattern has no {{number}}: write where the number goes, like "
                "{{prefix}}/{{number:3}}/{{yy}}"
            )
        )
    return pattern


Pattern = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(_check_pattern)]
"""How a number is written, e.g. {prefix}〔{year}〕{number}号 or NP/{number:3}/{yy}."""


def format_with(pattern: str, prefix: str, year: int, number: int) -> str:
    """The pattern with its placeholders filled in; text from YAML is never a format string."""

    def fill(match: re.Match) -> str:
        name = match[1]
        if name == "prefix":
            return prefix
        if name == "year":
            return str(year)
        if name == "yy":
            return f"{year % 100:02d}"
        width = int(name.partition(":")[2] or 0)
        return f"{number:0{width}d}"

    return _PLACEHOLDER.sub(fill, pattern)
