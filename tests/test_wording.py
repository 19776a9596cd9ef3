"""Generated wording the circular may switch off, replace or choose the form of:
the contact line, the parts' headings, `to_label`, the attachment note (its label,
its place and numbering in a letter, attachments listed by the note alone), the
English header's order and number label, date styles and 公开方式; and the
errors for each, at file:line:column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run
from test_circular_parts import F, build, check, circular, texts

ENGLISH = {"language": "en", "title": "Notice"}
WITH_RESPONSIBLE = {
    "requirements": [
        {
            "key": "找准问题",
            "text": "驻点干部到位后要迅速深入职工群众。",
            "deadline": "2024-09-30",
            "responsible": ["geliping-park"],
        }
    ]
}


def line_of(path: Path, key: str) -> int:
    """The line on which `key:` starts in the file circular() wrote."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:"))


# --- the Chinese layout ------------------------------------------------------------------


def test_contact_in_the_circulars_own_words(project, tmp_path):
    contact = {"name": "孙映吟", "phone": "81085234"}
    circular(project, contact=contact)
    assert texts(build(project, tmp_path), "Contact") == ["联系人：孙映吟，电话：81085234。"]
    own = "市卫生健康委联系人：孙映吟，联系电话：81085234。"
    circular(project, contact=dict(contact, text=own))
    assert texts(build(project, tmp_path), "Contact") == [own]


def test_part_headings_generated_switched_off_or_own(project, tmp_path):
    sections = [{"title": "工作安排", "text": "按计划推进。"}]
    reporting = [{"text": "请于5月10日前报送进展。"}]
    circular(project, sections=sections, reporting=reporting)
    shown = build(project, tmp_path)
    assert texts(shown, "Heading 1") == ["一、工作安排", "二、工作要求", "三、报送要求"]
    circular(project, sections=sections, reporting=reporting, headings={"reporting": False})
    shown = build(project, tmp_path)
    assert texts(shown, "Heading 1") == ["一、工作安排", "二、工作要求"]
    assert texts(shown, "Reporting Duty") == ["请于5月10日前报送进展。"]  # the text stays
    circular(project, reporting=reporting, headings={"reporting": "有关要求", "requirements": False})
    shown = build(project, tmp_path)
    # an own title prints even where the generated one would not (one part alone)
    assert texts(shown, "Heading 1") == ["一、有关要求"]


def test_attachment_note_label_and_attachments_listed_by_the_note_alone(project, tmp_path):
    circular(project, attachment_note="附：", attachments=[{"title": "学校名单", "included": False}])
    shown = build(project, tmp_path)
    assert texts(shown, "Attachment Note") == ["附：学校名单"]
    assert not texts(shown, "Attachment Label") and not texts(shown, "Attachment Title")
    two = [{"title": "名单", "text": "（名单）"}, {"title": "回执", "text": "（回执）"}]
    circular(project, attachment_note=False, attachments=two)
    shown = build(project, tmp_path)
    assert texts(shown, "Attachment Note") == [] and texts(shown, "Attachment Note Continued") == []
    assert texts(shown, "Attachment Label") == ["附件1", "附件2"]  # the attachments themselves stay


def test_date_in_chinese_numerals_and_publicity_above_the_imprint(project, tmp_path):
    circular(project, date_style="chinese-numerals", publicity="主动公开", printing={"date": "2024-04-20"})
    shown = build(project, tmp_path)
    assert texts(shown, "Date") == ["二〇二四年四月十八日"]
    assert texts(shown, "Publicity") == ["公开方式：主动公开"]
    assert texts(shown, "Imprint") == ["攀枝花市总工会\t二〇二四年四月二十日印发"]
    names = [name for name, _ in shown]
    assert names.index("Date") < names.index("Publicity") < names.index("Imprint")
    # the deadline in the text keeps Arabic numerals: the style is the date lines'
    assert "完成时限：2024年9月30日" in "".join(texts(shown, "Requirement Meta"))


def test_labels_as_the_circular_writes_them(project, tmp_path):
    group = {"leader": [{"name": "张三"}], "members": [{"name": "李四"}, {"name": "王五"}]}
    attachments = [{"title": "名单", "text": "（名单）"}, {"title": "回执", "text": "（回执）"}]
    labels = {
        "cc": "抄报：",
        "imprint": "印",
        "attachment": "附表",
        "leader": "组长：",
        "publicity": "公开属性：",
    }
    circular(
        project,
        cc=["geliping-park"],
        leading_group=group,
        attachments=attachments,
        publicity="主动公开",
        labels=labels,
    )
    shown = build(project, tmp_path)
    assert texts(shown, "CC") == ["抄报：格里坪特色产业园区工会联合会。"]
    assert texts(shown, "Imprint") == ["攀枝花市总工会\t2024年4月18日印"]
    assert texts(shown, "Attachment Label") == ["附表1", "附表2"]
    assert texts(shown, "Group Line") == ["组长：张三", "成　员：李四、王五"]  # members: the default
    assert texts(shown, "Publicity") == ["公开属性：主动公开"]
    circular(project, labels={"responsible": "牵头单位：", "deadline": "时限："}, **WITH_RESPONSIBLE)
    assert texts(build(project, tmp_path), "Requirement Meta") == [
        "（牵头单位：格里坪特色产业园区工会联合会；时限：2024年9月30日）"
    ]
    circular(project, **ENGLISH, cc=["geliping-park"], labels={"cc": "Copies to "})
    assert texts(build(project, tmp_path), "CC") == ["Copies to Geliping Park Trade Union Federation"]


