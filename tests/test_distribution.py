"""Distribution: numbered, addressed copies, the manifest, the register, email over a real SMTP server."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import docx
import pytest
from aiosmtpd.smtp import AuthResult
from conftest import REPO, run
from docx_reading import JOINER
from mail_server import Collect, start_smtp

from generator.source.loading import load_project

CIRCULAR = "panzhihua-2024-07"
RECIPIENTS = 35  # the stationing team, the district, the park federation, 31 park unions; CC Sichuan
RESPONSIBLE = 33  # all but the district and Sichuan answer for a requirement: each gets a return form


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


def dist(project: Path) -> Path:
    return project / "dist" / CIRCULAR


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register_rows(project: Path, query: str) -> list[tuple]:
    with sqlite3.connect(project / "register.sqlite3") as db:
        return db.execute(query).fetchall()


def statuses(project: Path) -> dict[str, str]:
    return dict(register_rows(project, "SELECT recipient_id, status FROM copies ORDER BY copy_number"))


# --- a real SMTP server on 127.0.0.1 ------------------------------------------------


@pytest.fixture
def smtp(monkeypatch):
    """Start an SMTP server: smtp(handler, password=None) -> handler. Stopped after the test."""
    started = []

    def start(handler: Collect, password: str | None = None) -> Collect:
        options = {}
        if password is not None:

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = auth_data.login == b"secretary" and auth_data.password == password.encode()
                return AuthResult(success=ok, handled=False)  # the server replies 235 or 535

            options = {"auth_required": True, "auth_require_tls": False, "authenticator": authenticator}
        started.append(start_smtp(monkeypatch, handler, **options))
        return handler

    yield start
    for controller in started:
        controller.stop()


# --- copies, manifest, register --------------------------------------------------------


def test_dry_run_lists_who_would_receive_what_and_writes_nothing(project):
    result = run(project, "distribute", CIRCULAR, "--dry-run", "--no-pdf")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith(f"{CIRCULAR}: edition 1 (")  # no register yet: the first edition
    assert lines[2].split()[:5] == ["COPY", "ROLE", "RECIPIENT", "NAME", "EMAIL"]
    rows = lines[3:-1]
    assert len(rows) == RECIPIENTS
    assert rows[0].split()[:3] == ["new", "main", "panzhihua-ftu-stationing-team"]
    assert rows[-1].split()[:4] == ["new", "cc", "sichuan-ftu", "四川省总工会"]
    # every file in full, however long the list: nothing cut with an ellipsis
    assert "…" not in result.stdout
    files = rows[0].split("  ")[-1].strip().split(", ")
    assert files == [
        "panzhihua-2024-07-NNNNNN.docx",
        "panzhihua-ftu-stationing-team.xlsx",
        "attachments/panzhihua-2024-07-problem-list.csv",
    ]
    assert lines[-1] == f"{RECIPIENTS} copies would be made; nothing was written (--dry-run)."
    assert not (project / "dist").exists()
    assert not (project / "register.sqlite3").exists()


def test_each_recipient_gets_a_numbered_addressed_copy(project):
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert (
        f"{RECIPIENTS} copies ({RECIPIENTS - 1} main, 1 CC; {RECIPIENTS} new) in dist/{CIRCULAR}/"
        in result.stdout
    )
    folders = sorted(p.name for p in dist(project).iterdir() if p.is_dir())
    assert folders[0] == "000001-panzhihua-ftu-stationing-team"
    assert folders[3] == "000004-geliping-coking-union"
    assert len(folders) == RECIPIENTS
    copy = dist(project) / folders[3] / f"{CIRCULAR}-000004.docx"
    document = docx.Document(str(copy))
    first = [(p.style.name, p.text.replace(JOINER, "")) for p in document.paragraphs[:4]]
    assert first == [
        ("Copy Number", "000004"),
        ("Addressee", "发：格里坪焦化有限公司工会"),
        ("Organ Mark", "攀枝花市总工会文件"),
        ("Doc Number", "攀工发〔2024〕7号"),
    ]
    assert document.core_properties.identifier.startswith(f"circulars:{CIRCULAR}:")
    assert document.core_properties.identifier.endswith(":000004:geliping-coking-union")
    attachment = dist(project) / folders[3] / "attachments/panzhihua-2024-07-problem-list.csv"
    assert (
        attachment.read_bytes()
        == (REPO / "circulars/2024/attachments/panzhihua-2024-07-problem-list.csv").read_bytes()
    )


def test_manifest_and_checksums_describe_every_file(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    # a BOM first, so that Excel on a Chinese Windows reads it as UTF-8, not GBK
    assert (dist(project) / "manifest.csv").read_bytes().startswith(b"\xef\xbb\xbfcopy_number,")
    with (dist(project) / "manifest.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == RECIPIENTS * 2 + RESPONSIBLE  # the document, the attachment; a return form
    for row in rows:
        path = dist(project) / row["file"]
        assert path.stat().st_size == int(row["size"])
        assert sha256(path) == row["sha256"]
    assert rows[0]["recipient_name"] == "攀枝花市总工会驻格里坪特色产业园区工作组"
    assert {row["role"] for row in rows} == {"main", "cc"}
    manifest = json.loads((dist(project) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["number"] == "攀工发〔2024〕7号"
    assert manifest["edition_number"] == 1
    assert [c["copy_number"] for c in manifest["copies"]] == [f"{n:06d}" for n in range(1, RECIPIENTS + 1)]
    sums = (dist(project) / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    for line in sums:
        digest, name = line.split("  ", 1)
        assert sha256(dist(project) / name) == digest
    assert statuses(project)["geliping-coking-union"] == "prepared"


def test_rerunning_gives_the_same_copies_and_a_new_recipient_the_next_number(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    before = {p.name: sha256(p) for p in dist(project).rglob("*.docx")}
    again = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert again.exit_code == 0
    assert "0 new" in again.stdout and "edition 1" in again.stdout
    assert {p.name: sha256(p) for p in dist(project).rglob("*.docx")} == before
    # a new union joins the park: same edition (the document names the group, not its members)
    organizations = project / "circulars/organizations.yaml"
    organizations.write_text(
        organizations.read_text(encoding="utf-8")
        + "\n  - id: geliping-new-union\n    name: {en: Geliping New Materials Co. Trade Union, zh: 格里坪新材料有限公司工会}\n"
        "    kind: grassroots-union\n    parent: geliping-park-federation\n    email: union@geliping-new.example.org\n",
        encoding="utf-8",
    )
    third = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert third.exit_code == 0, third.output
    assert "1 new" in third.stdout and "edition 1" in third.stdout
    numbers = dict(register_rows(project, "SELECT recipient_id, copy_number FROM copies"))
    assert numbers["geliping-new-union"] == RECIPIENTS + 1
    assert numbers["geliping-coking-union"] == 4


def test_a_changed_circular_is_a_new_edition_with_new_numbers(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("请认真抓好落实。", "请认真抓好落实，按时报送。"),
        encoding="utf-8",
    )
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert f"{CIRCULAR}: edition 2 (" in result.stdout
    assert "the circular changed since edition 1 was prepared on " in result.stdout  # none of it sent
    rows = register_rows(project, "SELECT copy_number FROM copies ORDER BY copy_number")
    assert [r[0] for r in rows] == list(range(1, 2 * RECIPIENTS + 1))  # never reused
    assert (dist(project) / f"{RECIPIENTS + 4:06d}-geliping-coking-union").is_dir()
    assert not (dist(project) / "000004-geliping-coking-union").exists()  # moved aside, kept
    assert (dist(project) / "superseded/edition-1/000004-geliping-coking-union").is_dir()


def test_pdfs_beside_the_copies_when_libreoffice_is_installed(project):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    result = run(project, "distribute", "chemchina-2012-03", "--pdf")
    assert result.exit_code == 0, result.output
    pdfs = sorted((project / "dist/chemchina-2012-03").rglob("*.pdf"))
    copies = sorted((project / "dist/chemchina-2012-03").rglob("*.docx"))
    assert len(pdfs) == len(copies) >= 5
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    first_pdf = {p: sha256(p) for p in pdfs}
    assert run(project, "distribute", "chemchina-2012-03", "--pdf").exit_code == 0
    assert {p: sha256(p) for p in pdfs} == first_pdf  # kept, not made again


def test_interrupted_preparation_resumes_with_the_same_numbers(project, monkeypatch):
    """Killed while writing the eleventh copy's folder: that folder is left half written
    under its temporary name, never under its own, and the next run writes it whole."""
    calls = {"n": 0}
    real = Path.write_bytes

    def crash_after_ten(path, data):
        calls["n"] += 1
        if calls["n"] > 21:  # ten copies (document and attachment each), then one file
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", crash_after_ten)
    interrupted = run(project, "distribute", CIRCULAR, "--no-pdf")  # Ctrl-C, as click reports it
    assert interrupted.exit_code == 1 and "Aborted!" in interrupted.stderr
    monkeypatch.setattr(Path, "write_bytes", real)
    counted = register_rows(project, "SELECT status, COUNT(*) FROM copies GROUP BY status")
    assert counted == [("allocated", RECIPIENTS)]  # numbers were given, nothing half-recorded
    # the copies written before are whole; the one being written is under its temporary name
    staged = [p for p in dist(project).iterdir() if p.name.startswith(".")]
    whole = sorted(p for p in dist(project).iterdir() if not p.name.startswith("."))
    assert [p.name.split("-")[0] for p in whole] == [f"{n:06d}" for n in range(1, len(whole) + 1)]
    assert all(sorted(f.name for f in p.rglob("*.docx")) for p in whole)
    assert [p.name[:8] for p in staged] == [f".{len(whole) + 1:06d}-"] and staged[0].name.endswith(".tmp")
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    assert set(statuses(project).values()) == {"prepared"}
    assert register_rows(project, "SELECT MAX(copy_number) FROM copies") == [(RECIPIENTS,)]
    assert not list(dist(project).rglob("*.tmp"))


def test_copies_written_by_several_processes_are_those_one_writes(project, monkeypatch, tmp_path):
    from generator.distribution import copy_files

    monkeypatch.setattr(copy_files, "MIN_PER_PROCESS", 1)  # processes even for 35 copies
    real, pids = copy_files.write_copy, tmp_path / "pids"

    def noting_the_process(*args):  # inherited by the forked workers
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(*args)

    monkeypatch.setattr(copy_files, "write_copy", noting_the_process)
    for jobs in ("1", "3"):
        if jobs == "3":  # the same form key (it signs the forms' tokens), so the same forms
            shutil.copy(project / "register-j1.sqlite3-forms.key", project / "register-j3.sqlite3-forms.key")
        out = project / f"dist-j{jobs}"
        result = run(
            project,
            "distribute",
            CIRCULAR,
            "--no-pdf",
            "-j",
            jobs,
            "-o",
            str(out),
            "--register",
            str(project / f"register-j{jobs}.sqlite3"),
        )
        assert result.exit_code == 0, result.output
        assert f"{RECIPIENTS} copies" in result.stdout
    writers = set(pids.read_text().split())
    assert len(writers) == 1 + 3  # this process (-j 1, and the first copy of -j 3), three workers
    one, three = project / "dist-j1", project / "dist-j3"
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(three) for p in three.rglob("*") if p.is_file())
    assert len(files) == RECIPIENTS * 2 + RESPONSIBLE + 3  # with manifest.csv, manifest.json, SHA256SUMS
    for name in files:
        assert (one / name).read_bytes() == (three / name).read_bytes(), name
    for jobs in ("1", "3"):
        with sqlite3.connect(project / f"register-j{jobs}.sqlite3") as db:
            assert db.execute("SELECT status, COUNT(*) FROM copies GROUP BY status").fetchall() == [
                ("prepared", RECIPIENTS)
            ]
            assert db.execute("SELECT COUNT(*) FROM files").fetchone() == (RECIPIENTS * 2 + RESPONSIBLE,)


# --- email -------------------------------------------------------------------------------


def test_send_emails_each_recipient_its_copy(project, smtp):
    server = smtp(Collect())
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    assert f"Sent {RECIPIENTS} copies." in result.stdout
    assert len(server.messages) == RECIPIENTS
    message = next(m for m in server.messages if "union@geliping-coking.example.org" in m["To"])
    assert (
        message["Subject"]
        == "攀工发〔2024〕7号 关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知"
    )
    assert message["From"] == "secretariat@panzhihua-ftu.example.org"
    assert "格里坪焦化有限公司工会：" in message.get_body(("plain",)).get_content()
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert set(attached) == {
        f"{CIRCULAR}-000004.docx",
        "geliping-coking-union.xlsx",  # its return form: it answers for requirement 4
        "panzhihua-2024-07-problem-list.csv",
    }
    on_disk = dist(project) / "000004-geliping-coking-union" / f"{CIRCULAR}-000004.docx"
    assert hashlib.sha256(attached[f"{CIRCULAR}-000004.docx"]).hexdigest() == sha256(on_disk)
    assert set(statuses(project).values()) == {"sent"}
    # a second run sends nothing again
    again = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert again.exit_code == 0
    assert f"Sent 0 copies; {RECIPIENTS} already sent before." in again.stdout
    assert len(server.messages) == RECIPIENTS


def test_a_server_failing_midway_then_a_rerun_completes_the_rest(project, smtp):
    failing = smtp(Collect(fail_after=10))
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert len(failing.messages) == 10
    assert f"error: {CIRCULAR}: copy 000011 to " in result.stderr
    assert "451 4.3.0 Mail server temporarily unavailable (after 2 attempts)" in result.stderr
    counted = dict(register_rows(project, "SELECT status, COUNT(*) FROM copies GROUP BY status"))
    assert counted == {"sent": 10, "failed": RECIPIENTS - 10}
    healthy = smtp(Collect())
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 0, result.output
    assert len(healthy.messages) == RECIPIENTS - 10
    first = {m["To"] for m in failing.messages}
    second = {m["To"] for m in healthy.messages}
    assert not first & second  # never twice to the same recipient
    assert len(first | second) == RECIPIENTS


def test_a_refused_recipient_is_reported_and_the_others_are_sent(project, smtp):
    server = smtp(Collect(refuse="union@geliping-coking.example.org"))
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert (
        f"error: {CIRCULAR}: copy 000004 to 格里坪焦化有限公司工会 (geliping-coking-union) failed: "
        "recipient refused: 550 5.1.1 No such mailbox"
    ) in result.stderr
    assert len(server.messages) == RECIPIENTS - 1
    assert statuses(project)["geliping-coking-union"] == "failed"


def test_a_refused_login_stops_before_anything_is_sent(project, smtp, monkeypatch):
    server = smtp(Collect(), password="right")
    monkeypatch.setenv("CIRCULARS_SMTP_USER", "secretary")
    monkeypatch.setenv("CIRCULARS_SMTP_PASSWORD", "wrong")
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert "error: the SMTP server 127.0.0.1 refused the login of 'secretary': 535" in result.stderr
    assert server.messages == []
    assert set(statuses(project).values()) == {"prepared"}  # the copies are made and kept
    monkeypatch.setenv("CIRCULARS_SMTP_PASSWORD", "right")
    assert run(project, "distribute", CIRCULAR, "--no-pdf", "--send").exit_code == 0
    assert len(server.messages) == RECIPIENTS


def test_no_contact_address_stops_before_sending(project, smtp):
    server = smtp(Collect())
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    assert "    email: union@geliping-coking.example.org\n" in text
    organizations.write_text(
        text.replace("    email: union@geliping-coking.example.org\n", ""), encoding="utf-8"
    )
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert (
        f"error: {CIRCULAR}: no contact address in the registry for: 格里坪焦化有限公司工会 (geliping-coking-union)"
    ) in result.stderr
    assert server.messages == []


def test_an_interrupted_send_is_not_repeated_unless_asked(project, smtp):
    server = smtp(Collect())
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    with sqlite3.connect(project / "register.sqlite3") as db:  # as if killed during the SMTP transaction
        db.execute("UPDATE copies SET status = 'sending' WHERE recipient_id = 'geliping-coking-union'")
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert "copy 000004 to geliping-coking-union was being sent when a run stopped" in result.stderr
    assert len(server.messages) == RECIPIENTS - 1
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send", "--resend-unconfirmed")
    assert result.exit_code == 0
    assert len(server.messages) == RECIPIENTS


def test_no_smtp_settings(project, monkeypatch):
    monkeypatch.delenv("CIRCULARS_SMTP_HOST", raising=False)
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send")
    assert result.exit_code == 1
    assert "error: no SMTP server: set CIRCULARS_SMTP_HOST" in result.stderr


# --- bad input -----------------------------------------------------------------------------


def test_a_selector_matching_nothing(project):
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("to:\n", "to:\n  - {all_under: geliping-park-federation, kind: department}\n", 1),
        encoding="utf-8",
    )
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 1
    assert (
        f"error: {CIRCULAR}: the main recipient {{all_under: geliping-park-federation, kind: department}} "
        "matches no organization in the registry"
    ) in result.stderr
    assert not (project / "dist").exists()


def test_a_missing_attachment_stops_before_anything_is_made(project):
    (project / "circulars/2024/attachments/panzhihua-2024-07-problem-list.csv").unlink()
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 1
    assert (
        "circulars/2024/panzhihua-2024-07.yaml:92:11: error: attachment file "
        "'attachments/panzhihua-2024-07-problem-list.csv' not found"
    ) in result.stderr.splitlines()
    assert not (project / "dist").exists() and not (project / "register.sqlite3").exists()


def test_an_unwritable_output_folder(project):
    blocker = project / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "-o", str(blocker / "out"))
    assert result.exit_code == 1
    assert f"error: {CIRCULAR}: cannot write " in result.stderr


def test_drafts_are_not_distributed(project):
    assert run(project, "distribute", "sichuan-2022-05", "--no-pdf").exit_code == 1


# --- status, receipts, verification ---------------------------------------------------------


def test_status_ack_and_verify(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    ack = run(project, "distribution", "ack", CIRCULAR, "geliping-coking-union")
    assert ack.exit_code == 0
    assert ack.stdout.strip() == f"{CIRCULAR}: copy 000004 acknowledged by geliping-coking-union."
    status = run(project, "distribution", "status", CIRCULAR)
    assert status.exit_code == 0
    row = next(line for line in status.stdout.splitlines() if line.startswith("000004"))
    assert row.split()[:6] == [
        "000004",
        "geliping-coking-union",
        "格里坪焦化有限公司工会",
        "main",
        "1",
        "acknowledged",
    ]
    records = json.loads(run(project, "distribution", "status", CIRCULAR, "--json").stdout)
    assert len(records) == RECIPIENTS and records[3]["acknowledged_at"]
    assert run(project, "distribution", "ack", CIRCULAR, "nobody").exit_code == 1

    copy = dist(project) / "000004-geliping-coking-union" / f"{CIRCULAR}-000004.docx"
    verified = run(project, "verify", str(copy))
    assert verified.exit_code == 0
    assert verified.stdout.splitlines()[0].endswith(
        f"circular {CIRCULAR}, copy 000004 for 格里坪焦化有限公司工会 (geliping-coking-union)"
    )
    assert "its bytes match the register" in verified.stdout
    tampered = project / "tampered.docx"
    tampered.write_bytes(copy.read_bytes() + b"\0")
    assert run(project, "verify", str(tampered)).exit_code == 1
    plain = load_project(project)  # a built document is not a distributed copy
    assert plain.circulars
    assert run(project, "build", CIRCULAR).exit_code == 0
    result = run(project, "verify", str(project / f"build/docx/{CIRCULAR}.docx"))
    assert result.exit_code == 1
    assert "not a distributed copy" in result.stderr
