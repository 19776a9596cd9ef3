"""The layout of a return form, shared by the writer and the reader.

A form is one visible sheet: a heading (rows 1-3), a header row, then one row
per item the organization answers for. Columns A-E are filled in by the
secretariat and protected; F-J are for the organization. A very hidden sheet
holds what the form is (format, circular, edition, organization, language,
token) and which item each row answers, so an import never guesses.
"""

from __future__ import annotations

FORMAT = "circulars-return-form/1"
META_SHEET = "circulars"
HEADER_ROW = 5
FIRST_ROW = 6

# (key, English header, Chinese header, width); the order is the column order A, B, ...
COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("item", "No.", "序号", 6),
    ("requirement", "Requirement", "工作要求", 48),
    ("metric", "Target", "目标指标", 22),
    ("target", "Target value", "目标值", 12),
    ("deadline", "Deadline", "完成时限", 12),
    ("status", "Status", "进展状态", 14),
    ("value", "Achieved value", "完成值", 14),
    ("date", "Date", "填报日期", 12),
    ("note", "Note", "说明", 36),
    ("who", "Contact person", "联系人", 14),
)
FILL = ("status", "value", "date", "note", "who")
MAX_CELL_TEXT = 32_767
"""The most characters an Excel cell holds: the limit of an answer's value, note and
contact person, on a form or typed by hand."""
LETTERS = "ABCDEFGHIJ"
COLUMN = {key: LETTERS[i] for i, (key, *_rest) in enumerate(COLUMNS)}
INDEX = {key: i for i, (key, *_rest) in enumerate(COLUMNS)}

SHEET_TITLE = {"en": "Return", "zh": "进展填报"}
TEXT = {
    "en": {
        "title": "Return form: {number} {title}",
        "org": "Organization: {name}",
        "how": "Fill in columns F to J (status from the list, date as YYYY-MM-DD) and send this file back "
        "to {issuer}. Do not move rows or columns.",
        "none": "—",
    },
    "zh": {
        "title": "进展情况填报表：{number}《{title}》",
        "org": "填报单位：{name}",
        "how": "请填写F至J列（状态从下拉列表中选择，日期格式为YYYY-MM-DD），完成后将本文件报送{issuer}。"
        "请勿移动行或列。",
        "none": "—",
    },
}


def headers(language: str) -> list[str]:
    return [c[1] if language == "en" else c[2] for c in COLUMNS]


def form_name(org_id: str) -> str:
    """The file name of an organization's form: geliping-park-federation.xlsx."""
    return f"{org_id}.xlsx"


def form_identifier(circular_id: str, edition: str, org_id: str) -> str:
    """What a form says it is, in its document properties (dc:identifier)."""
    return f"circulars-return:{circular_id}:{edition[:16]}:{org_id}"


def parse_form_identifier(value: str) -> tuple[str, str, str] | None:
    """(circular, edition prefix, organization) from a form's identifier; None if it is not one."""
    parts = value.split(":")
    if len(parts) != 4 or parts[0] != "circulars-return" or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]
