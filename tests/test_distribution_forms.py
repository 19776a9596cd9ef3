"""Return forms in the distribution: in each responsible recipient's bundle, in the manifest,
attached to its email with a cover note saying how to return it, the same bytes in every run,
verifiable, and importable once filled in."""

from __future__ import annotations

import csv
import email
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, run

from generator.distribution.returns.forms import questions_digest
from generator.source.loading import load_project
from generator.source.returns import obligations

CIRCULAR = "panzhihua-2024-07"
COKING = "geliping-coking-union"  # answers for requirement 4 (due 2024-09-30)
TEAM = "panzhihua-ftu-stationing-team"  # answers for 1 (due 2024-04-30), 2.1, 2.2, 3 and 4
NO_FORM = ("panzhihua-west-ftu", "sichuan-ftu")  # a main recipient and the CC with nothing to report
RECIPIENTS, RESPONSIBLE = 35, 33
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]  # as the `circulars` command


@pytest.fixture
def example(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the example project, on 25 September 2024."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-09-25")
    monkeypatch.delenv("CIRCULARS_REGISTER", raising=False)
    return tmp_path


def dist(project: Path, circular: str = CIRCULAR) -> Path:
    return project / "dist" / circular


def folder(project: Path, org: str, circular: str = CIRCULAR) -> Path:
    [found] = [p for p in dist(project, circular).iterdir() if p.is_dir() and p.name.endswith(f"-{org}")]
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def distribute(project: Path, *args: str, circular: str = CIRCULAR):
    result = run(project, "distribute", circular, "--no-pdf", *args)
    assert result.exit_code == 0, result.output
    return result


def register_files(project: Path) -> list[tuple]:
    with sqlite3.connect(project / "register.sqlite3") as db:
        return db.execute("SELECT copy_number, path, size, sha256 FROM files ORDER BY 1, 2").fetchall()


# --- a real SMTP server on 127.0.0.1 ------------------------------------------------


def body(message: email.message.EmailMessage) -> str:
    return " ".join(message.get_body(("plain",)).get_content().split())


def attachments(message: email.message.EmailMessage) -> dict[str, tuple[str, bytes]]:
    return {p.get_filename(): (p.get_content_type(), p.get_content()) for p in message.iter_attachments()}


# --- the bundle and the manifest ------------------------------------------------------


def test_each_responsible_recipient_finds_its_own_form_in_its_bundle_and_the_manifest(example):
    distribute(example)
    form = folder(example, COKING) / f"{COKING}.xlsx"
    sheet = openpyxl.load_workbook(form).worksheets[0]
    assert sheet["A2"].value == "填报单位：格里坪焦化有限公司工会"
    assert [sheet.cell(row, 1).value for row in range(6, sheet.max_row + 1)] == ["4"]
    for org in NO_FORM:
        assert not list(folder(example, org).glob("*.xlsx"))
    # the same form `returns forms` makes for the organization
    assert run(example, "returns", "forms", CIRCULAR, "-o", "forms", "--org", COKING).exit_code == 0
    assert form.read_bytes() == (example / "forms" / f"{COKING}.xlsx").read_bytes()

    manifest = json.loads((dist(example) / "manifest.json").read_text(encoding="utf-8"))
    copies = {c["recipient_id"]: c for c in manifest["copies"]}
    assert sum(1 for c in copies.values() if c["return_form"]) == RESPONSIBLE
    coking = copies[COKING]
    assert (coking["return_form"], coking["return_by"]) == (f"{COKING}.xlsx", "2024-09-30")
    assert copies[TEAM]["return_by"] == "2024-04-30"  # the earliest of its deadlines
    assert [f["path"] for f in coking["files"]] == [
        f"{CIRCULAR}-000004.docx",
        f"{COKING}.xlsx",
        "attachments/panzhihua-2024-07-problem-list.csv",
    ]
    listed = coking["files"][1]
    assert (listed["size"], listed["sha256"]) == (len(form.read_bytes()), sha256(form.read_bytes()))
    for org in NO_FORM:
        assert (copies[org]["return_form"], copies[org]["return_by"]) == (None, None)
        assert not [f for f in copies[org]["files"] if f["path"].endswith(".xlsx")]
    # the form says which edition it was made for: the distribution's
    identity = {r[0]: r[1] for r in openpyxl.load_workbook(form)["circulars"].iter_rows(values_only=True)}
    assert identity["edition"] == manifest["edition"]

    with (dist(example) / "manifest.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"].endswith(".xlsx")]
    assert len(rows) == RESPONSIBLE
    row = next(r for r in rows if r["recipient_id"] == COKING)
    assert row["file"] == f"000004-{COKING}/{COKING}.xlsx" and row["sha256"] == listed["sha256"]
    sums = (dist(example) / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{listed['sha256']}  000004-{COKING}/{COKING}.xlsx\n" in sums
    checked = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=dist(example))
    assert checked.returncode == 0

    dry = run(example, "distribute", CIRCULAR, "--no-pdf", "--dry-run")
    row = next(line for line in dry.stdout.splitlines() if f" {COKING} " in line)
    assert f"{COKING}.xlsx" in row


