"""Shared fixtures: a small project on disk, and running the CLI the way users do."""

from __future__ import annotations

import os
import shutil
import socket
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.i18n import use_language
from generator.site.outputs import MARKER

# The suite reads the messages in English, whatever the locale of the machine running it
# (a clerk's LANG=zh_CN.UTF-8 would otherwise translate them); tests/test_i18n.py sets
# the language it tests. The commands the tests start inherit it.
os.environ["CIRCULARS_LANG"] = "en"
# Builds keep no LibreOffice running after them (docx/resident.py), but for the tests of
# that: a suite of builds in temporary folders would leave one for each.
os.environ["CIRCULARS_KEEP_LIBREOFFICE"] = "0"


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that ran the command in another language leaves the messages in English."""
    yield
    use_language(None)


REPO = Path(__file__).resolve().parent.parent

ORGANIZATIONS = """\
organizations:
  - id: sichuan-ftu
    name: {en: Sichuan Federation of Trade Unions, zh: 四川省总工会}
    short: {en: Sichuan FTU, zh: 省总工会}
    kind: provincial-federation
    prefix: {zh: 川工发, en: Sichuan FTU}
    email: office@sichuan-ftu.example.org
  - id: panzhihua-ftu
    name: {en: Panzhihua Federation of Trade Unions, zh: 攀枝花市总工会}
    kind: municipal-federation
    parent: sichuan-ftu
    prefix: {zh: 攀工发, en: Panzhihua FTU}
    email: office@panzhihua-ftu.example.org
  - id: geliping-park
    name: {en: Geliping Park Trade Union Federation, zh: 格里坪特色产业园区工会联合会}
    kind: park-federation
    parent: panzhihua-ftu
  - id: coking-union
    name: {en: Geliping Coking Co. Trade Union, zh: 格里坪焦化有限公司工会}
    kind: grassroots-union
    parent: geliping-park
    email: union@coking.example.org
"""

PEOPLE = """\
people:
  - id: huang-wuming
    name: {en: Huang Wuming, zh: 黄武明}
    roles:
      - {org: panzhihua-ftu, title: {en: Vice Chairman, zh: 副主席}, rank: 2}
"""

CIRCULAR = """\
id: {id}
kind: notice
language: zh
status: issued
title: 关于驻点干部做到“四个要”的通知
issuer: panzhihua-ftu
number: {number}
date: 2024-04-18
signatory: huang-wuming
to:
  - geliping-park
requirements:
  - key: 找准问题
    text: 驻点干部到位后要迅速深入职工群众。
    deadline: 2024-09-30
"""


def circular_yaml(circular_id: str = "panzhihua-2024-07", number: int = 7) -> str:
    return CIRCULAR.replace("{id}", circular_id).replace("{number}", str(number))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project with one circular, at tmp_path."""
    data = tmp_path / "circulars"
    (data / "2024").mkdir(parents=True)
    (data / "organizations.yaml").write_text(ORGANIZATIONS, encoding="utf-8")
    (data / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    (data / "2024" / "panzhihua-2024-07.yaml").write_text(circular_yaml(), encoding="utf-8")
    return tmp_path


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def add_site(project: Path) -> Path:
    """Give a test project the example site: mkdocs.yml and site/."""
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "site", project / "site")
    return project


HOSTILE_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def copy_examples(project: Path) -> Path:
    """The shipped examples, site and templates copied into `project`."""
    for name in ("circulars", "site", "templates", "mkdocs.yml"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, project / name)
    return project


def retitle(project: Path, title: str) -> None:
    """Give the test project's circular another title (quoted as YAML)."""
    path = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title: 关于驻点干部做到“四个要”的通知", f"title: '{title}'"), encoding="utf-8"
    )


def run(root: Path, *args: str):
    """Run the CLI in-process against the project at root; never lets an exception pass."""
    result = CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def site_folders_beside(build: Path, seconds: float = 10) -> list[str]:
    """The .site-* folders in build/ once the old site is gone: a process of its own
    removes it after the build (outputs.remove_ours_later), the marker last."""
    deadline = time.monotonic() + seconds
    while any((folder / MARKER).exists() for folder in build.glob(".site-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(folder.name for folder in build.glob(".site-*"))


def problems(result) -> list[str]:
    """The lines `circulars check` printed, less the summary it prints when it found nothing
    (test_check_errors.py tests the summary itself)."""
    lines = result.stdout.splitlines()
    if lines and lines[-1].endswith(" checked: no problems"):
        assert result.exit_code == 0 and len(lines) == 1
        return []
    return lines


def fake_pdfs(documents: list[Path], out: Path) -> None:
    """What the tests' stand-in for LibreOffice writes: each document 'converted' into out
    as b'%PDF ' + its bytes."""
    out.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (out / f"{document.stem}.pdf").write_bytes(b"%PDF " + document.read_bytes())


def numbered_documents(folder: Path, *names: str) -> dict[str, tuple[Path, str]]:
    """Word documents for the PDF step, {name: (path, a SHA-256 of its own)}."""
    found = {}
    for n, name in enumerate(names):
        path = folder / f"{name}.docx"
        path.write_bytes(f"document {name}".encode())
        found[name] = (path, f"{n + 1:064x}")
    return found


EXAMPLE_SITE_URL = "https://circulars.example.org/"


@pytest.fixture(scope="session", autouse=True)
def shared_pdf_cache(tmp_path_factory):
    """One cache of the site's PDFs for every build of the session (generator/site/pdfs.py):
    LibreOffice converts each distinct Word document once, not once per test project."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_PDF_CACHE", str(tmp_path_factory.mktemp("pdf-cache")))
        yield


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The shipped examples built once for the session, strictly, as of 2024-06-01;
    returns the build folder (site/ and docx/ in it). Tests must not change it."""
    out = tmp_path_factory.mktemp("example-build")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", "2024-06-01")
        result = run(REPO, "build", "-o", str(out), "--strict", "--site-url", EXAMPLE_SITE_URL)
    assert result.exit_code == 0, result.output
    return out


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server that keeps what it is sent (its .messages), with CIRCULARS_SMTP_*
    pointing at it; stopped after the test. Modules needing other servers define their own."""
    from mail_server import Collect, start_smtp  # lazily: mail_server imports this module

    handler = Collect()
    controller = start_smtp(monkeypatch, handler)
    yield handler
    controller.stop()
