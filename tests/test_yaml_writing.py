"""The YAML writer of `circulars import` (source/yaml_writing.py): whatever text it is
given reads back as that very text through the project's own reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.source.diagnostics import Diagnostics
from generator.source.yaml_source import read_yaml
from generator.source.yaml_writing import dump_circular

TRICKY = [
    "true", "false", "null", "~", "", " leading space", "trailing space ", "- a dash", "a: colon",
    "ends with colon:", "#hash", "a #comment", "[bracket", "{brace", "*star", "&amp", "!bang", "|pipe",
    ">fold", "'quote", '"double', "%percent", "@at", "`tick", "tab\there", "10:00", "007", "1_000",
    "12", "0.75", "2024-04-18", "yes", "第一行\n第二行", "  indented\nnext", "a, b", "x]", "，中文：冒号",
]  # fmt: skip


def _read(text: str) -> dict:
    diagnostics = Diagnostics()
    loaded = read_yaml(Path("x.yaml"), diagnostics, text.encode("utf-8"))
    assert not diagnostics.errors, [d.message for d in diagnostics.errors]
    return loaded.data


def _as_text(value) -> str:
    """A value as a text field or cell takes it: a plain 12 or 2024-04-18 prints as typed."""
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


@pytest.mark.parametrize("value", TRICKY)
def test_a_text_reads_back_as_written(value):
    fields = {"id": "x", "title": value, "tags": [value], "to": [{"label": value, "in_registry": False}]}
    data = _read(dump_circular(fields))
    assert [_as_text(v) for v in (data["title"], data["tags"][0], data["to"][0]["label"])] == [value] * 3


def test_typed_values_and_paragraphs():
    fields = {
        "id": "x",
        "number": 7,
        "date": date(2024, 4, 18),
        "seal": True,
        "background": ["第一段。", "第二段\n第二行。"],
        "sections": [
            {"title": "一", "tables": [{"header": [["序号", "名称"]], "rows": [["1", ""], ["2", "a, b"]]}]}
        ],
    }
    data = _read(dump_circular(fields))
    assert (data["number"], data["date"], data["seal"]) == (7, date(2024, 4, 18), True)
    assert data["background"] == "第一段。\n\n第二段\n第二行。\n"
    assert data["sections"][0]["tables"][0]["rows"] == [[1, ""], [2, "a, b"]]
