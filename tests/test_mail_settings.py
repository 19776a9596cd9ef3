"""Mail that cannot go wrong quietly: settings that name their own fix, no invented sender,
replies to the circular's contact, who got what as it goes, and `circulars mail test`.
Against a real SMTP server on 127.0.0.1 (aiosmtpd, which offers no STARTTLS)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, run
from mail_server import Collect, start_smtp

CIRCULAR = "panzhihua-2024-07"
RECIPIENTS = 35
SECRETARIAT = "secretariat@panzhihua-ftu.example.org"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


@pytest.fixture
def server(smtp):
    return smtp  # conftest's collecting server


def sent_statuses(project: Path) -> set[str]:
    with sqlite3.connect(project / "register.sqlite3") as db:
        return {status for (status,) in db.execute("SELECT status FROM copies")}


def test_a_server_without_starttls_is_named_with_the_setting_that_fixes_it(project, server, monkeypatch):
    monkeypatch.delenv("CIRCULARS_SMTP_SECURITY")  # the default: starttls; and no login is set
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert "does not accept logins" not in result.stderr
    assert "does not offer STARTTLS" in result.stderr
    assert "CIRCULARS_SMTP_SECURITY=ssl" in result.stderr and "=none" in result.stderr
    assert server.messages == []
    assert sent_statuses(project) == {"prepared"}
    monkeypatch.setenv("CIRCULARS_SMTP_SECURITY", "none")  # the fix the message names
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    assert len(server.messages) == RECIPIENTS


def test_a_login_on_a_server_that_takes_none_names_the_setting(project, server, monkeypatch):
    monkeypatch.setenv("CIRCULARS_SMTP_USER", "secretary")
    result = run(project, "mail", "test")
    assert result.exit_code == 1
    assert "does not accept logins on this connection, and CIRCULARS_SMTP_USER is set" in result.stderr
    assert server.messages == []


def test_no_sender_is_refused_never_invented(project, server, monkeypatch):
    monkeypatch.delenv("CIRCULARS_SMTP_FROM")
    monkeypatch.setenv("CIRCULARS_SMTP_USER", "secretary")  # not an address: no sender either
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert "error: no sender: set CIRCULARS_SMTP_FROM" in result.stderr
    assert "circulars@" not in result.output
    assert server.messages == []
    assert not (project / "dist").exists()  # refused before any copy was made


def test_replies_go_to_the_circulars_contact(project, server):
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    message = server.to("union@geliping-coking.example.org")
    assert message["From"] == SECRETARIAT
    assert message["Reply-To"] == "stationing@panzhihua-ftu.example.org"  # contact.email in the YAML


def test_a_circular_without_a_contact_address_has_no_reply_to(project, server):
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("  email: stationing@panzhihua-ftu.example.org\n", ""), encoding="utf-8")
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    assert server.to("union@geliping-coking.example.org")["Reply-To"] is None


def test_send_says_who_got_what_as_it_goes(project, server):
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == RECIPIENTS
    assert [int(re.match(r"\[(\d+)/35\]", line).group(1)) for line in lines] == list(range(1, 36))
    assert lines[3] == (
        f"[4/35] sent: copy 000004 to 格里坪焦化有限公司工会 <union@geliping-coking.example.org>: "
        f"{CIRCULAR}-000004.docx, geliping-coking-union.xlsx, "
        "attachments/panzhihua-2024-07-problem-list.csv"
    )
    assert {m["To"].addresses[0].addr_spec for m in server.messages} == {
        re.search(r"<([^>]+)>", line).group(1) for line in lines
    }


def test_mail_test_sends_one_message_to_the_secretariat_itself(project, server):
    result = run(project, "mail", "test")
    assert result.exit_code == 0, result.output
    assert f"Sent a test message to {SECRETARIAT} through 127.0.0.1:" in result.stdout
    [message] = server.messages
    assert message["To"] == SECRETARIAT and message["From"] == SECRETARIAT
    assert "circulars mail test" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "127.0.0.1" in body and "(none)" in body  # the settings it used, no login
    assert not (project / "register.sqlite3").exists()  # a test message is no copy


def test_mail_test_without_a_server_says_what_to_set(project, monkeypatch):
    monkeypatch.delenv("CIRCULARS_SMTP_HOST", raising=False)
    result = run(project, "mail", "test")
    assert result.exit_code == 1
    assert "error: no SMTP server: set CIRCULARS_SMTP_HOST" in result.stderr


def test_a_refused_copy_is_marked_in_its_line_and_the_others_go_on(project, monkeypatch):
    handler = Collect(refuse="union@geliping-coking.example.org")
    controller = start_smtp(monkeypatch, handler)
    try:
        result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    finally:
        controller.stop()
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == RECIPIENTS
    assert lines[3].startswith("[4/35] FAILED: copy 000004 to 格里坪焦化有限公司工会 <union@geliping-coking")
    assert sum(line.split("] ")[1].startswith("sent: ") for line in lines) == RECIPIENTS - 1
