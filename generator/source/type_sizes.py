"""Type sizes as Chinese drafters name them (字号), for a table's text.

A drafter writes 小四 or 四号 (or 4号, 小4), as Word's size box shows them, or a
size in points (10.5pt); the format keeps what was written and reads it as
points here. Sizes run from 六号 to 三号, the body's own: a table set larger
than the text around it, or too small to read, is an error at the size.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from ..i18n import _

# The Chinese type sizes (字号) drafters name, in points; 4号 and 小4 are written too.
TYPE_SIZES = {
    "三号": 16.0,
    "小三": 15.0,
    "四号": 14.0,
    "小四": 12.0,
    "五号": 10.5,
    "小五": 9.0,
    "六号": 7.5,
}
_DIGITS = {"三": "3", "四": "4", "五": "5", "六": "6"}
SMALLEST, LARGEST = 7.5, 16.0  # 六号 to 三号, the body's own size
_POINTS = re.compile(r"^(\d+(?:\.\d+)?)\s*pt$")


def points(size: str) -> float:
    """A type size in points: 小四 (小四号, 小4), 四号 (4号), 五号 or 10.5pt."""
    name = re.sub(r"^(小.)号$", r"\1", size.strip())  # 小四号 is 小四
    for chinese, digit in _DIGITS.items():
        name = name.replace(f"小{digit}", f"小{chinese}").replace(f"{digit}号", f"{chinese}号")
    if name in TYPE_SIZES:
        return TYPE_SIZES[name]
    match = _POINTS.match(name)
    if match is None:
        names = "、".join(TYPE_SIZES)
        raise ValueError(
            _("'{size}' is not a type size: write one of {names} (or 4号, 小4), or points (12pt)").format(
                size=size, names=names
            )
        )
    value = float(match.group(1))
    if not SMALLEST <= value <= LARGEST:
        raise ValueError(
            _(
                "{value:g}pt is outside the sizes a table is set in: {smallest:g}pt (六号) to {largest:g}pt "
                "(三号)"
            ).format(value=value, smallest=SMALLEST, largest=LARGEST)
        )
    return value


def _type_size(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            _("write the size with its unit ({value:g}pt) or by its name (小四, 五号)").format(value=value)
        )
    if isinstance(value, str):
        points(value)  # raises with the message above
    return value


TypeSize = Annotated[str, BeforeValidator(_type_size)]
