"""`distribute --with-redline`: a corrected edition's copies carry its redline, recorded
in the manifest and the register; each edition sent is kept under editions/."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run
from lxml import etree

from generator.docx.package import read_parts

CIRCULAR = "panzhihua-2024-07"
REDLINE = f"{CIRCULAR}-changes-edition-2.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


def change_the_circular(project: Path) -> None:
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8").replace("请认真抓好落实。", "请认真抓好落实，按时报送。")
    source.write_text(text + "\nchanges:\n  - date: 2024-04-25\n    note: 补充报送要求\n", encoding="utf-8")


def test_a_corrected_edition_goes_out_with_its_redline(project):
    first = run(project, "distribute", CIRCULAR, "--no-pdf", "--with-redline")
    assert first.exit_code == 0, first.output
    kept = project / "editions" / CIRCULAR / "2024-04-18.yaml"
    assert kept.read_bytes() == (project / "circulars/2024/panzhihua-2024-07.yaml").read_bytes()
    out = project / "dist" / CIRCULAR
    assert not list(out.rglob("*changes*"))  # a first edition: nothing to compare with
    assert "warning" not in first.stderr

    change_the_circular(project)
    second = run(project, "distribute", CIRCULAR, "--no-pdf", "--with-redline")
    assert second.exit_code == 0, second.output
    assert (project / "editions" / CIRCULAR / "2024-04-25.yaml").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition_number"] == 2
    folders = [copy["folder"] for copy in manifest["copies"]]
    assert folders
    redlines = {(out / folder / REDLINE).read_bytes() for folder in folders}
    assert len(redlines) == 1  # the same redline beside every copy
    for copy in manifest["copies"]:
        assert REDLINE in [f["path"] for f in copy["files"]]
    with sqlite3.connect(project / "register.sqlite3") as db:
        recorded = db.execute("SELECT COUNT(*) FROM files WHERE path = ?", (REDLINE,)).fetchone()[0]
        editions = db.execute(
            "SELECT DISTINCT e.number FROM copies c JOIN editions e"
            " ON e.circular_id = c.circular_id AND e.edition = c.edition WHERE c.status != 'allocated'"
            " AND c.copy_number IN (SELECT copy_number FROM files WHERE path = ?)",
            (REDLINE,),
        ).fetchall()
    assert recorded == len(folders) and editions == [(2,)]
    assert f"{REDLINE}" in (out / "SHA256SUMS").read_text(encoding="utf-8")

    document = etree.fromstring(read_parts(out / folders[0] / REDLINE)["word/document.xml"])
    assert "，按时报送" in "".join(document.xpath("//w:ins//w:t/text()", namespaces=NS))
    redline = out / folders[0] / REDLINE
    accepted = subprocess.run(
        ["pandoc", "--track-changes=accept", "-t", "plain", str(redline)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "请认真抓好落实，按时报送。" in accepted.stdout.replace("\n", "")

    status = run(project, "distribution", "status", CIRCULAR, "--json")
    assert status.exit_code == 0
    by_recipient: dict[str, set[int]] = {}
    for copy in json.loads(status.stdout):
        by_recipient.setdefault(copy["recipient_id"], set()).add(copy["edition"])
    # every union is recorded with each edition it was given: 1, then 2
    assert by_recipient and all(editions == {1, 2} for editions in by_recipient.values())


def test_without_the_flag_no_redline_is_made(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    change_the_circular(project)
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    assert not list((project / "dist" / CIRCULAR).rglob("*changes*"))


def test_nothing_kept_to_compare_with_is_said(project):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    shutil.rmtree(project / "editions")
    change_the_circular(project)
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--with-redline")
    assert result.exit_code == 0, result.output
    assert "no redline" in result.stderr and f"keep-edition {CIRCULAR}" in result.stderr
    assert not list((project / "dist" / CIRCULAR).rglob("*changes*"))
