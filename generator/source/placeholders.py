"""The texts `circulars new` writes for the secretariat to replace, in one list.

The scaffold (templates/new-circular.yaml.j2, through render/scaffold.py) writes
these, and `circulars check` refuses an issued circular that still holds one, so
the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "（标题）",
        "background": "（在此写明背景和依据。）",
        "key": "（要求的关键词）",
        "text": "（要求的具体内容。）",
    },
    "en": {
        "title": "(Title)",
        "background": "(State the background and the decisions this circular implements.)",
        "key": "(key phrase)",
        "text": "(What must be done.)",
    },
}

_ALL = sorted({text for texts in PLACEHOLDERS.values() for text in texts.values()})


def placeholders_in(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, placeholder) for each text under `value` (a model, list or text) that
    still holds a scaffold placeholder; paths are the YAML keys, as the source map has them."""
    if isinstance(value, str):
        for placeholder in _ALL:
            if placeholder in value:
                yield path, placeholder
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from placeholders_in(getattr(value, name), (*path, info.alias or name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from placeholders_in(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from placeholders_in(item, (*path, key))
