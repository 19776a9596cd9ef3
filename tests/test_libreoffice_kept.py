"""Issue 24: a LibreOffice kept running between builds (docx/resident.py), so that an
edit's PDFs do not wait for LibreOffice to start. Checked on the real LibreOffice: the
runs given the kept profile are converted by the one kept, which keeps running after
them; it ends when it has not been used for the minutes set, when its profile is
deleted, when its keeper is killed, and it is replaced when the fonts change."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, add_site, fake_pdfs, numbered_documents, retitle, run
from libreoffice_processes import libreoffice_with, until

from generator.docx import preview, resident
from generator.docx.libreoffice_keeper import MARK
from generator.site import beside, pdfs
from generator.site.beside import libreoffice_profile, state_path

if preview.soffice() is None:
    if os.environ.get("CIRCULARS_REQUIRE_TOOLS") == "1":
        pytest.fail("LibreOffice (soffice) is required", pytrace=False)
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def made_profile(tmp_path_factory) -> Path:
    """A profile LibreOffice has made, as a build leaves it: with a new one, LibreOffice
    starts twice (two soffice.bin, one after the other)."""
    folder = tmp_path_factory.mktemp("made")
    document = a_document(folder)
    preview.to_pdf([document], folder / "pdf", REPO, profile=folder / "profile")
    return folder / "profile"


@pytest.fixture
def kept(tmp_path, monkeypatch, made_profile):
    """A copy of the made profile, whose kept LibreOffice is stopped after the test."""
    monkeypatch.setenv(resident.KEEP_VARIABLE, "10")
    profile = tmp_path / "profile"
    shutil.copytree(made_profile, profile)
    yield profile
    resident.stop(profile)
    assert until(lambda: libreoffice_with(profile) == [], seconds=15)


def a_document(tmp_path: Path) -> Path:
    result = run(REPO, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return tmp_path / "out/docx/panzhihua-2024-07.docx"


def keeper_of(profile: Path) -> int:
    return int((profile / MARK).read_text().split()[0])


def test_runs_given_the_kept_profile_are_converted_by_the_libreoffice_kept(tmp_path, kept):
    document = a_document(tmp_path)
    resident.keep(REPO, kept, "key")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    [office] = libreoffice_with(kept)
    for number in range(2):  # without a document open in it, LibreOffice would end after one
        [pdf] = preview.to_pdf([document], tmp_path / f"pdf-{number}", REPO, profile=kept)
        assert pdf.read_bytes().startswith(b"%PDF")
        assert libreoffice_with(kept) == [office]
    time.sleep(1)
    assert libreoffice_with(kept) == [office]


def test_a_second_keep_tells_the_one_running_it_is_used(kept):
    resident.keep(REPO, kept, "key")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    [office], keeper = libreoffice_with(kept), keeper_of(kept)
    old = time.time() - 60
    os.utime(kept / MARK, (old, old))
    resident.keep(REPO, kept, "key")
    assert keeper_of(kept) == keeper and (kept / MARK).stat().st_mtime > old + 30
    assert libreoffice_with(kept) == [office]


def test_it_ends_when_no_build_used_it_for_the_minutes_set(kept, monkeypatch):
    monkeypatch.setenv(resident.KEEP_VARIABLE, "0.05")  # three seconds
    resident.keep(REPO, kept, "key")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    assert until(lambda: libreoffice_with(kept) == [], seconds=20)
    assert until(lambda: not (kept / MARK).exists())  # the keeper ends after it


def test_it_ends_when_its_build_folder_is_deleted(kept):
    resident.keep(REPO, kept, "key")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    subprocess.run(["rm", "-rf", str(kept)], check=True)
    assert until(lambda: libreoffice_with(kept) == [], seconds=20)


def test_it_ends_with_a_keeper_killed_outright(kept):
    """SIGKILL runs none of the keeper's code: LibreOffice, with a document open in it,
    would run for ever."""
    resident.keep(REPO, kept, "key")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    os.kill(keeper_of(kept), signal.SIGKILL)
    assert until(lambda: libreoffice_with(kept) == [], seconds=20)
    resident.keep(REPO, kept, "key")  # its mark is left: the next build starts another
    assert until(lambda: len(libreoffice_with(kept)) == 1)


def test_other_fonts_replace_it(kept):
    resident.keep(REPO, kept, "fonts-a")
    assert until(lambda: len(libreoffice_with(kept)) == 1)
    [old] = libreoffice_with(kept)
    resident.keep(REPO, kept, "fonts-b")
    assert not preview.process_running(old)  # gone before the new one starts with the profile
    assert until(lambda: len(libreoffice_with(kept)) == 1 and libreoffice_with(kept) != [old])
    assert (kept / MARK).read_text().split()[1] == "fonts-b"


def test_a_build_with_zero_minutes_stops_the_one_kept(tmp_path, kept, monkeypatch):
    out = tmp_path / "build"
    (out / "site").mkdir(parents=True)
    state_path(out / "site").write_text("{}")
    profile = libreoffice_profile(out / "docx")
    shutil.copytree(kept, profile)
    resident.keep(REPO, profile, "key")
    try:
        assert until(lambda: len(libreoffice_with(profile)) == 1)
        monkeypatch.setenv(resident.KEEP_VARIABLE, "0")
        with beside.libreoffice_ahead(REPO, out):  # and starts one for this build, as before
            assert not (profile / MARK).exists()
        assert libreoffice_with(profile) == []
    finally:
        resident.stop(profile)


def test_none_is_kept_for_zero_minutes(tmp_path, monkeypatch):
    monkeypatch.setenv(resident.KEEP_VARIABLE, "0")
    assert not resident.keeping()
    monkeypatch.setenv(resident.KEEP_VARIABLE, "half an hour")
    with pytest.raises(preview.PreviewError, match="CIRCULARS_KEEP_LIBREOFFICE='half an hour'"):
        resident.keeping()


def test_a_build_keeps_libreoffice_for_the_next_edit(project, monkeypatch, request):
    monkeypatch.setenv(resident.KEEP_VARIABLE, "10")
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)  # the first build converts (and makes the profile)
    add_site(project)
    profile = libreoffice_profile(project / "build/docx")
    request.addfinalizer(lambda: resident.stop(profile))
    assert run(project, "build").exit_code == 0
    assert until(lambda: len(libreoffice_with(profile)) == 1)  # started after the build
    [office] = libreoffice_with(profile)
    retitle(project, "关于驻点干部做到“五个要”的通知")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    pdf = project / "build/docx/panzhihua-2024-07.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "五个要" in text.replace("\n", "")
    assert libreoffice_with(profile) == [office]  # it converted, and runs on
    resident.stop(profile)
    assert libreoffice_with(profile) == []


def test_a_wrong_setting_stops_the_build_with_what_to_do(project, monkeypatch):
    monkeypatch.setenv(resident.KEEP_VARIABLE, "forever")
    result = run(project, "build")
    assert result.exit_code == 1
    assert "CIRCULARS_KEEP_LIBREOFFICE='forever' is not a number of minutes" in result.output
    assert not (project / "build").exists()


def test_a_conversion_with_the_kept_profile_tells_it_is_used(tmp_path, monkeypatch):
    """`circulars serve` converts with the kept profile too, without a build's start."""
    monkeypatch.setattr(pdfs, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    monkeypatch.setattr(pdfs, "to_pdf", lambda documents, out, *a, **k: fake_pdfs(documents, out))
    docx_dir = tmp_path / "build/docx"
    docx_dir.mkdir(parents=True)
    profile = libreoffice_profile(docx_dir)
    profile.mkdir()
    (profile / MARK).write_text("1 key\n")
    old = time.time() - 600
    os.utime(profile / MARK, (old, old))
    assert pdfs.render_pdfs(numbered_documents(docx_dir, "a"), docx_dir, tmp_path).converted == 1
    assert (profile / MARK).stat().st_mtime > old + 300


def test_the_libreoffice_kept_is_handed_a_document_to_convert_first(tmp_path, monkeypatch):
    """LibreOffice loads its Word import and PDF export on its first conversion: the
    keeper hands it one of the build's documents, so that the next edit's is not the
    first. Here a stand-in LibreOffice that writes down how it is run."""
    calls = tmp_path / "calls"
    program = tmp_path / "soffice"
    program.write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\ncase "$*" in *--convert-to*) exit 0;; esac\nexec sleep 600\n'
    )
    program.chmod(0o755)
    monkeypatch.setattr(resident, "soffice", lambda: str(program))
    monkeypatch.setenv(resident.KEEP_VARIABLE, "10")
    profile, document = tmp_path / "profile", tmp_path / "a.docx"
    profile.mkdir()
    document.write_bytes(b"PK")
    resident.keep(REPO, profile, "key", warm=document)
    try:
        assert until(lambda: calls.exists() and "--convert-to" in calls.read_text(), seconds=30)
        [started, converted] = calls.read_text().splitlines()
        assert "--convert-to" not in started and converted.endswith(str(document))
        assert f"-env:UserInstallation=file://{profile}" in converted
    finally:
        resident.stop(profile)
