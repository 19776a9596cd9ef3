"""Editing a circular's YAML in place: the values changed, every other byte kept."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from generator.source.yaml_editing import EditError, InsertItem, RemoveItem, SetText, edit_yaml

ROOT = Path(__file__).resolve().parent.parent
PANZHIHUA = ROOT / "circulars" / "2024" / "panzhihua-2024-07.yaml"

SAMPLE = """\
# a comment at the top
id: demo-1   # the file name
title: 关于开展活动的通知
quoted: '单引号的''文字'
double: "双引号"
background: |
  第一段，旧的文字。

  第二段。

# a comment between keys
requirements:
  - key: 找准问题      # first
    text: 要深入职工群众。
  - key: 抓住关键
    text: |
      要紧密联系园区工会。
  # before the third
  - key: 解决问题
    text: 要帮助建好阵地。
tables:
  - rows:
      - [1, 拔河, 10]
      - [2, 跳绳, 5]
tags: [驻点, 基层]
"""


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of `before` that are not in `after` byte for byte, and the new ones."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_plain_scalar_replaced_alone():
    after = edit_yaml(SAMPLE, [SetText(("title",), "关于开展“四个要”活动的通知")])
    assert changed_lines(SAMPLE, after) == [
        "-title: 关于开展活动的通知\n",
        "+title: 关于开展“四个要”活动的通知\n",
    ]
    assert yaml.safe_load(after)["title"] == "关于开展“四个要”活动的通知"


def test_plain_scalar_that_would_read_otherwise_is_quoted():
    after = edit_yaml(SAMPLE, [SetText(("title",), "12"), SetText(("requirements", 0, "key"), "a: b")])
    data = yaml.safe_load(after)
    assert data["title"] == "12" and data["requirements"][0]["key"] == "a: b"
    # the comment after the edited key's value stays on its line
    assert '  - key: "a: b"      # first\n' in after


def test_quoted_scalars_keep_their_quotes():
    after = edit_yaml(SAMPLE, [SetText(("quoted",), "它's"), SetText(("double",), "新的\t文字")])
    assert "quoted: '它''s'\n" in after
    assert 'double: "新的\\t文字"\n' in after
    assert yaml.safe_load(after)["double"] == "新的\t文字"


def test_block_scalar_rewritten_in_its_style_with_the_blank_lines_after_it():
    new = "第一段，新的文字。\n\n第二段。\n\n第三段，加上的。\n"
    after = edit_yaml(SAMPLE, [SetText(("background",), new)])
    assert yaml.safe_load(after)["background"] == new
    assert changed_lines(SAMPLE, after) == [
        "-  第一段，旧的文字。\n",
        "+  第一段，新的文字。\n",
        "+\n",
        "+  第三段，加上的。\n",
    ]
    assert "  第三段，加上的。\n\n# a comment between keys\n" in after


def test_nested_block_scalar_keeps_its_indentation():
    after = edit_yaml(SAMPLE, [SetText(("requirements", 1, "text"), "要紧密联系。\n")])
    assert "    text: |\n      要紧密联系。\n  # before the third\n" in after
    assert yaml.safe_load(after)["requirements"][1]["text"] == "要紧密联系。\n"


def test_block_scalar_of_the_shipped_example_keeps_every_other_byte():
    text = PANZHIHUA.read_text(encoding="utf-8")
    old = yaml.safe_load(text)["requirements"][2]["text"]
    new = old.replace("活动阵地", "职工活动阵地")
    after = edit_yaml(text, [SetText(("requirements", 2, "text"), new)])
    assert yaml.safe_load(after)["requirements"][2]["text"] == new
    diff = changed_lines(text, after)
    assert len(diff) == 2 and "活动阵地" in diff[0] and "职工活动阵地" in diff[1]


def test_remove_a_list_item_with_its_own_lines():
    after = edit_yaml(SAMPLE, [RemoveItem(("requirements", 1))])
    assert [r["key"] for r in yaml.safe_load(after)["requirements"]] == ["找准问题", "解决问题"]
    assert changed_lines(SAMPLE, after) == [
        "-  - key: 抓住关键\n",
        "-    text: |\n",
        "-      要紧密联系园区工会。\n",
        "-  # before the third\n",
    ]


def test_remove_the_last_item_keeps_what_follows():
    after = edit_yaml(SAMPLE, [RemoveItem(("requirements", 2))])
    assert [r["key"] for r in yaml.safe_load(after)["requirements"]] == ["找准问题", "抓住关键"]
    assert "  # before the third\ntables:\n" in after


def test_remove_from_a_flow_list():
    after = edit_yaml(SAMPLE, [RemoveItem(("tags", 0))])
    assert "tags: [基层]\n" in after
    after = edit_yaml(SAMPLE, [RemoveItem(("tags", 1))])
    assert "tags: [驻点]\n" in after


def test_insert_a_table_row_in_the_rows_style():
    after = edit_yaml(SAMPLE, [InsertItem(("tables", 0, "rows"), 2, [3, "跑步", "8"])])
    assert "      - [2, 跳绳, 5]\n      - [3, 跑步, '8']\n" in after
    assert yaml.safe_load(after)["tables"][0]["rows"][2] == [3, "跑步", "8"]
    after = edit_yaml(SAMPLE, [InsertItem(("tables", 0, "rows"), 0, [0, "a, b", ""])])
    assert yaml.safe_load(after)["tables"][0]["rows"][0] == [0, "a, b", ""]


def test_insert_a_mapping_item_with_a_block_text():
    item = {"key": "服务职工", "text": "第一行\n第二行\n"}
    after = edit_yaml(SAMPLE, [InsertItem(("requirements",), 3, item)])
    assert yaml.safe_load(after)["requirements"][3] == item
    assert "  - key: 服务职工\n    text: |\n      第一行\n      第二行\ntables:\n" in after


def test_several_changes_at_once_and_into_a_flow_list():
    after = edit_yaml(
        SAMPLE,
        [
            SetText(("requirements", 0, "text"), "要深入。"),
            RemoveItem(("requirements", 1)),
            SetText(("requirements", 2, "text"), "要帮助。"),
            InsertItem(("tags",), 2, "园区"),
        ],
    )
    data = yaml.safe_load(after)
    assert [r["text"] for r in data["requirements"]] == ["要深入。", "要帮助。"]
    assert data["tags"] == ["驻点", "基层", "园区"]
    assert after.startswith("# a comment at the top\nid: demo-1   # the file name\n")


@pytest.mark.parametrize(
    "change",
    [
        SetText(("nothing",), "x"),
        SetText(("requirements",), "x"),
        RemoveItem(("requirements", 9)),
        RemoveItem(("title", 0)),
        InsertItem(("title",), 0, "x"),
    ],
)
def test_changes_that_do_not_fit_are_refused(change):
    with pytest.raises(EditError):
        edit_yaml(SAMPLE, [change])


def test_two_changes_to_one_value_are_refused():
    with pytest.raises(EditError):
        edit_yaml(SAMPLE, [SetText(("title",), "a"), SetText(("title",), "b")])


def test_a_one_line_value_given_paragraphs_becomes_a_block():
    after = edit_yaml(SAMPLE, [SetText(("requirements", 2, "text"), "要帮助建好阵地。\n\n新的一段。\n")])
    assert "  - key: 解决问题\n    text: |\n      要帮助建好阵地。\n\n      新的一段。\ntables:\n" in after
    assert yaml.safe_load(after)["requirements"][2]["text"] == "要帮助建好阵地。\n\n新的一段。\n"
    after = edit_yaml(SAMPLE, [SetText(("title",), "第一行\n第二行")])
    assert "\ntitle: |-\n  第一行\n  第二行\nquoted:" in after
    after = edit_yaml(SAMPLE, [SetText(("tables", 0, "rows", 0, 1), "两\n行")])
    assert '      - [1, "两\\n行", 10]\n' in after  # inside [ ] no block can stand


def test_insertions_at_one_place_stand_in_the_order_given():
    rows = ("tables", 0, "rows")
    after = edit_yaml(SAMPLE, [InsertItem(rows, 1, [5, "甲", 1]), InsertItem(rows, 1, [6, "乙", 2])])
    assert [row[0] for row in yaml.safe_load(after)["tables"][0]["rows"]] == [1, 5, 6, 2]
    after = edit_yaml(SAMPLE, [InsertItem(("tags",), 2, "甲"), InsertItem(("tags",), 2, "乙")])
    assert "tags: [驻点, 基层, 甲, 乙]\n" in after
