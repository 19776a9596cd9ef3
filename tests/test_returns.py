"""Returns: forms out, filled forms in, status, and reminders over a real SMTP server."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import run
from return_forms import CIRCULAR, COKING, PARK, TODAY, example_project, fill, make_forms


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    return example_project(tmp_path, monkeypatch)


def record(project: Path, org: str = PARK) -> dict:
    return yaml.safe_load((project / "returns" / CIRCULAR / f"{org}.yaml").read_text(encoding="utf-8"))


def snapshot(project: Path) -> dict[str, bytes]:
    folder = project / "returns"
    return (
        {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.yaml")}
        if folder.exists()
        else {}
    )


def status_json(project: Path) -> dict:
    result = run(project, "returns", "status", CIRCULAR, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def item(status: dict, org: str, label: str) -> dict:
    return next(i for i in status["items"] if i["organization"] == org and i["item"] == label)


# --- forms out ------------------------------------------------------------------------------


def test_a_form_per_responsible_organization_prefilled_and_protected(project):
    forms = make_forms(project)
    names = sorted(p.name for p in forms.glob("*.xlsx"))
    # the stationing team, the park federation and its 31 grassroots unions
    assert len(names) == 33 and f"{PARK}.xlsx" in names and "sichuan-ftu.xlsx" not in names

    workbook = openpyxl.load_workbook(forms / f"{PARK}.xlsx")
    sheet = workbook.worksheets[0]
    assert "攀工发〔2024〕7号" in sheet["A1"].value and "格里坪特色产业园区工会联合会" in sheet["A2"].value
    assert [c.value for c in sheet[5]] == [
        "序号", "工作要求", "目标指标", "目标值", "完成时限", "进展状态", "完成值", "填报日期", "说明", "联系人",
    ]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert [r[0] for r in rows] == ["2.1", "2.2", "3", "4"]
    assert rows[0][2:4] == ["建会率", "＞90%"] and rows[0][4].date() == datetime.date(2024, 9, 30)
    assert rows[1][1].startswith("抓住关键：")
    # the drop-down speaks the circular's language
    [status] = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert status.formula1 == '"未开始,进行中,已完成,受阻"' and "F6:F9" in str(status.sqref)
    # only the cells to fill in are open
    assert sheet.protection.sheet
    assert all(not sheet[f"{c}7"].protection.locked for c in "FGHIJ")
    assert all(sheet[f"{c}7"].protection.locked for c in "ABCDE")
    meta = workbook["circulars"]
    assert meta.sheet_state == "veryHidden"
    identity = {r[0]: r[1] for r in meta.iter_rows(values_only=True) if r[0] != "row"}
    assert identity["circular"] == CIRCULAR and identity["organization"] == PARK
    assert len(identity["edition"]) == 64
    assert workbook.properties.identifier.startswith(f"circulars-return:{CIRCULAR}:")

    english = openpyxl.load_workbook(make_forms_en(project) / "geliping-park-federation.xlsx").worksheets[0]
    [status] = [v for v in english.data_validations.dataValidation if v.type == "list"]
    assert status.formula1 == '"not started,in progress,done,blocked"'


def make_forms_en(project: Path) -> Path:
    result = run(project, "returns", "forms", f"{CIRCULAR}-en", "-o", "forms-en")
    assert result.exit_code == 0, result.output
    return project / "forms-en"


def test_forms_are_the_same_bytes_every_time(project):
    first = {p.name: p.read_bytes() for p in make_forms(project).glob("*.xlsx")}
    shutil.rmtree(project / "forms")
    second = {p.name: p.read_bytes() for p in make_forms(project).glob("*.xlsx")}
    assert first == second


# --- progress in ----------------------------------------------------------------------------


def test_round_trip_a_filled_form_is_recorded_and_shows_in_the_status(project):
    forms = make_forms(project)
    before = status_json(project)
    assert item(before, PARK, "2.1")["status"] is None and before["done"] == 0
    filled = fill(
        forms / f"{PARK}.xlsx",
        project / "inbox" / "park.xlsx",
        {
            "2.1": {
                "F": "已完成",
                "G": "92%",
                "H": datetime.date(2024, 9, 20),
                "I": "31家中29家建会",
                "J": "张三",
            },
            "2.2": {"F": "进行中", "G": 0.75, "H": "2024-09-21", "J": "张三"},
        },
    )
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 0, result.output
    assert f"recorded 2 answers of {PARK} on {CIRCULAR}" in result.stdout

    saved = record(project)
    assert saved["circular"] == CIRCULAR and saved["organization"] == PARK
    by_item = {(r["requirement"], r.get("target")): r["entries"] for r in saved["requirements"]}
    [done] = by_item[(2, 1)]
    assert done["status"] == "done" and done["value"] == "92%" and done["who"] == "张三"
    assert done["date"] == datetime.date(2024, 9, 20) and done["note"] == "31家中29家建会"
    assert done["source"] == "park.xlsx"
    assert done["sha256"] == hashlib.sha256(filled.read_bytes()).hexdigest()
    assert by_item[(2, 2)][0]["value"] == 0.75 and by_item[(2, 2)][0]["status"] == "in-progress"

    after = status_json(project)
    assert item(after, PARK, "2.1")["status"] == "done" and item(after, PARK, "2.1")["value"] == "92%"
    assert item(after, PARK, "2.2")["status"] == "in-progress"
    assert after["done"] == 1 and after["total"] == before["total"]
    park = next(o for o in after["organizations"] if o["id"] == PARK)
    assert park["done"] == 1 and park["total"] == 4 and park["completion"] == 0.25
    # the stationing team's item 1 was due on 30 April
    assert item(after, "panzhihua-ftu-stationing-team", "1")["overdue"] is True
    assert item(after, PARK, "2.1")["overdue"] is False

    table = run(project, "returns", "status", CIRCULAR)
    line = next(x for x in table.stdout.splitlines() if x.startswith("2.1") and PARK in x)
    assert "已完成" in line and "92%" in line
    assert f"1 of {after['total']} items done" in table.stdout


def test_overdue_is_judged_against_today(project, monkeypatch):
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-10-01")
    assert item(status_json(project), PARK, "2.1")["overdue"] is True
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-09-30")
    assert item(status_json(project), PARK, "2.1")["overdue"] is False


def test_the_same_file_is_recorded_once_and_a_later_return_adds_to_the_history(project):
    forms = make_forms(project)
    first = fill(forms / f"{PARK}.xlsx", project / "inbox/1.xlsx", {"3": {"F": "进行中", "J": "张三"}})
    assert run(project, "returns", "import", str(first)).exit_code == 0
    recorded = snapshot(project)
    again = run(project, "returns", "import", str(first))
    assert again.exit_code == 0 and "already recorded" in again.stdout
    assert snapshot(project) == recorded

    second = fill(forms / f"{PARK}.xlsx", project / "inbox/2.xlsx", {"3": {"F": "已完成", "J": "李四"}})
    assert run(project, "returns", "import", str(second)).exit_code == 0
    [answers] = [r for r in record(project)["requirements"] if r["requirement"] == 3]
    assert [(e["status"], e["who"], e["source"]) for e in answers["entries"]] == [
        ("in-progress", "张三", "1.xlsx"),
        ("done", "李四", "2.xlsx"),
    ]
    assert item(status_json(project), PARK, "3")["status"] == "done"


def test_a_hand_written_return(project):
    path = project / "phoned-in.yaml"
    path.write_text(
        f"circular: {CIRCULAR}\norganization: {COKING}\nwho: 王五\n"
        "answers:\n  - {requirement: 4, status: 已完成, value: 12 次, date: 2024-09-01}\n",
        encoding="utf-8",
    )
    result = run(project, "returns", "import", str(path))
    assert result.exit_code == 0, result.output
    [answers] = record(project, COKING)["requirements"]
    assert answers["entries"][0]["status"] == "done" and answers["entries"][0]["who"] == "王五"
    assert item(status_json(project), COKING, "4")["value"] == "12 次"


def test_every_problem_of_a_form_is_reported_with_its_cell_and_nothing_is_recorded(project):
    forms = make_forms(project)
    good = fill(forms / f"{PARK}.xlsx", project / "inbox/ok.xlsx", {"3": {"F": "进行中"}})
    assert run(project, "returns", "import", str(good)).exit_code == 0
    recorded = snapshot(project)

    bad = fill(
        forms / f"{PARK}.xlsx",
        project / "inbox" / "jiangxi.xlsx",
        {
            "2.1": {"F": "已完成", "G": "95%"},  # fine, but the file has other problems
            "2.2": {"F": "maybe-later"},
            "3": {"F": "进行中", "H": datetime.date(2030, 1, 1)},
            "4": {"F": "受阻", "G": datetime.date(2024, 9, 1), "H": "next week"},
        },
    )
    result = run(project, "returns", "import", str(bad))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    where = f"{bad}:进展填报!"
    for expected in (
        f"{where}F7: status 'maybe-later' is not one of 未开始, 进行中, 已完成, 受阻",
        f"{where}H8: the date 2030-01-01 is in the future (today is {TODAY})",
        f"{where}G9: the achieved value is a date (2024-09-01): write a number or text, like 92% or 31",
        f"{where}H9: the date is 'next week': write a date like {TODAY}",
    ):
        assert expected in result.stderr
    assert "1 refused" in result.stdout
    assert snapshot(project) == recorded


def _identity(workbook, key: str, value: str) -> None:
    meta = workbook["circulars"]
    for row in meta.iter_rows():
        if row[0].value == key:
            row[1].value = value


def test_forms_that_are_not_for_this_project_or_edition_are_refused(project):
    forms = make_forms(project)
    answer = {"4": {"F": "已完成"}}
    unknown_org = fill(
        forms / f"{COKING}.xlsx",
        project / "in/org.xlsx",
        answer,
        lambda wb: _identity(wb, "organization", "nobody"),
    )
    unknown_circular = fill(
        forms / f"{COKING}.xlsx",
        project / "in/circ.xlsx",
        answer,
        lambda wb: _identity(wb, "circular", "no-such"),
    )
    not_responsible = fill(
        forms / f"{COKING}.xlsx",
        project / "in/sichuan.xlsx",
        answer,
        lambda wb: _identity(wb, "organization", "sichuan-ftu"),
    )
    # a requirement that does not exist, and one the union does not answer for, written by hand
    by_hand = project / "in" / "by-hand.yaml"
    by_hand.write_text(
        f"circular: {CIRCULAR}\norganization: {COKING}\nanswers:\n"
        "  - {requirement: 9, status: done}\n  - {requirement: 1, status: done}\n"
        "  - {requirement: 4, status: maybe-later}\n",
        encoding="utf-8",
    )
    before = snapshot(project)
    files = [unknown_org, unknown_circular, not_responsible, by_hand]
    result = run(project, "returns", "import", *map(str, files))
    assert result.exit_code == 1
    assert f"{unknown_org}: no organization 'nobody' in the registry" in result.stderr
    assert f"{unknown_circular}: no circular 'no-such' in this project" in result.stderr
    assert f"{not_responsible}: 'sichuan-ftu' is responsible for none of the requirements" in result.stderr
    assert f"{by_hand}:4:5: requirement 9 does not exist: {CIRCULAR} has 4" in result.stderr
    assert f"{by_hand}:5:5: '{COKING}' does not answer for item 1 (it answers for 4)" in result.stderr
    assert f"{by_hand}:6:30: 'maybe-later' is not one of" in result.stderr
    assert "4 refused" in result.stdout
    assert snapshot(project) == before

    # the circular changed what it asks after the forms went out: a form for another edition
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("2024-09-30", "2024-10-31"), encoding="utf-8"
    )
    old = fill(forms / f"{COKING}.xlsx", project / "in/old.xlsx", answer)
    result = run(project, "returns", "import", str(old))
    assert result.exit_code == 1
    assert f"{old}: a form for another edition of {CIRCULAR}" in result.stderr
    assert snapshot(project) == before


def test_files_that_are_not_forms_are_refused_with_a_clear_message(project):
    forms = make_forms(project)
    inbox = project / "inbox"
    inbox.mkdir()
    (inbox / "sheet.csv").write_text("序号,进展状态\n4,已完成\n", encoding="utf-8")
    (inbox / "random.xlsx").write_bytes(os.urandom(2048))
    (inbox / "broken.xlsx").write_bytes((forms / f"{COKING}.xlsx").read_bytes()[:3000])
    # what Excel writes for a workbook with a password to open: an OLE file holding EncryptedPackage
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 512
    )
    (inbox / "locked.xlsx").write_bytes(ole)
    workbook = openpyxl.Workbook()
    workbook.active.append(["just", "a", "sheet"])
    workbook.save(inbox / "plain.xlsx")
    fill(
        forms / f"{COKING}.xlsx",
        inbox / "moved.xlsx",
        {"4": {"F": "已完成"}},
        lambda wb: wb.worksheets[0].move_range("F5:G6", cols=2),
    )
    before = snapshot(project)
    names = ["sheet.csv", "random.xlsx", "broken.xlsx", "locked.xlsx", "plain.xlsx", "moved.xlsx"]
    result = run(project, "returns", "import", *(str(inbox / n) for n in names))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()

    def said(name: str) -> str:
        return "\n".join(line for line in lines if line.startswith(str(inbox / name)))

    assert "a CSV or text file, not a return form" in said("sheet.csv")
    assert "not an Excel workbook (.xlsx)" in said("random.xlsx")
    assert "a damaged workbook" in said("broken.xlsx")
    assert "password-protected (encrypted)" in said("locked.xlsx")
    assert "not a return form made by `circulars returns forms`" in said("plain.xlsx")
    assert f"{inbox / 'moved.xlsx'}:进展填报!F5: the header should be '进展状态', found nothing" in said(
        "moved.xlsx"
    )
    assert "6 refused" in result.stdout
    assert snapshot(project) == before


def test_an_import_cut_off_while_writing_leaves_the_previous_record(project, monkeypatch):
    forms = make_forms(project)
    first = fill(forms / f"{PARK}.xlsx", project / "inbox/1.xlsx", {"3": {"F": "进行中"}})
    assert run(project, "returns", "import", str(first)).exit_code == 0
    before = snapshot(project)
    second = fill(forms / f"{PARK}.xlsx", project / "inbox/2.xlsx", {"3": {"F": "已完成"}})

    calls = []

    def crash(source, target):  # the power fails just as the new record would replace the old
        calls.append(target)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    result = run(project, "returns", "import", str(second))
    monkeypatch.undo()
    assert result.exit_code == 1 and [Path(c).name for c in calls] == [f"{PARK}.yaml"]
    assert snapshot(project) == before
    assert not [p for p in (project / "returns").rglob("*.tmp")]


# --- reminders over a real SMTP server ----------------------------------------------------------


def test_reminders_go_once_a_day_with_the_form_attached(project, smtp, monkeypatch):
    forms = make_forms(project)
    # the coking union reported its only item done: it is not reminded
    done = fill(forms / f"{COKING}.xlsx", project / "inbox/coking.xlsx", {"4": {"F": "已完成"}})
    assert run(project, "returns", "import", str(done)).exit_code == 0

    listed = run(project, "remind", CIRCULAR, "--days", "7")
    assert listed.exit_code == 0, listed.output
    assert PARK in listed.stdout and COKING not in listed.stdout
    assert "32 organizations with items overdue or due within 7 days" in listed.stdout
    assert not (project / "register.sqlite3").exists()

    dry = run(project, "remind", CIRCULAR, "--send", "--dry-run")
    assert dry.exit_code == 0 and "nothing was sent (--dry-run)" in dry.stdout
    assert smtp.messages == []

    sent = run(project, "remind", CIRCULAR, "--send")
    assert sent.exit_code == 0, sent.output
    assert "Sent 32 reminders." in sent.stdout
    assert len(smtp.messages) == 32
    to_park = next(m for m in smtp.messages if "office@geliping-park-federation.example.org" in m["To"])
    assert to_park["Subject"].startswith("催报：攀工发〔2024〕7号")
    body = to_park.get_body(("plain",)).get_content()
    assert "2.1. 抓住关键（建会率 ＞90%），完成时限2024年9月30日" in body
    [attachment] = list(to_park.iter_attachments())
    assert attachment.get_filename() == f"{PARK}.xlsx"
    assert attachment.get_content() == (forms / f"{PARK}.xlsx").read_bytes()

    with sqlite3.connect(project / "register.sqlite3") as db:
        rows = db.execute("SELECT organization_id, day, status, items FROM reminders ORDER BY 1").fetchall()
    assert len(rows) == 32 and (PARK, TODAY, "sent", "2.1 2.2 3 4") in rows

    again = run(project, "remind", CIRCULAR, "--send")
    assert again.exit_code == 0 and "Sent 0 reminders; 32 already sent today." in again.stdout
    assert len(smtp.messages) == 32
    assert "32 already reminded today" in run(project, "remind", CIRCULAR).stdout

    monkeypatch.setenv("CIRCULARS_TODAY", "2024-09-26")
    assert run(project, "remind", CIRCULAR, "--send").exit_code == 0
    assert len(smtp.messages) == 64


def test_reminders_need_an_address_for_everyone_and_send_nothing_otherwise(project, smtp):
    registry = project / "circulars/organizations.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("    email: union@geliping-coking.example.org\n", ""),
        encoding="utf-8",
    )
    result = run(project, "remind", CIRCULAR, "--send")
    assert result.exit_code == 1
    assert f"no contact address in the registry for: 格里坪焦化有限公司工会 ({COKING})" in result.stderr
    assert smtp.messages == []


def test_an_interrupted_reminder_is_sent_again_only_if_it_never_left(project, smtp, monkeypatch):
    from generator.distribution.mailer import Mailer

    real_send = Mailer.send

    def interrupted(in_doubt: bool):
        def send(self, message):
            self.in_doubt = in_doubt  # True: the body was handed over, the reply never came
            raise KeyboardInterrupt

        return send

    monkeypatch.setattr(Mailer, "send", interrupted(in_doubt=False))
    assert run(project, "remind", CIRCULAR, "--send").exit_code == 1
    with sqlite3.connect(project / "register.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 0

    monkeypatch.setattr(Mailer, "send", interrupted(in_doubt=True))
    assert run(project, "remind", CIRCULAR, "--send").exit_code == 1
    with sqlite3.connect(project / "register.sqlite3") as db:
        [(org, status)] = db.execute("SELECT organization_id, status FROM reminders").fetchall()
    assert status == "sending"

    monkeypatch.setattr(Mailer, "send", real_send)
    result = run(project, "remind", CIRCULAR, "--send")
    assert result.exit_code == 0, result.output
    assert "Sent 32 reminders; 1 already sent today." in result.stdout
    assert len(smtp.messages) == 32
    with sqlite3.connect(project / "register.sqlite3") as db:
        rows = dict(db.execute("SELECT organization_id, status FROM reminders").fetchall())
    assert rows.pop(org) == "sending" and set(rows.values()) == {"sent"} and len(rows) == 32