def test_every_form_names_its_own_organization_even_a_hostile_name(example):
    """Forms of organizations answering for the same items share one template: each must
    still carry its own name, id and questions, whatever characters the name holds."""
    hostile = '焦化 <b>&amp; "引号" \U0001f600 ]]> 工会'
    organizations = example / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    organizations.write_text(
        text.replace("zh: 格里坪焦化有限公司工会", 'zh: "焦化 <b>&amp; \\"引号\\" \\U0001F600 ]]> 工会"'),
        encoding="utf-8",
    )
    distribute(example)
    project = load_project(example)
    owed = obligations(project.registry, project.source(CIRCULAR).circular)
    seen = set()
    for path in sorted(dist(example).rglob("*.xlsx")):
        org = path.stem
        assert path.parent.name.endswith(f"-{org}")
        workbook = openpyxl.load_workbook(path)
        assert workbook.worksheets[0]["A2"].value == f"填报单位：{project.registry.name(org, 'zh')}"
        identity = {r[0]: r[1] for r in workbook["circulars"].iter_rows(values_only=True)}
        assert identity["organization"] == org
        circular = project.source(CIRCULAR).circular
        assert identity["questions"] == questions_digest(circular, org, owed[org])
        assert workbook.properties.identifier.endswith(f":{org}")
        seen.add(org)
    assert seen == set(owed) and len(seen) == RESPONSIBLE
    form = openpyxl.load_workbook(folder(example, COKING) / f"{COKING}.xlsx")
    assert form.worksheets[0]["A2"].value == f"填报单位：{hostile}"


