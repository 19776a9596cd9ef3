"""The progress workbook (汇总表): the whole picture of one circular's returns in Excel.

The ledger (台账) a secretariat keeps and passes on: one sheet per union (done,
total, completion rate, overdue), one per requirement or target (how many of
the unions answering for it are done, how many overdue), and one with every
union's latest answer, values and notes, overdue rows filled red. Every text
cell is text, never a formula (forms._put), whatever a union typed.
"""

from __future__ import annotations

import datetime

from ...docx.package import write_parts
from ...source.model import Circular
from ...source.project import Project
from ...source.returns import STATUS_LABELS, Item, Progress
from .forms import _cell_styles, _put, described, keep_time, workbook_parts
from .layout import TEXT

OVERDUE_FILL = "FFC7CE"  # Excel's own "bad" red

SHEETS = {
    "en": ("Unions", "Requirements", "Details"),
    "zh": ("按单位", "按要求", "明细"),
}
HEADERS = {
    "en": (
        ("Organization", "Name", "Done", "Items", "Completion", "Overdue"),
        ("No.", "Requirement", "Target", "Target value", "Deadline", "Done", "Unions", "Overdue"),
        (
            "Organization",
            "Name",
            "No.",
            "Requirement",
            "Target",
            "Target value",
            "Deadline",
            "Status",
            "Achieved value",
            "Date",
            "Note",
            "Contact person",
            "Overdue",
        ),
    ),
    "zh": (
        ("单位代码", "单位名称", "已完成", "事项数", "完成率", "逾期"),
        ("序号", "工作要求", "目标指标", "目标值", "完成时限", "已完成", "责任单位数", "逾期"),
        (
            "单位代码",
            "单位名称",
            "序号",
            "工作要求",
            "目标指标",
            "目标值",
            "完成时限",
            "进展状态",
            "完成值",
            "填报日期",
            "说明",
            "联系人",
            "逾期",
        ),
    ),
}
TITLE = {
    "en": "Progress on {number} {title}, {today}",
    "zh": "{number}《{title}》落实情况汇总（截至{today}）",
}
NO_RETURN = {"en": "(no return)", "zh": "未报送"}
OVERDUE = {"en": "overdue", "zh": "逾期"}


def summary_workbook(project: Project, circular: Circular, state: Progress, number: str, title: str) -> bytes:
    """The .xlsx bytes of the progress workbook of `state` (progress() of `circular`)."""
    from openpyxl import Workbook  # lazily, as the forms: only this command needs it
    from openpyxl.styles import PatternFill

    lang = circular.language
    names = {org: project.registry.name(org, lang) for org in state.organizations()}
    red = PatternFill("solid", fgColor=OVERDUE_FILL)
    workbook = Workbook()
    unions, requirements, details = (
        workbook.active,
        workbook.create_sheet(),
        workbook.create_sheet(),
    )
    for sheet, name, header in zip((unions, requirements, details), SHEETS[lang], HEADERS[lang], strict=True):
        sheet.title = name
        heading = TITLE[lang].format(number=number, title=title, today=state.today.isoformat())
        _put(sheet, 1, 1, " ".join(heading.split())).font = _cell_styles()["title"]["font"]
        for column, text in enumerate(header, 1):
            cell = _put(sheet, 3, column, text)
            for attribute, value in _cell_styles()["header"].items():
                setattr(cell, attribute, value)
        sheet.freeze_panes = "A4"

    for row, org in enumerate(state.organizations(), 4):
        rows = [r for r in state.rows if r.organization == org]
        overdue = sum(r.overdue for r in rows)
        values = [org, names[org], sum(r.done for r in rows), len(rows), state.rate(org), overdue]
        for column, value in enumerate(values, 1):
            cell = _put(unions, row, column, value)
            if overdue:
                cell.fill = red
        unions.cell(row, 5).number_format = "0%"

    items: dict[tuple[int, int | None], Item] = {}
    for r in state.rows:
        items.setdefault(r.item.key, r.item)
    for row, item in enumerate(sorted(items.values(), key=lambda i: (i.requirement, i.target or 0)), 4):
        rows = [r for r in state.rows if r.item.key == item.key]
        overdue = sum(r.overdue for r in rows)
        values = [item.label, *described(circular, item), item.deadline or TEXT[lang]["none"]]
        values += [sum(r.done for r in rows), len(rows), overdue]
        for column, value in enumerate(values, 1):
            cell = _put(requirements, row, column, value)
            if overdue:
                cell.fill = red
        requirements.cell(row, 5).number_format = "yyyy-mm-dd"
        keep_time(requirements.cell(row, 5))

    labels = STATUS_LABELS[lang]
    for row, r in enumerate(state.rows, 4):
        latest = r.latest
        values = [r.organization, names[r.organization], r.item.label, *described(circular, r.item)]
        values += [r.item.deadline or TEXT[lang]["none"]]
        values += [labels[latest.status] if latest else NO_RETURN[lang]]
        values += [latest.value, latest.date, latest.note, latest.who] if latest else [None] * 4
        values += [OVERDUE[lang] if r.overdue else None]
        for column, value in enumerate(values, 1):
            cell = _put(details, row, column, value)
            if r.overdue:
                cell.fill = red
        details.cell(row, 7).number_format = details.cell(row, 10).number_format = "yyyy-mm-dd"
        keep_time(details.cell(row, 7))

    widths = (
        (24, 30, 8, 8, 10, 8),
        (6, 48, 22, 12, 12, 8, 10, 8),
        (24, 30, 6, 48, 22, 12, 12, 12, 14, 12, 36, 14, 8),
    )
    for sheet, sizes in zip((unions, requirements, details), widths, strict=True):
        for column, width in enumerate(sizes, 1):
            sheet.column_dimensions[chr(64 + column)].width = width
    return write_parts(workbook_parts(workbook, datetime.datetime.combine(state.today, datetime.time())))