# --- the international layout ------------------------------------------------------------


def test_to_label_keeps_its_space(project, tmp_path):
    circular(project, **ENGLISH, to_label="To ")
    assert texts(build(project, tmp_path), "Recipients") == ["To Geliping Park Trade Union Federation"]
    circular(project, **ENGLISH, to_label="Dear")
    assert texts(build(project, tmp_path), "Recipients") == ["DearGeliping Park Trade Union Federation"]


def test_english_attachment_note_follows_the_signature_numbered(project, tmp_path):
    attachments = [{"title": f"Form {n}", "text": "(form)"} for n in "ABC"]
    circular(project, **ENGLISH, complimentary_close="Yours fraternally,", attachments=attachments)
    shown = build(project, tmp_path)
    names = [name for name, _ in shown]
    start = names.index("Complimentary Close")
    assert names[start : start + 6] == [
        "Complimentary Close",
        "Signature Name",
        "Signature Title",
        "Attachment Note",
        "Attachment Note Continued",
        "Attachment Note Continued",
    ]
    assert texts(shown, "Attachment Note") == ["Attachments: 1. Form A"]
    assert texts(shown, "Attachment Note Continued") == ["2. Form B", "3. Form C"]


def test_header_order_series_label_and_ordinal_date(project, tmp_path):
    circular(
        project,
        **ENGLISH,
        date="2023-03-16",
        date_style="ordinal",
        series_label="Circular No.",
        references=[{"label": "My ref:", "text": "EO/31"}],
        salutation="Dear Colleague,",
        header_order=["title", "date", "references", "number", "to", "salutation", "subject"],
    )
    shown = build(project, tmp_path)
    names = [name for name, _ in shown if not name.startswith("Letterhead")]
    assert names[:7] == [
        "Title",
        "Reference",
        "Reference Extra",
        "Reference",
        "Recipients",
        "Salutation",
        "Subject",
    ]
    assert texts(shown, "Reference") == ["16th March 2023", "Circular No. Panzhihua FTU [2023] No. 7"]
    assert texts(shown, "Subject") == ["Notice"]
    # a number followed by the date shares its line, the date at the right
    circular(project, **ENGLISH, series_label=False, header_order=["title", "to", "number", "date"])
    shown = build(project, tmp_path)
    assert [name for name, _ in shown if not name.startswith("Letterhead")][:3] == [
        "Title",
        "Recipients",
        "Reference",
    ]
    assert texts(shown, "Reference") == ["Panzhihua FTU [2024] No. 7\t18 April 2024"]


def test_header_order_without_to_prints_no_recipients_and_does_not_warn(project, tmp_path):
    circular(project, **ENGLISH, to=None, header_order=["number", "date", "title"])
    result_code, errors = check(project)
    assert result_code == 0 and errors == []
    assert "no main recipients" not in run(project, "check").output
    assert texts(build(project, tmp_path), "Recipients") == []
    circular(project, **ENGLISH, to=None)
    assert "no main recipients" in run(project, "check").output


def test_to_false_prints_no_recipients_and_does_not_warn(project, tmp_path):
    """A 通报 posted to all has no 主送: `to: false` says so, where a missing `to` warns."""
    circular(project, to=False)
    assert run(project, "check", "--strict").exit_code == 0
    shown = build(project, tmp_path)
    assert texts(shown, "Recipients") == []
    assert texts(shown, "Title") and texts(shown, "Closing")  # the rest still prints
    circular(project, to=None)
    assert "no main recipients" in run(project, "check").output


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"date_style": "ordinal"}, "date_style", "date_style ordinal is for circulars in language en"),
        ({**ENGLISH, "date_style": "chinese-numerals"}, "date_style", "is for circulars in language zh"),
        ({"date_style": "roman"}, "date_style", "'roman' is not one of: standard, chinese-numerals, ordinal"),
        ({"header_order": ["title", "date"]}, "header_order", "header_order is for the international layout"),
        ({"series_label": "No."}, "series_label", "series_label is for the international layout"),
        (
            {**ENGLISH, "kind": "article", "header_order": ["title", "date"]},
            "header_order",
            "an article has no header lines",
        ),
        (
            {**ENGLISH, "header_order": ["title", "date", "title"]},
            "header_order",
            "title listed more than once",
        ),
        ({**ENGLISH, "header_order": ["title", "to"]}, "header_order", "list date where it goes"),
        ({**ENGLISH, "header_order": []}, "header_order", "list title and date where it goes"),
        (
            {**ENGLISH, "salutation": "Dear all,", "header_order": ["title", "date", "to"]},
            "header_order",
            "header_order leaves out salutation, which this circular gives: list it",
        ),
        ({"headings": {"reporting": " "}}, "headings", "is blank"),
        ({"headings": {"report": False}}, "headings", "report"),
        (
            {"attachments": [{"title": "名单", "text": "（名单）", "included": False}]},
            "attachments",
            "an attachment with 'included: false' is its title alone",
        ),
        ({"publicity": ""}, "publicity", "must not be empty"),
        ({"to": True}, "to", "expected a list, got true"),
    ],
)
def test_bad_wording_fields(project, changes, key, message):
    path = circular(project, **changes)
    code, errors = check(project)
    assert code != 0
    assert any(message in e for e in errors), errors
    start = line_of(path, key)
    lines = {int(m[1]) for e in errors if (m := re.match(rf"{re.escape(F)}:(\d+):\d+: error: ", e))}
    assert lines and all(line >= start for line in lines), errors