def test_a_rerun_in_another_process_writes_the_same_forms_and_the_register_sees_no_change(example):
    distribute(example)
    forms = {p: p.read_bytes() for p in dist(example).rglob("*.xlsx")}
    assert len(forms) == RESPONSIBLE
    recorded = register_files(example)
    manifest = (dist(example) / "manifest.json").read_bytes()
    # another interpreter (another hash seed, another clock reading) rewrites every file
    again = subprocess.run(
        [*CLI, "-C", str(example), "distribute", CIRCULAR, "--no-pdf"], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stdout and "edition 1" in again.stdout
    assert {p: p.read_bytes() for p in dist(example).rglob("*.xlsx")} == forms
    assert register_files(example) == recorded
    assert (dist(example) / "manifest.json").read_bytes() == manifest


def test_an_interrupted_preparation_while_writing_forms_resumes_cleanly(example, monkeypatch):
    real = Path.write_bytes
    written = []

    def crash_at_the_fifth_form(path, data):
        if path.suffix == ".xlsx":
            if len(written) == 4:
                raise KeyboardInterrupt
            written.append(path)
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", crash_at_the_fifth_form)
    interrupted = run(example, "distribute", CIRCULAR, "--no-pdf")
    assert interrupted.exit_code == 1 and "Aborted!" in interrupted.stderr
    monkeypatch.setattr(Path, "write_bytes", real)
    distribute(example)
    with sqlite3.connect(example / "register.sqlite3") as db:
        assert db.execute("SELECT DISTINCT status FROM copies").fetchall() == [("prepared",)]
    assert len([f for f in register_files(example) if f[1].endswith(".xlsx")]) == RESPONSIBLE
    assert not list(dist(example).rglob("*.tmp"))


def test_an_organization_that_answers_but_receives_no_copy_is_named(example):
    """Sichuan FTU issues the circular and answers for a requirement itself."""
    result = distribute(example, circular="sichuan-2024-12")
    assert (
        "warning: sichuan-2024-12: sichuan-ftu answers for requirements but is not among the "
        "recipients, so no return form went out to it; "
        "`circulars returns forms sichuan-2024-12 --org ORG` makes one"
    ) in result.stderr.splitlines()
    assert not list(dist(example, "sichuan-2024-12").glob("*-sichuan-ftu"))
    assert "warning" not in distribute(example).stderr  # everyone who answers receives a copy


def test_a_recipient_that_no_longer_answers_for_anything_loses_its_form(project):
    """The same edition (the document names the group, not its members), but the union
    moved out of the park: it is still a recipient, and no longer responsible."""
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8").replace("to:\n  - geliping-park\n", "to:\n  - coking-union\n")
    source.write_text(
        text.replace(
            "    deadline: 2024-09-30\n",
            "    deadline: 2024-09-30\n    responsible:\n"
            "      - {children_of: geliping-park, kind: grassroots-union, label: 园区各企业工会}\n",
        ),
        encoding="utf-8",
    )
    distribute(project)
    form = folder(project, "coking-union") / "coking-union.xlsx"
    assert form.is_file()
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    moved = text.replace(
        "    kind: grassroots-union\n    parent: geliping-park\n",
        "    kind: grassroots-union\n    parent: panzhihua-ftu\n",
    )
    assert moved != text
    organizations.write_text(moved, encoding="utf-8")
    again = distribute(project)
    assert "edition 1" in again.stdout and "0 new" in again.stdout
    assert not form.exists()
    manifest = json.loads((dist(project) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["copies"][0]["return_form"] is None
    assert [f["path"] for f in manifest["copies"][0]["files"]] == [f"{CIRCULAR}-000001.docx"]
    assert [f[1] for f in register_files(project)] == [f"{CIRCULAR}-000001.docx"]


# --- the email -------------------------------------------------------------------------


def test_the_email_carries_the_form_and_says_how_by_when_and_to_whom_to_return_it(example, smtp):
    distribute(example, "--send")
    assert len(smtp.messages) == RECIPIENTS
    message = smtp.to("union@geliping-coking.example.org")
    attached = attachments(message)
    form = (folder(example, COKING) / f"{COKING}.xlsx").read_bytes()
    assert attached[f"{COKING}.xlsx"] == (XLSX, form)
    text = body(message)
    assert (
        f"请你单位填写附件中的进展情况填报表（{COKING}.xlsx，只填F至J列，请勿移动行或列），"
        "于2024年9月30日前发送至市总工会基层工作部（stationing@panzhihua-ftu.example.org）。"
    ) in text
    assert f"{COKING}.xlsx {sha256(form)}" in text  # listed with the other files
    team = body(smtp.to("stationing@panzhihua-ftu.example.org"))
    assert "于2024年4月30日前发送至" in team
    for address in ("office@west-district-ftu.example.org", "office@sichuan-ftu.example.org"):
        message = smtp.to(address)
        assert not [name for name in attachments(message) if name.endswith(".xlsx")]
        assert "填报表" not in body(message) and "报送" not in body(message)


def test_the_english_cover_note(example, smtp):
    distribute(example, "--send", circular=f"{CIRCULAR}-en")
    message = smtp.to("office@geliping-park-federation.example.org")
    assert attachments(message)["geliping-park-federation.xlsx"][0] == XLSX
    assert (
        "Please report your organization's progress on the attached return form, "
        "geliping-park-federation.xlsx: fill in columns F to J (do not move rows or columns) and send "
        "it to Grassroots Work Department, Panzhihua Federation of Trade Unions at "
        "stationing@panzhihua-ftu.example.org no later than 30 September 2024."
    ) in body(message)
    assert "return form" not in body(smtp.to("office@sichuan-ftu.example.org"))


def _coking_reports(project: Path) -> None:
    """The small project: the coking union receives the circular and answers for its requirement."""
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8").replace("to:\n  - geliping-park\n", "to:\n  - coking-union\n")
    source.write_text(text + "    responsible: [coking-union]\n", encoding="utf-8")


def test_without_a_contact_email_forms_go_to_the_issuer_or_in_reply(project, smtp):
    _coking_reports(project)
    distribute(project, "--send")
    assert "发送至攀枝花市总工会（office@panzhihua-ftu.example.org）。" in body(smtp.messages[0])
    # no address for the issuer either: back to the sender, in reply
    organizations = project / "circulars/organizations.yaml"
    organizations.write_text(
        organizations.read_text(encoding="utf-8").replace(
            "    email: office@panzhihua-ftu.example.org\n", ""
        ),
        encoding="utf-8",
    )
    shutil.rmtree(project / "dist")
    (project / "register.sqlite3").unlink()
    distribute(project, "--send")
    assert "于2024年9月30日前直接回复本邮件报送攀枝花市总工会。" in body(smtp.messages[1])


# --- verify, and back in -----------------------------------------------------------------


def _rewrite(source: Path, target: Path, part: str, change) -> Path:
    """The same workbook with one part changed, as someone editing the zip by hand would."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == part else data)
    return target


def test_verify_accepts_a_bundled_form_and_detects_a_tampered_one(example):
    distribute(example)
    form = folder(example, COKING) / f"{COKING}.xlsx"
    verified = run(example, "verify", str(form))
    assert verified.exit_code == 0, verified.output
    lines = verified.stdout.splitlines()
    assert lines[0] == (
        f"{form}: return form of circular {CIRCULAR} for 格里坪焦化有限公司工会 ({COKING}), in copy 000004"
    )
    assert lines[1].startswith("  edition 1 (") and "its bytes match the register" in lines[2]
    copy = folder(example, COKING) / f"{CIRCULAR}-000004.docx"
    assert run(example, "verify", str(copy)).exit_code == 0  # the copy beside it still verifies

    # a deadline pushed back inside the sheet: the identity is intact, the bytes are not
    assert b"<v>45565</v>" in zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    tampered = _rewrite(
        form,
        example / "tampered.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>45565</v>", b"<v>45600</v>"),  # 2024-09-30 as an Excel serial date
    )
    assert tampered.read_bytes() != form.read_bytes()
    result = run(example, "verify", str(tampered))
    assert result.exit_code == 1
    assert "its bytes do NOT match the register" in result.stderr

    # a form for an edition never distributed here
    other = _rewrite(
        form,
        example / "other.xlsx",
        "docProps/core.xml",
        lambda xml: xml.replace(f"{CIRCULAR}:".encode(), f"{CIRCULAR}:0000".encode(), 1),
    )
    result = run(example, "verify", str(other))
    assert result.exit_code == 1
    assert "not in the register: this form was not distributed here" in result.stderr


def test_a_form_taken_from_a_bundle_filled_in_and_returned_is_imported_and_shows_in_the_status(example):
    distribute(example)
    workbook = openpyxl.load_workbook(folder(example, COKING) / f"{COKING}.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet["A6"].value == "4"
    sheet["F6"], sheet["G6"], sheet["H6"] = "已完成", "12次", "2024-09-20"
    sheet["I6"], sheet["J6"] = "已开展政策宣传和维权咨询服务", "李四"
    returned = example / "inbox" / f"{COKING}.xlsx"
    returned.parent.mkdir()
    buffer = io.BytesIO()
    workbook.save(buffer)  # what the union sends back: its own save, its own bytes
    returned.write_bytes(buffer.getvalue())

    imported = run(example, "returns", "import", str(returned))
    assert imported.exit_code == 0, imported.output
    assert f"recorded 1 answer of {COKING} on {CIRCULAR}" in imported.stdout
    status = run(example, "returns", "status", CIRCULAR, "--json")
    assert status.exit_code == 0, status.output
    [row] = [i for i in json.loads(status.stdout)["items"] if i["organization"] == COKING]
    assert (row["status"], row["value"], row["date"], row["who"]) == ("done", "12次", "2024-09-20", "李四")
    assert row["source"] == f"{COKING}.xlsx"
    table = run(example, "returns", "status", CIRCULAR).stdout
    words = next(line for line in table.splitlines() if f" {COKING} " in line).split()
    assert words[words.index("已完成") :][:3] == ["已完成", "12次", "2024-09-20"]  # status, value, date
    # the form in the bundle is untouched, and still verifies
    assert run(example, "verify", str(folder(example, COKING) / f"{COKING}.xlsx")).exit_code == 0
