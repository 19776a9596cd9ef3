"""Returns that survive corrected editions and translations; reminders that cannot blow up."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run
from mail_server import Collect, start_smtp

CIRCULAR = "panzhihua-2024-07"
ENGLISH = f"{CIRCULAR}-en"
PARK = "geliping-park-federation"  # answers for 2.1, 2.2, 3 and 4
COKING = "geliping-coking-union"  # answers for 4 only
TODAY = "2024-09-25"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the example project, on 25 September 2024."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    monkeypatch.setenv("CIRCULARS_TODAY", TODAY)
    monkeypatch.delenv("CIRCULARS_REGISTER", raising=False)
    return tmp_path


@pytest.fixture
def smtp(monkeypatch):
    handler = Collect()
    controller = start_smtp(monkeypatch, handler)
    yield handler
    controller.stop()


def circulars(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The command in a process of its own: its exit code is the one a shell sees."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | env,
    )


# --- reminders that cannot blow up -------------------------------------------------------------


def test_a_horizon_past_the_last_date_is_a_message_not_a_traceback(project):
    huge = circulars(project, "remind", CIRCULAR, "--days", "99999999999")
    assert huge.returncode == 2, huge.stderr
    assert "Invalid value for '--days': 99999999999 is not in the range 0<=x<=36500" in huge.stderr
    assert "Traceback" not in huge.stderr

    far = circulars(project, "remind", CIRCULAR, CIRCULARS_TODAY="9999-12-31")
    assert far.returncode == 1, far.stderr
    assert "Traceback" not in far.stderr
    assert f"error: {CIRCULAR}: 7 days after 9999-12-31 is past the last date there is (9999-12-31)" in (
        far.stderr
    )
    # the largest horizon allowed still works on a real today, and finds every item due
    widest = circulars(project, "remind", CIRCULAR, "--days", "36500")
    assert widest.returncode == 0, widest.stderr
    assert "33 organizations with items overdue or due within 36500 days" in widest.stdout


def test_a_template_that_fails_for_one_organization_sends_nothing(project, smtp):
    (project / "templates").mkdir()
    template = (REPO / "templates" / "reminder.txt.j2").read_text(encoding="utf-8")
    # the coking union comes late in the circular's order: 31 reminders would have gone before it
    broken = template.replace(
        "{{ recipient }}：", "{{ recipient }}：{{ (1 / 0) if recipient == '格里坪焦化有限公司工会' else '' }}"
    )
    assert broken != template
    (project / "templates" / "reminder.txt.j2").write_text(broken, encoding="utf-8")
    result = circulars(project, "remind", CIRCULAR, "--send")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "reminder.txt.j2:3: template error: division by zero; nothing was sent" in result.stderr
    assert smtp.messages == []
    with sqlite3.connect(project / "register.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 0
