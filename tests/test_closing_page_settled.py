"""The build's PDF step settles the 版记 page (docx/closing_page) and offers the settled
Word document: the one a clerk prints carries what the PDF shows, and the next build
keeps it rather than writing and converting it again. Real LibreOffice."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest
from conftest import REPO

from generator.docx import closing_page
from generator.docx.build import build_documents
from generator.docx.closing_page import has_closing_section, page_texts
from generator.site import pdfs
from generator.source.loading import load_project

SETTLES, STAYS = "sichuan-2022-05", "panzhihua-2024-07"  # text ending on page 2 with room; on page 5


@pytest.fixture
def need_libreoffice():
    for program in ("soffice", "pdftotext"):
        if shutil.which(program) is None:
            if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
                pytest.fail(f"{program} is required (CIRCULARS_REQUIRE_TOOLS is set)")
            pytest.skip(f"{program} is not installed")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("few", [True, False], ids=["variants-in-the-same-run", "settled-after-the-runs"])
def test_the_pdf_step_offers_and_records_the_settled_document(tmp_path, monkeypatch, need_libreoffice, few):
    """A few documents go to LibreOffice with both settled variants of each, in one run;
    many are converted first and those that need it settled after: the same documents."""
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    project = load_project(REPO)
    circulars = [c for c in project.circulars if c.id in (SETTLES, STAYS)]
    docx_dir = tmp_path / "docx"
    first = build_documents(project, circulars, docx_dir, jobs=1)
    built = {d.circular_id: d for d in first.documents}
    written = built[SETTLES].path.read_bytes()
    assert has_closing_section(written)
    if not few:
        monkeypatch.setattr(pdfs, "FEW", 0)
    runs = []

    def counted(convert):
        def run(documents, *args, **kwargs):
            runs.append(len(documents))
            return convert(documents, *args, **kwargs)

        return run

    monkeypatch.setattr(pdfs, "to_pdf", counted(pdfs.to_pdf))
    monkeypatch.setattr(closing_page, "to_pdf", counted(closing_page.to_pdf))

    made = pdfs.render_pdfs({c: (d.path, d.sha256) for c, d in built.items()}, docx_dir, REPO)
    assert made.converted == 2 and made.settled == {SETTLES}
    # few: a run per worker, of the documents and both variants of each (both have a 版记);
    # many: a run per worker, then one to settle (the first variant fits)
    if few:
        assert len(runs) == pdfs.workers(2) and sum(runs) == 6
    else:
        assert len(runs) == pdfs.workers(2) + 1 and runs[-1] == 1
    offered = made.pdfs[SETTLES].read_bytes()
    # the Word document beside the PDF is the settled one: its 版记 in the text's section
    settled = docx_dir / f"{SETTLES}.docx"
    assert settled.read_bytes() == closing_page.on_text_page(written)
    assert not has_closing_section(settled.read_bytes())
    assert _sha(docx_dir / f"{STAYS}.docx") == built[STAYS].sha256
    # its PDF: two pages, the 版记 at the foot of page 2, which keeps its number
    pages = page_texts(docx_dir / f"{SETTLES}.pdf")
    assert len(pages) == 2 and "抄送" in pages[1] and "—2—" in pages[1] and "2022年3月1日\n" in pages[1]
    assert len(page_texts(docx_dir / f"{STAYS}.pdf")) == 6

    # the next build keeps both documents as they are, and converts nothing
    again = build_documents(project, circulars, docx_dir, jobs=1)
    assert again.rebuilt == 0 and again.up_to_date == 2
    kept = {d.circular_id: d for d in again.documents}
    assert kept[SETTLES].sha256 == _sha(settled) and kept[SETTLES].size == settled.stat().st_size
    remade = pdfs.render_pdfs({c: (d.path, d.sha256) for c, d in kept.items()}, docx_dir, REPO)
    assert remade.converted == 0 and remade.settled == set() and len(remade.pdfs) == 2
    assert remade.pdfs[SETTLES].read_bytes() == offered == (docx_dir / f"{SETTLES}.pdf").read_bytes()


def test_without_pdftotext_the_pdfs_stay_and_the_build_says_what_to_install(tmp_path, monkeypatch):
    """The 版记 page cannot be settled without reading the PDF: the PDF is offered as
    LibreOffice made it, the Word document as written, and a warning names the package."""
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    project = load_project(REPO)
    docx_dir = tmp_path / "docx"
    built = build_documents(project, [project.source(SETTLES).circular], docx_dir, jobs=1).documents[0]

    def convert(documents, out, project_root, timeout, profile=None):  # a LibreOffice that copies
        out.mkdir(parents=True, exist_ok=True)
        for document in documents:
            (out / f"{document.stem}.pdf").write_bytes(b"%PDF " + document.read_bytes())

    which = shutil.which
    monkeypatch.setattr(pdfs, "to_pdf", convert)
    monkeypatch.setattr(pdfs, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "pdftotext" else which(name))
    made = pdfs.render_pdfs({SETTLES: (built.path, built.sha256)}, docx_dir, REPO)
    assert made.converted == 1 and SETTLES in made.pdfs and made.settled == set()
    assert [w for w in made.warnings if "poppler-utils" in w and "pdftotext" in w] == made.warnings != []
    assert _sha(built.path) == built.sha256


def test_a_few_documents_are_settled_both_ways_in_one_libreoffice_run(
    tmp_path, monkeypatch, need_libreoffice
):
    """A preview (or an edited circular) of a text that leaves room for the 版记 on its
    last page and of one that does not: one LibreOffice run lays out both documents and
    both variants of each, and each is settled as the separate runs settle it."""
    project = load_project(REPO)
    source = project.source(SETTLES).circular
    full = source.model_copy(
        update={"id": "full-even-page", "background": source.background + "驻点" * 111 + "。"}
    )
    built = build_documents(project, [source, full], tmp_path / "docx", jobs=1).documents
    written = {d.circular_id: d.path.read_bytes() for d in built}
    runs = []
    convert = closing_page.to_pdf

    def counted(documents, *args, **kwargs):
        runs.append(len(documents))
        return convert(documents, *args, **kwargs)

    monkeypatch.setattr(closing_page, "to_pdf", counted)
    made, settled = closing_page.to_pdf_settled([d.path for d in built], tmp_path / "pdf", REPO)
    assert runs == [6]
    by_id = {d.circular_id: d.path for d in built}
    assert settled == {
        by_id[SETTLES]: closing_page.ON_TEXT_PAGE,
        by_id["full-even-page"]: closing_page.UNNUMBERED,
    }
    assert by_id[SETTLES].read_bytes() == closing_page.on_text_page(written[SETTLES])
    assert by_id["full-even-page"].read_bytes() == closing_page.unnumbered(written["full-even-page"])
    assert [pdf.name for pdf in made] == [f"{d.circular_id}.pdf" for d in built]
    pages = {pdf.stem: page_texts(pdf) for pdf in made}
    assert len(pages[SETTLES]) == 2 and "抄送" in pages[SETTLES][1] and "—2—" in pages[SETTLES][1]
    # text to the foot of page 2, a blank page 3, the 版记 on page 4 without a number
    full_pages = pages["full-even-page"]
    assert len(full_pages) == 4 and not full_pages[2].strip() and "抄送" in full_pages[3]
    assert "—4—" not in full_pages[3] and "—2—" in full_pages[1]
