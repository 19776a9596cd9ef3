"""Returns and reminders at their edges, each written for a planted bug that survived the
suite (issue 25): a target's own deadline, the reminder horizon's last day, a return
dated today, a rate of 2 in 3, and a reminder another run is sending right now."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import ORGANIZATIONS, circular_yaml, run, write
from mail_server import Collect, start_smtp

from generator.distribution.register import Register
from generator.distribution.returns.reminders import ReminderLog, Reminders

CIRCULAR = "panzhihua-2024-07"
PARK = "geliping-park"
TODAY = "2024-06-25"
# three items for the park: 1 and 2 due 30 September, 3.1 on the target's own 30 June
# (the requirement's deadline is 31 December)
REQUIREMENTS = [
    {"text": "一要。", "responsible": [PARK], "deadline": "2024-09-30"},
    {"text": "二要。", "responsible": [PARK], "deadline": "2024-09-30"},
    {
        "text": "三要。",
        "responsible": [PARK],
        "deadline": "2024-12-31",
        "targets": [{"metric": "建会率", "value": "＞90%", "deadline": "2024-06-30"}],
    },
]


@pytest.fixture
def owed(project: Path, monkeypatch) -> Path:
    """The test project with the park (which has an address) owing three items, on 25 June 2024."""
    orgs = ORGANIZATIONS.replace(
        "    kind: park-federation\n", "    kind: park-federation\n    email: office@park.example.org\n"
    )
    write(project, "circulars/organizations.yaml", orgs)
    data = yaml.safe_load(circular_yaml())
    data["requirements"] = REQUIREMENTS
    write(project, f"circulars/2024/{CIRCULAR}.yaml", yaml.safe_dump(data, allow_unicode=True))
    monkeypatch.setenv("CIRCULARS_TODAY", TODAY)
    monkeypatch.delenv("CIRCULARS_REGISTER", raising=False)
    return project


def hand_written(project: Path, *answers: str) -> Path:
    lines = "".join(f"  - {answer}\n" for answer in answers)
    return write(
        project,
        "inbox/park.yaml",
        f"circular: {CIRCULAR}\norganization: {PARK}\nwho: 张三\nanswers:\n{lines}",
    )


def status(project: Path) -> dict:
    result = run(project, "returns", "status", CIRCULAR, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# Catches a target's own deadline replaced by its requirement's, in each place it shows.
def test_a_targets_own_deadline_counts(owed, monkeypatch):
    items = {i["item"]: i for i in status(owed)["items"]}
    assert {label: i["deadline"] for label, i in items.items()} == {
        "1": "2024-09-30",
        "2": "2024-09-30",
        "3.1": "2024-06-30",
    }
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-07-01")
    late = status(owed)
    assert [i["item"] for i in late["items"] if i["overdue"]] == ["3.1"] and late["overdue"] == 1
    reminded = run(owed, "remind", CIRCULAR, "--days", "0")
    assert reminded.exit_code == 0, reminded.output
    assert "  3.1 (2024-06-30, overdue)" in reminded.stdout and "2024-09-30" not in reminded.stdout

    result = run(owed, "returns", "forms", CIRCULAR, "-o", "forms")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(owed / "forms" / f"{PARK}.xlsx").worksheets[0]
    deadlines = {row[0]: row[4] for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]}
    assert deadlines == {  # column E, 完成时限
        "1": datetime.datetime(2024, 9, 30),
        "2": datetime.datetime(2024, 9, 30),
        "3.1": datetime.datetime(2024, 6, 30),
    }


# Catches the horizon made exclusive: --days 5 on 25 June reaches an item due on 30 June.
def test_the_reminder_horizon_includes_its_last_day(owed):
    on_the_day = run(owed, "remind", CIRCULAR, "--days", "5")
    assert on_the_day.exit_code == 0, on_the_day.output
    assert "3.1 (2024-06-30)" in on_the_day.stdout
    assert "1 organization with items overdue or due within 5 days" in on_the_day.stdout
    a_day_short = run(owed, "remind", CIRCULAR, "--days", "4")
    assert a_day_short.exit_code == 0 and "3.1" not in a_day_short.stdout


# Catches `date > today` turned `>=`: a return dated today is accepted, tomorrow is not.
def test_a_return_dated_today_is_not_in_the_future(owed):
    tomorrow = hand_written(owed, "{requirement: 1, status: 已完成, date: 2024-06-26}")
    refused = run(owed, "returns", "import", str(tomorrow))
    assert refused.exit_code != 0 and "is in the future (today is 2024-06-25)" in refused.output
    today = hand_written(owed, "{requirement: 1, status: 已完成, date: 2024-06-25}")
    result = run(owed, "returns", "import", str(today))
    assert result.exit_code == 0, result.output
    assert {i["item"]: i["status"] for i in status(owed)["items"]}["1"] == "done"


def test_a_form_dated_today_is_not_in_the_future(owed):
    assert run(owed, "returns", "forms", CIRCULAR, "-o", "forms").exit_code == 0
    workbook = openpyxl.load_workbook(owed / "forms" / f"{PARK}.xlsx")
    sheet = workbook.worksheets[0]
    row = next(r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value == "1")
    sheet[f"F{row}"] = "已完成"  # 进展状态
    sheet[f"H{row}"] = datetime.datetime(2024, 6, 25)  # 填报日期, typed as a date
    workbook.save(owed / "inbox.xlsx")
    result = run(owed, "returns", "import", str(owed / "inbox.xlsx"))
    assert result.exit_code == 0, result.output
    assert {i["item"]: i["status"] for i in status(owed)["items"]}["1"] == "done"


# Catches the rate truncated: 2 of 3 is 67 %, not 66 %.
def test_the_completion_rate_is_rounded(owed):
    answers = hand_written(
        owed,
        "{requirement: 1, status: 已完成, date: 2024-06-20}",
        "{requirement: 2, status: 已完成, date: 2024-06-20}",
    )
    assert run(owed, "returns", "import", str(answers)).exit_code == 0
    result = run(owed, "returns", "status", CIRCULAR)
    assert "2 of 3 items done (67%)" in result.stdout
    assert status(owed)["completion"] == pytest.approx(0.6667)


# Catches the claim taking over a reminder in `sending`: two `remind --send` at once. This
# run looked up today's reminders before the other one claimed the park's (the look-up
# finds nothing), so only the claim stands between the park and a second email.
def test_a_reminder_another_run_is_sending_is_not_sent_again(owed, monkeypatch):
    smtp = Collect()
    controller = start_smtp(monkeypatch, smtp)
    try:
        other = ReminderLog(Register(owed / "register.sqlite3"))
        assert other.claim(
            CIRCULAR, PARK, datetime.date(2024, 6, 25), "office@park.example.org", "3.1", "0" * 64
        )
        monkeypatch.setattr(Reminders, "look_up", lambda self, log: None)
        result = run(owed, "remind", CIRCULAR, "--send")
        assert result.exit_code == 0, result.output
        assert smtp.messages == []
        assert other.status(CIRCULAR, PARK, datetime.date(2024, 6, 25)) == "sending"
    finally:
        controller.stop()
    # a failed one may be tried again: the claim is what lets it through
    other.finish(CIRCULAR, PARK, datetime.date(2024, 6, 25), "failed", "refused")
    assert other.claim(CIRCULAR, PARK, datetime.date(2024, 6, 25), "office@park.example.org", "3.1", "0" * 64)
