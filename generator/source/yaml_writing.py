"""Writing a circular as YAML the way a person writes one (for `circulars import`).

Keys in the order of the format (the model's), a blank line before each larger
part, texts of paragraphs as `|` blocks (a blank line between paragraphs),
table rows on one line each, and quotes only where this project's reader
(yaml_source.py) would read the value as something else: a plain `12`, `true`,
`null`, `2024-04-18` are typed, and YAML's indicators (`- `, `: `, ` #`, a
leading `[`, `{`, `*`, `&`, …) change what follows.
"""

from __future__ import annotations

import json
import re
from datetime import date

from .model import Circular

TOP_ORDER = list(Circular.model_fields)
# Read as true/false/nothing. A plain canonical number or date in a text (a cell, a
# title) is read back as that very text (yaml_source.py), so `1` needs no quotes.
_TYPED = re.compile(r"^(?:true|false|~|null)$")
_INDICATOR_START = tuple("-?:,[]{}#&*!|>'\"%@`")
_PARAGRAPH_KEYS = {"background", "text", "text_after", "notes", "funding", "purpose", "duties", "office"}
"""Fields whose list of paragraphs is written as one `|` block."""
_FLOW_WIDTH = 100


def dump_circular(fields: dict, header: str = "") -> str:
    """The YAML text of a circular's fields (plain values, lists and dicts)."""
    ordered = {key: fields[key] for key in TOP_ORDER if key in fields}
    ordered.update({key: value for key, value in fields.items() if key not in ordered})
    lines = [header.rstrip("\n")] if header else []
    previous_block = False
    for key, value in ordered.items():
        entry = _entry(key, value, 0)
        block = len(entry) > 1
        if lines and (block or previous_block) and lines[-1] != "":
            lines.append("")
        lines += entry
        previous_block = block
    return "\n".join(lines) + "\n"


def _entry(key: str, value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list) and key in _PARAGRAPH_KEYS and all(isinstance(v, str) for v in value):
        value = "\n\n".join(value)
    if isinstance(value, str) and _needs_block(key, value):
        return [
            f"{pad}{key}: {_block_indicator(value, key in _PARAGRAPH_KEYS)}",
            *_block_lines(value, indent + 2),
        ]
    if isinstance(value, dict):
        flow = _flow(value)
        if flow is not None and len(pad) + len(key) + len(flow) < _FLOW_WIDTH and _flat(value):
            return [f"{pad}{key}: {flow}"]
        out = [f"{pad}{key}:"]
        for child, child_value in value.items():
            out += _entry(child, child_value, indent + 2)
        return out
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        flow = _flow(value)
        if (
            flow is not None
            and all(not isinstance(v, list | dict) for v in value)
            and len(flow) + indent < _FLOW_WIDTH
        ):
            return [f"{pad}{key}: {flow}"]
        out = [f"{pad}{key}:"]
        for item in value:
            out += _item(item, indent + 2, key)
        return out
    return [f"{pad}{key}: {scalar(value)}"]


def _item(value, indent: int, parent: str) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        flow = _flow(value)
        if flow is not None and len(flow) + indent < _FLOW_WIDTH * 2:
            return [f"{pad}- {flow}"]
        out = [f"{pad}-"]
        for item in value:
            out += _item(item, indent + 2, parent)
        return out
    if isinstance(value, dict):
        flow = _flow(value)
        if (
            flow is not None
            and _flat(value)
            and len(flow) + indent < _FLOW_WIDTH
            and parent in ("rows", "header", "to", "cc", "columns", "references")
        ):
            return [f"{pad}- {flow}"]
        out: list[str] = []
        for number, (key, child) in enumerate(value.items()):
            lines = _entry(key, child, indent + 2)
            if number == 0:
                lines[0] = f"{pad}- {lines[0][indent + 2 :]}"
            out += lines
        return out or [f"{pad}- {{}}"]
    if isinstance(value, str) and "\n" in value:
        return [f"{pad}- {_block_indicator(value)}", *_block_lines(value, indent + 2)]
    return [f"{pad}- {scalar(value)}"]


def _flat(value: dict) -> bool:
    return all(not isinstance(v, list | dict) for v in value.values())


def _flow(value) -> str | None:
    """A list or mapping on one line, or None when a value in it needs more."""
    if isinstance(value, list):
        parts = [_flow(v) if isinstance(v, list | dict) else _flow_scalar(v) for v in value]
        return None if None in parts else "[" + ", ".join(parts) + "]"
    if isinstance(value, dict):
        parts = []
        for key, child in value.items():
            text = _flow(child) if isinstance(child, list | dict) else _flow_scalar(child)
            if text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    return _flow_scalar(value)


def _flow_scalar(value) -> str | None:
    if isinstance(value, str) and "\n" in value:
        return None
    text = scalar(value)
    if isinstance(value, str) and text == value and re.search(r"[,\[\]{}]", value):
        return _quoted(value)
    return text


def scalar(value) -> str:
    """A value on one line: plain when it reads back as the same text, else quoted."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if _plain_safe(text):
        return text
    return _quoted(text)


def _plain_safe(text: str) -> bool:
    return not (
        text == ""
        or text != text.strip()
        or _TYPED.match(text)
        or text.startswith(_INDICATOR_START)
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or "\t" in text
        or any(ord(c) < 32 for c in text)
    )


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _needs_block(key: str, value: str) -> bool:
    return "\n" in value or (key in _PARAGRAPH_KEYS and len(value) > 60)


def _block_indicator(value: str, paragraphs: bool = False) -> str:
    """`|` for a text of paragraphs (it ends with a line break, as people write it), `|-`
    for a title or cell, whose text must not gain one; `|2` when a line starts with a space."""
    indent = "2" if value.split("\n", 1)[0].startswith(" ") else ""
    return f"|{indent}" if paragraphs else f"|{indent}-"


def _block_lines(value: str, indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}{line}" if line else "" for line in value.rstrip("\n").split("\n")]
