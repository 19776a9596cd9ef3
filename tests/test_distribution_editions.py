"""Editions a recipient can recognise: a circular changed after it went out is sent again as
a correction that names the copy it replaces and what changed; the old copies are moved
aside; the register's times are local. Sent over a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, run

CIRCULAR = "panzhihua-2024-07"
RECIPIENTS = 35
COKING = "geliping-coking-union"
COKING_MAIL = "union@geliping-coking.example.org"
NOTE = "更正第四项工作要求的完成时限"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


@pytest.fixture
def server(smtp):
    return smtp  # conftest's collecting server


def dist(project: Path) -> Path:
    return project / "dist" / CIRCULAR


def change_the_circular(project: Path, note: str | None = NOTE) -> None:
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8").replace("请认真抓好落实。", "请认真抓好落实，按时报送。")
    assert "\nchanges:" not in text
    if note:
        text += f"\nchanges:\n  - date: 2024-04-25\n    note: {note}\n"
    source.write_text(text, encoding="utf-8")


def sent_on(project: Path) -> str:
    with sqlite3.connect(project / "register.sqlite3") as db:
        [(stamp,)] = db.execute(f"SELECT sent_at FROM copies WHERE recipient_id = '{COKING}'").fetchall()
    return stamp


def last_sent(project: Path) -> datetime.datetime:
    """When the last copy went: the dry run names that (the sending may cross a minute)."""
    with sqlite3.connect(project / "register.sqlite3") as db:
        stamps = [stamp for (stamp,) in db.execute("SELECT sent_at FROM copies WHERE sent_at IS NOT NULL")]
    return max(datetime.datetime.fromisoformat(stamp) for stamp in stamps)


def test_a_changed_circular_goes_out_as_a_correction_of_the_copy_each_was_sent(project, server):
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    first = sent_on(project)
    # register times are local, with the offset that makes them unambiguous
    moment = datetime.datetime.fromisoformat(first)
    assert moment.utcoffset() == datetime.datetime.now().astimezone().utcoffset()
    day = f"{moment.year}年{moment.month}月{moment.day}日"  # as the circular writes dates
    change_the_circular(project)

    dry = run(project, "distribute", CIRCULAR, "--no-pdf", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[1] == (
        f"{CIRCULAR}: edition 2 ({dry.stdout.split('edition 2 (')[1][:12]}); edition 1 went to "
        f"{RECIPIENTS} recipients on {last_sent(project).strftime('%Y-%m-%d %H:%M')}: the circular changed since, "
        "so each gets this edition as a correction (更正) replacing its copy"
    )
    assert "warning" not in dry.stderr  # it has a changes: note

    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    assert len(server.messages) == 2 * RECIPIENTS
    [old, new] = [m for m in server.messages if m["To"].addresses[0].addr_spec == COKING_MAIL]
    assert not old["Subject"].startswith("更正")
    assert new["Subject"] == f"更正：{old['Subject']}"
    body = new.get_body(("plain",)).get_content()
    assert (
        f"更正：本件为第2版，替换{day}发送给你单位的第000004号份，原份作废，请以本件为准。\n"
        f"修改内容：{NOTE}\n"
    ) in body
    assert "第000004号份" not in old.get_body(("plain",)).get_content().split("现将")[0]
    copy = f"{RECIPIENTS + 4:06d}"
    assert f"（第{copy}号份）" in body

    # the old copies are moved aside, and the manifest says which edition each folder holds
    assert not (dist(project) / f"000004-{COKING}").exists()
    assert (dist(project) / f"superseded/edition-1/000004-{COKING}/{CIRCULAR}-000004.docx").is_file()
    manifest = json.loads((dist(project) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition_number"] == 2
    assert len(manifest["superseded"]) == RECIPIENTS
    assert {"edition_number": 1, "folder": f"superseded/edition-1/000004-{COKING}"} in manifest["superseded"]
    with (dist(project) / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["edition"] for row in rows} == {"2"}
    assert all(not row["file"].startswith("superseded/") for row in rows)

    # distribution status shows the times as the clerk's clock read them
    status = run(project, "distribution", "status", CIRCULAR)
    line = next(line for line in status.stdout.splitlines() if line.startswith("000004 "))
    assert moment.strftime("%Y-%m-%d %H:%M") in line


def test_an_english_correction_says_so_in_english(project, server):
    circular = "panzhihua-2024-07-en"
    assert run(project, "distribute", circular, "--no-pdf", "--send").exit_code == 0
    source = project / "circulars/2024/panzhihua-2024-07-en.yaml"
    text = source.read_text(encoding="utf-8")
    assert "    due: 2024-09-30\n" in text
    changed = text.replace("    due: 2024-09-30\n", "    due: 2024-10-15\n", 1)
    source.write_text(
        changed + "\nchanges:\n  - date: 2024-04-25\n    note: The deadline of item 4 corrected\n",
        encoding="utf-8",
    )
    result = run(project, "distribute", circular, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    [old, new] = [m for m in server.messages if m["To"].addresses[0].addr_spec == COKING_MAIL]
    assert new["Subject"] == f"Correction: {old['Subject']}"
    body = new.get_body(("plain",)).get_content()
    assert "Correction: this is edition 2, which replaces copy No. 000004 sent to you on " in body
    assert "What changed: The deadline of item 4 corrected\n" in body


def test_a_correction_without_a_changes_note_is_warned_of(project, server):
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    change_the_circular(project, note=None)
    dry = run(project, "distribute", CIRCULAR, "--no-pdf", "--dry-run")
    assert dry.exit_code == 0
    assert "the circular has no `changes:` note, so the correction will not tell recipients" in dry.stderr
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    new = [m for m in server.messages if m["To"].addresses[0].addr_spec == COKING_MAIL][-1]
    body = new.get_body(("plain",)).get_content()
    assert "替换" in body and "修改内容" not in body


def test_a_recipient_never_sent_the_old_edition_gets_no_correction(project, server):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0  # prepared, never sent
    change_the_circular(project)
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    assert "none of it was sent" in result.stdout
    message = server.to(COKING_MAIL)
    assert not message["Subject"].startswith("更正")
    assert "更正" not in message.get_body(("plain",)).get_content()


def test_older_registers_utc_times_are_shown_in_local_time():
    from generator.distribution.register import shown_time

    utc = "2024-04-18T01:30:00+00:00"  # as registers before local times stored them
    local = datetime.datetime(2024, 4, 18, 1, 30, tzinfo=datetime.UTC).astimezone()
    assert shown_time(utc) == local.strftime("%Y-%m-%d %H:%M")
    assert shown_time("2024-04-18T09:30:00+08:00") == (
        datetime.datetime(2024, 4, 18, 1, 30, tzinfo=datetime.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    )
    assert shown_time(None) == ""
