"""Issue 24: `circulars build` on a kept site starts LibreOffice before it looks for a
change and reads the project, with the profile kept beside the Word documents, and
hands the run that converts the edited documents to it (of a two-second run for one
document, LibreOffice's start is one and a half). Checked on the real LibreOffice:
the run goes to the process started ahead, which ends after it; the process never
outlives the block, nor a build that is killed, nor a build that finds nothing
changed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO, add_site, fake_pdfs, numbered_documents, retitle, run
from libreoffice_processes import libreoffice_with, until

from generator.docx import preview
from generator.site import beside, pdfs
from generator.site.beside import libreoffice_profile, state_path
from generator.site.plugin import CircularsPlugin

if preview.soffice() is None:
    if os.environ.get("CIRCULARS_REQUIRE_TOOLS") == "1":
        pytest.fail("LibreOffice (soffice) is required", pytrace=False)
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


def a_document(tmp_path: Path) -> Path:
    result = run(REPO, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return tmp_path / "out/docx/panzhihua-2024-07.docx"


def test_a_run_given_its_profile_is_converted_by_the_libreoffice_started_ahead(tmp_path):
    document = a_document(tmp_path)
    profile = tmp_path / "profile"
    with preview.started_ahead(REPO, profile):
        assert until(lambda: len(libreoffice_with(profile)) == 1)
        [started] = libreoffice_with(profile)
        [pdf] = preview.to_pdf([document], tmp_path / "pdf", REPO, profile=profile)
        assert pdf.read_bytes().startswith(b"%PDF")
        # the one started ahead did it: LibreOffice ends after a conversion it was handed
        assert until(
            lambda: not Path(f"/proc/{started}").exists() or started not in libreoffice_with(profile)
        )
    assert libreoffice_with(profile) == []
    assert (profile / "user").is_dir()  # kept, for the next one


def test_the_libreoffice_started_ahead_ends_with_the_block_unused(tmp_path):
    profile = tmp_path / "profile"
    with preview.started_ahead(REPO, profile):
        assert until(lambda: len(libreoffice_with(profile)) == 1)
    assert libreoffice_with(profile) == []


def test_the_libreoffice_started_ahead_ends_with_a_killed_build(tmp_path):
    """A LibreOffice without documents runs until it is told to end: a build killed
    (SIGKILL: no Python code runs) must not leave one behind."""
    profile = tmp_path / "profile"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from generator.docx import preview
        with preview.started_ahead(Path({str(REPO)!r}), Path({str(profile)!r})):
            print("started", flush=True)
            sys.stdin.readline()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    build = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert build.stdout.readline().strip() == "started"
    assert until(lambda: len(libreoffice_with(profile)) == 1)
    build.communicate("kill\n", timeout=60)
    assert build.returncode == -signal.SIGKILL
    assert until(lambda: libreoffice_with(profile) == [], seconds=10)


def test_only_the_first_run_goes_to_the_libreoffice_started_ahead(tmp_path, monkeypatch):
    """It ends after one conversion: a second run handed to it could meet it ending."""
    monkeypatch.setattr(pdfs, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdfs, "BATCH", 2)
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    profiles: list[Path | None] = []

    def convert(documents, out, project_root, timeout, profile=None):
        profiles.append(profile)
        fake_pdfs(documents, out)

    monkeypatch.setattr(pdfs, "to_pdf", convert)
    docx_dir = tmp_path / "build/docx"
    docx_dir.mkdir(parents=True)
    given = numbered_documents(docx_dir, *"abcde")
    result = pdfs.render_pdfs(given, docx_dir, tmp_path, jobs=1)
    assert result.converted == 5 and len(profiles) == 3
    kept = libreoffice_profile(docx_dir)
    assert profiles[0] == kept
    assert kept not in profiles[1:] and len(set(profiles[1:])) == 1


def test_the_build_starts_libreoffice_ahead_after_a_build_that_converted_pdfs(tmp_path, monkeypatch):
    out = tmp_path / "build"
    for folder in (out / "site", out / "docx"):
        folder.mkdir(parents=True)
    started: list[Path] = []

    @contextlib.contextmanager
    def starting(root, profile):
        started.append(profile)
        yield

    monkeypatch.setattr(beside, "started_ahead", starting)

    def starts() -> bool:
        started.clear()
        with beside.libreoffice_ahead(tmp_path, out):
            return started == [libreoffice_profile(out / "docx")]

    assert not starts()  # no finished build
    state_path(out / "site").write_text("{}")
    assert not starts()  # one that converted no PDFs (pdf: false, or no LibreOffice)
    libreoffice_profile(out / "docx").mkdir()
    assert starts()


def test_an_edited_circular_is_converted_by_the_libreoffice_started_ahead(project, monkeypatch):
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)  # the first build converts (and makes the profile)
    add_site(project)
    assert run(project, "build").exit_code == 0
    kept = libreoffice_profile(project / "build/docx")
    assert (kept / "user").is_dir()  # the first build's first run made it
    retitle(project, "关于驻点干部做到“五个要”的通知")
    given: list[tuple[Path | None, list[int]]] = []
    convert = pdfs.to_pdf

    def watched(documents, out, project_root, timeout=preview.CONVERT_TIMEOUT, profile=None):
        # started before the project was read (its launcher may still be starting it)
        until(lambda: len(libreoffice_with(kept)) == 1, seconds=10)
        given.append((profile, libreoffice_with(kept)))
        return convert(documents, out, project_root, timeout, profile)

    monkeypatch.setattr(pdfs, "to_pdf", watched)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    [(profile, running)] = given
    assert profile == kept and len(running) == 1  # started ahead, and running when given the run
    pdf = project / "build/docx/panzhihua-2024-07.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "五个要" in text.replace("\n", "")
    assert libreoffice_with(kept) == []
    # nothing changed: started, and stopped unused
    assert "up to date" in run(project, "build").output.lower() and given == [(profile, running)]
    assert libreoffice_with(kept) == []


def test_a_libreoffice_that_outlives_its_launcher_is_stopped_with_the_block(tmp_path, monkeypatch):
    """Twice a full run of the tests left a LibreOffice running with a kept profile, its
    launcher gone: what the launcher started is stopped too. Here a stand-in launcher
    whose child does not end with it."""
    launcher = tmp_path / "soffice"
    seconds = str(100_000 + os.getpid())  # its own: no other process sleeps as long
    launcher.write_text(f"#!/bin/sh\nsleep {seconds} &\nwait\n")
    launcher.chmod(0o755)
    monkeypatch.setattr(preview, "soffice", lambda: str(launcher))

    def sleeping() -> list[int]:
        return [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit()
            and _command(entry) == [b"sleep", seconds.encode()]
            and preview.process_running(int(entry.name))
        ]

    with preview.started_ahead(REPO, tmp_path / "profile"):
        assert until(lambda: len(sleeping()) == 1)
        [child] = sleeping()
    assert not preview.process_running(child)


def _command(entry: Path) -> list[bytes]:
    try:
        return entry.joinpath("cmdline").read_bytes().split(b"\0")[:-1]
    except OSError:
        return []


def test_an_edited_document_is_handed_to_libreoffice_before_the_listings_are_made(project, monkeypatch):
    """In a thread beside the listings, the few steps of Python before LibreOffice waited
    half a second for the interpreter. Here they are slowed down on purpose: the build
    waits for them before it makes the listings (on_files)."""
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    add_site(project)
    assert run(project, "build").exit_code == 0
    retitle(project, "关于驻点干部做到“五个要”的通知")
    events: list[str] = []
    slow_variants, convert = pdfs.variants, pdfs.to_pdf

    def variants(*args, **kwargs):
        time.sleep(0.5)
        return slow_variants(*args, **kwargs)

    def converting(*args, **kwargs):
        events.append("to_pdf")
        return convert(*args, **kwargs)

    on_files = CircularsPlugin.on_files

    def listing(self, files, **kwargs):
        events.append("on_files")
        return on_files(self, files, **kwargs)

    monkeypatch.setattr(pdfs, "variants", variants)
    monkeypatch.setattr(pdfs, "to_pdf", converting)
    monkeypatch.setattr(CircularsPlugin, "on_files", listing)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert events == ["to_pdf", "on_files"]
