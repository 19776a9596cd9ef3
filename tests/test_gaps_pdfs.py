"""The site's PDF cache: keyed by what the conversion reads besides the document (the
fonts configuration, LibreOffice's build), and never pruned when it is shared
(CIRCULARS_PDF_CACHE). Issue 25: a new templates/fonts.conf never reached the
published PDFs, and the pruning of a shared cache was caught only by accident."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, add_site, fake_pdfs, numbered_documents, run

from generator.docx import preview
from generator.site import pdfs
from generator.site.beside import libreoffice_profile


@pytest.fixture
def fake_libreoffice(tmp_path: Path, monkeypatch) -> list[list[str]]:
    """A LibreOffice that 'converts' a document to b'%PDF ' + its bytes; the stems of each run."""
    program = tmp_path / "libreoffice/program/soffice"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    (program.parent / "versionrc").write_text("[Version]\nbuildid=40(Build:2)\n")
    runs: list[list[str]] = []

    def convert(documents, out, project_root, timeout, profile=None):
        runs.append(sorted(d.stem for d in documents))
        fake_pdfs(documents, out)

    monkeypatch.setattr(pdfs, "to_pdf", convert)
    monkeypatch.setattr(pdfs, "soffice", lambda: str(program))
    monkeypatch.setattr(preview, "soffice", lambda: str(program))  # the key names its versionrc
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    return runs


def converted(runs: list[list[str]]) -> int:
    """How many documents the runs converted (the runs are one per core at a time)."""
    return sum(map(len, runs))


def test_a_new_fonts_conf_converts_again(tmp_path, fake_libreoffice):
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    fonts = project / "templates/fonts.conf"
    fonts.write_bytes((REPO / "templates/fonts.conf").read_bytes())
    docx_dir = project / "build/docx"
    docx_dir.mkdir(parents=True)
    given = numbered_documents(docx_dir, "a", "b")
    first = pdfs.render_pdfs(given, docx_dir, project)
    assert converted(fake_libreoffice) == 2 and first.converted == 2
    again = pdfs.render_pdfs(given, docx_dir, project)
    assert converted(fake_libreoffice) == 2 and again.pdfs == first.pdfs  # unchanged: kept
    fonts.write_text(
        fonts.read_text(encoding="utf-8").replace("</fontconfig>", "<!-- 方正小标宋 -->\n</fontconfig>")
    )
    changed = pdfs.render_pdfs(given, docx_dir, project)
    assert converted(fake_libreoffice) == 4 and changed.converted == 2
    assert set(changed.pdfs.values()).isdisjoint(first.pdfs.values())
    # the project's own cache keeps only what this build offers
    assert sorted(p.name for p in (docx_dir / "pdf").iterdir()) == sorted(
        p.name for p in changed.pdfs.values()
    )


def test_a_new_libreoffice_converts_again(tmp_path, fake_libreoffice):
    docx_dir = tmp_path / "build/docx"
    docx_dir.mkdir(parents=True)
    given = numbered_documents(docx_dir, "a")
    pdfs.render_pdfs(given, docx_dir, tmp_path)
    pdfs.render_pdfs(given, docx_dir, tmp_path)
    assert converted(fake_libreoffice) == 1
    versionrc = Path(pdfs.soffice()).parent / "versionrc"
    versionrc.write_text("[Version]\nbuildid=41(Build:1)\n")
    pdfs.render_pdfs(given, docx_dir, tmp_path)
    assert converted(fake_libreoffice) == 2


# Catches a shared cache pruned: another project's PDFs (and this project's of other
# documents) stay in CIRCULARS_PDF_CACHE.
def test_a_shared_cache_is_never_pruned(tmp_path, fake_libreoffice, monkeypatch):
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    other = shared / f"{'f' * 64}-0123456789abcdef.pdf"  # another project's
    other.write_bytes(b"%PDF another project")
    monkeypatch.setenv(pdfs.CACHE_ENV, str(shared))
    docx_dir = tmp_path / "build/docx"
    docx_dir.mkdir(parents=True)
    before = pdfs.render_pdfs(numbered_documents(docx_dir, "a", "b"), docx_dir, tmp_path)
    after = pdfs.render_pdfs(
        numbered_documents(docx_dir, "a"), docx_dir, tmp_path
    )  # b is gone from this project
    assert other.read_bytes() == b"%PDF another project"
    assert before.pdfs["b"].exists() and after.pdfs["a"] == before.pdfs["a"]
    assert not (docx_dir / "pdf").exists()
    # the project's own cache is pruned
    monkeypatch.delenv(pdfs.CACHE_ENV)
    own = pdfs.render_pdfs(numbered_documents(docx_dir, "a", "b"), docx_dir, tmp_path)
    pdfs.render_pdfs(numbered_documents(docx_dir, "a"), docx_dir, tmp_path)
    assert not own.pdfs["b"].exists() and own.pdfs["a"].exists()


def test_the_published_pdf_follows_templates_fonts_conf(project, monkeypatch):
    """End to end with LibreOffice: a project's own fonts.conf maps 仿宋_GB2312 to another
    font, and the PDF on the site is converted again with it."""
    if shutil.which("soffice") is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("soffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("soffice is not installed")
    pymupdf = pytest.importorskip("pymupdf")
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    add_site(project)
    assert run(project, "build").exit_code == 0
    published = project / "build/site/circulars/panzhihua-2024-07/panzhihua-2024-07.pdf"

    def fonts() -> set[str]:
        with pymupdf.open(published) as document:
            return {font[3] for page in document for font in page.get_fonts()}

    before = fonts()
    assert any("FandolFang" in name for name in before), before
    shipped = (REPO / "templates/fonts.conf").read_text(encoding="utf-8")
    assert "<string>FandolFang</string>" in shipped
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates/fonts.conf").write_text(
        shipped.replace("<string>FandolFang</string>", "<string>FandolKai</string>"), encoding="utf-8"
    )
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    after = fonts()
    assert any("FandolKai" in name for name in after) and not any("FandolFang" in n for n in after), after


def test_documents_convert_in_parallel_runs_each_with_its_own_profile(tmp_path, monkeypatch):
    """Issue 24: as many LibreOffice runs at a time as there are workers (two here), the
    documents shared out evenly, each worker with one profile for all its runs (but the
    first run, which has the profile kept for the next build)."""
    import threading

    monkeypatch.setattr(pdfs, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdfs, "BATCH", 2)
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    together = threading.Barrier(2, timeout=30)  # broken unless two runs are under way at once
    runs: list[tuple[list[str], Path]] = []
    lock = threading.Lock()

    def convert(documents, out, project_root, timeout, profile=None):
        with lock:
            runs.append((sorted(d.stem for d in documents), profile))
            first_two = len(runs) <= 2
        if first_two:
            together.wait()
        fake_pdfs(documents, out)

    monkeypatch.setattr(pdfs, "to_pdf", convert)
    docx_dir = tmp_path / "build/docx"
    docx_dir.mkdir(parents=True)
    given = numbered_documents(docx_dir, "a", "b", "c", "d", "e", "f", "g")
    result = pdfs.render_pdfs(given, docx_dir, tmp_path, jobs=2)
    assert result.warnings == [] and result.converted == 7
    assert sorted(len(stems) for stems, _profile in runs) == [1, 2, 2, 2]  # runs of two at most
    # the first run has the profile kept beside the documents; the others one per worker
    # (a worker whose first run had the kept one may take no other)
    kept = libreoffice_profile(docx_dir)
    profiles = [profile for _stems, profile in runs]
    assert profiles.count(kept) == 1 and 1 <= len(set(profiles) - {kept}) <= 2
    assert all(profile is not None for _stems, profile in runs)
    for name in "abcdefg":
        assert result.pdfs[name].read_bytes() == b"%PDF " + f"document {name}".encode()
    assert pdfs.workers(7, jobs=None) == min(os.cpu_count() or 1, 7)
    assert pdfs.workers(1, jobs=4) == 1


def test_a_pdf_offered_again_is_copied_only_when_it_changed(tmp_path):
    """The cached PDF is copied beside its Word document (ID.pdf) by every build: a copy
    keeps the source's time, so an unchanged one is left as it is (the same file), and
    a new PDF, or a copy someone altered, is copied again whole."""
    cached, offered = tmp_path / "cache.pdf", tmp_path / "docx/ID.pdf"
    offered.parent.mkdir()
    cached.write_bytes(b"%PDF first")
    os.utime(cached, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    pdfs._place(cached, offered)
    assert offered.read_bytes() == b"%PDF first"
    assert offered.stat().st_mtime_ns == cached.stat().st_mtime_ns
    inode = offered.stat().st_ino
    pdfs._place(cached, offered)
    assert offered.stat().st_ino == inode  # not written again
    offered.write_bytes(b"%PDF edited")  # by hand: another time
    pdfs._place(cached, offered)
    assert offered.read_bytes() == b"%PDF first"
    newer = tmp_path / "newer.pdf"
    newer.write_bytes(b"%PDF other")  # the same size, converted now
    pdfs._place(newer, offered)
    assert offered.read_bytes() == b"%PDF other"
    assert not list(offered.parent.glob(".*.tmp"))
