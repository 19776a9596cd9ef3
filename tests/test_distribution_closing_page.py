"""The numbered copies' 版记 page, settled as the build settles it (distribution/closing.py).
Real LibreOffice: the copy's PDF is read, as the built document's is in test_closing_page_settled.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import docx
import pytest
from conftest import REPO, run
from docx_reading import JOINER

from generator.docx.closing_page import has_closing_section, page_texts

SETTLES, STAYS = "sichuan-2022-05", "panzhihua-2024-07"  # text ending on page 2 with room; on page 5


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example project, sichuan-2022-05 issued (it is superseded there, and so not distributed)."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    source = tmp_path / "circulars/2022/sichuan-2022-05.yaml"
    text = source.read_text(encoding="utf-8")
    assert "\nstatus: superseded\n" in text
    source.write_text(text.replace("\nstatus: superseded\n", "\nstatus: issued\n"), encoding="utf-8")
    for program in ("soffice", "pdftotext"):
        if shutil.which(program) is None:
            if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
                pytest.fail(f"{program} is required (CIRCULARS_REQUIRE_TOOLS is set)")
            pytest.skip(f"{program} is not installed")
    return tmp_path


def copies(project: Path, circular_id: str) -> list[tuple[Path, Path]]:
    """Each copy's Word document and PDF, as the manifest lists them."""
    out = project / "dist" / circular_id
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [
        (
            out / copy["folder"] / f"{circular_id}-{copy['copy_number']}.docx",
            out / copy["folder"] / f"{circular_id}-{copy['copy_number']}.pdf",
        )
        for copy in manifest["copies"]
    ]


def test_a_copy_of_a_text_ending_on_an_even_page_has_the_closing_block_at_its_foot(project):
    result = run(project, "distribute", SETTLES, "--pdf")
    assert result.exit_code == 0, result.output
    made = copies(project, SETTLES)
    assert len(made) > 1
    for document, pdf in made:
        # like the built document (test_closing_page_settled.py): two pages, the 版记 at the
        # foot of page 2, which keeps its number; the copy's own number and addressee on page 1
        pages = page_texts(pdf)
        assert len(pages) == 2, pdf.name
        assert "抄送" in pages[1] and "—2—" in pages[1] and "2022年3月1日\n" in pages[1]
        number = document.stem.rsplit("-", 1)[1]
        assert number in pages[0] and number not in pages[1]
        # the Word document a clerk prints is the settled one, addressed and numbered
        assert not has_closing_section(document.read_bytes())
        paragraphs = [p.text.replace(JOINER, "") for p in docx.Document(str(document)).paragraphs[:2]]
        assert paragraphs[0] == number and paragraphs[1].startswith("发：")


def test_a_copy_of_a_text_ending_on_an_odd_page_keeps_its_numbered_closing_page(project):
    result = run(project, "distribute", STAYS, "--pdf")
    assert result.exit_code == 0, result.output
    document, pdf = copies(project, STAYS)[3]
    assert has_closing_section(document.read_bytes())
    pages = page_texts(pdf)
    assert len(pages) == 6 and "抄送" in pages[5] and "—6—" in pages[5]


def test_without_pdfs_the_copies_are_not_laid_out(project):
    assert run(project, "distribute", SETTLES, "--no-pdf").exit_code == 0
    for document, pdf in copies(project, SETTLES):
        assert has_closing_section(document.read_bytes()) and not pdf.exists()


def test_copies_laid_out_before_without_settling_are_settled_and_converted_again(project, monkeypatch):
    from generator.distribution import run as distribution

    monkeypatch.setattr(distribution, "settled_maker", lambda maker, sample, root: (maker, None))
    assert run(project, "distribute", SETTLES, "--pdf").exit_code == 0  # as distribute did before
    document, pdf = copies(project, SETTLES)[0]
    assert has_closing_section(document.read_bytes()) and len(page_texts(pdf)) == 4
    monkeypatch.undo()
    assert run(project, "distribute", SETTLES, "--pdf").exit_code == 0
    # the Word document settled, and its PDF made again from it, not kept
    assert not has_closing_section(document.read_bytes()) and len(page_texts(pdf)) == 2
    out = project / "dist" / SETTLES
    sums = dict(
        line.split("  ")[::-1] for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert sums[str(pdf.relative_to(out))] == hashlib.sha256(pdf.read_bytes()).hexdigest()
