"""The example documents opened by independent readers: LibreOffice (to PDF) and pandoc.

LibreOffice, poppler-utils and pandoc are Debian packages that .ci/run installs;
with CIRCULARS_REQUIRE_TOOLS=1 (set in CI) a missing one fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from docx_reading import JOINER, W, blocks
from lxml import etree

from generator.docx.build import build_documents
from generator.docx.package import read_parts
from generator.docx.preview import to_pdf
from generator.source.loading import load_project


def _need(program: str) -> None:
    if shutil.which(program) is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail(f"{program} is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip(f"{program} is not installed")


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines and spaces Latin from Chinese."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    project = load_project(REPO)
    out = tmp_path_factory.mktemp("docx")
    build_documents(project, project.circulars, out, jobs=1)
    return {path.stem: path for path in sorted(out.glob("*.docx"))}


@pytest.fixture(scope="module")
def pdfs(documents, tmp_path_factory) -> dict[str, Path]:
    _need("soffice")
    _need("pdftotext")
    out = tmp_path_factory.mktemp("pdf")
    return {pdf.stem: pdf for pdf in to_pdf(list(documents.values()), out, REPO)}


def _paragraphs(path: Path) -> list[str]:
    """Texts of the paragraphs outside tables, in order (tables are checked cell by cell),
    but those whose reading order a reader may change (_read_apart), and not the 版记
    page's number (a PAGE field in a frame, whatever number it holds)."""
    table_texts = {text for name, text in blocks(path) if name.startswith("Table")}
    return [
        squeeze(text)
        for name, text in blocks(path)
        if text.strip() and text not in table_texts and name != "Footer" and not _read_apart(name, text)
    ]


def _read_apart(name: str, text: str) -> bool:
    """A joint letterhead's 文件 stands beside the issuers' names, centred on them, and
    sealed names stand side by side: readers take them column by column."""
    if name.startswith("Table"):  # cells: _cell_pieces
        return False
    return name.startswith("Organ Mark") or "\u3000\u3000" in text.strip()


def _apart(path: Path) -> list[str]:
    """The names and marks _read_apart leaves out of the order, each to be found on its own."""
    found = [text for name, text in blocks(path) if text.strip() and _read_apart(name, text)]
    return [squeeze(part) for text in found for part in re.split("\u3000{2,}", text.strip()) if part]


def _in_order(needles: list[str], haystack: str) -> list[str]:
    """The needles not found in order in haystack (empty when all are)."""
    missing, position = [], 0
    for needle in needles:
        found = haystack.find(needle, position)
        if found < 0:
            missing.append(needle)
        else:
            position = found + len(needle)
    return missing


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_every_page_is_a4(pdfs):
    for name, pdf in pdfs.items():
        info = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True
        ).stdout
        sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert sizes, name
        for width, height in sizes:
            assert (round(float(width)), round(float(height))) == (595, 842), name


def _comparable(text: str) -> str:
    """pdftotext joins a word broken at a line-end hyphen without it ("All-China" →
    "AllChina"), so hyphens are dropped on both sides; page footers are cut out of
    paragraphs that run across a page break."""
    text = re.sub(r"^\s*(Page \d+ of \d+|—\s*\d+\s*—)\s*$", "", text, flags=re.MULTILINE)
    # likewise, Chinese punctuation hanging past the line end is sometimes not extracted
    return re.sub(r"[-、，。：；！？]", "", squeeze(text))


def _subsequence(needle: str, haystack: str) -> bool:
    """Each character of needle, in order, in haystack: a table cell's lines are
    extracted interleaved with the lines of the cells beside it."""
    characters = iter(haystack)
    return all(character in characters for character in needle)


def _cell_pieces(path: Path) -> list[str]:
    """The text of each table cell's paragraph; one whose line holds a wide blank of
    U+3000 (a form's 经手人：　　　　审批人：) in pieces, a piece a line's part on either
    side of a blank: readers take such a form's blanks as columns and its lines apart."""
    pieces = []
    body = etree.fromstring(read_parts(path)["word/document.xml"])
    for paragraph in body.iter(f"{{{W}}}tc"):
        for p in paragraph.iter(f"{{{W}}}p"):
            text = "".join(
                "\n" if node.tag == f"{{{W}}}br" else (node.text or "")
                for node in p.iter(f"{{{W}}}t", f"{{{W}}}br")
            ).replace(JOINER, "")
            if "\u3000\u3000" in text.strip():
                pieces += [part for part in re.split("\n|\u3000{2,}", text) if part.strip()]
            elif text.strip():
                pieces.append(text)
    return pieces


def test_every_paragraph_appears_in_order(pdfs, documents):
    for name, pdf in pdfs.items():
        text = _comparable(pdf_text(pdf))
        expected = [_comparable(p.replace("\t", "")) for p in _paragraphs(documents[name])]
        assert _in_order(expected, text) == [], name
        assert [m for m in _apart(documents[name]) if _comparable(m) not in text] == [], name
        cells = [_comparable(t) for t in _cell_pieces(documents[name])]
        assert [c for c in cells if not _subsequence(c, text)] == [], name


def test_chinese_text_survives(pdfs):
    text = pdf_text(pdfs["panzhihua-2024-07"])
    assert "攀枝花市总工会文件" in text
    assert "攀工发〔2024〕7号" in squeeze(text)
    assert "关于驻点干部做到“四个要”" in squeeze(text)


def test_page_numbers_are_printed(pdfs):
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(pdfs["panzhihua-2024-07"])], capture_output=True, text=True
            ).stdout,
        ).group(1)
    )
    text = squeeze(pdf_text(pdfs["panzhihua-2024-07"]))
    assert pages >= 3
    # the last page holds the 版记 alone, numbered as the text's last page precedes it (§7.5)
    for page in range(1, pages + 1):
        assert f"—{page}—" in text
    english = pdf_text(pdfs["chemchina-2012-03"])
    count = int(re.search(r"Page 1 of (\d+)", english).group(1))
    assert [f"Page {n} of {count}" in english for n in range(1, count + 1)] == [True] * count


def test_pandoc_reads_the_same_text(documents):
    _need("pandoc")
    for name, path in documents.items():
        plain = subprocess.run(
            # --standalone: pandoc reads the Title paragraph as metadata, printed only then
            ["pandoc", "-f", "docx", "-t", "plain", "--standalone", "--wrap=none", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        expected = [p.replace("\t", "") for p in _paragraphs(path)]
        plain = plain.replace(JOINER, "")
        assert _in_order(expected, squeeze(plain)) == [], name
        assert [m for m in _apart(path) if m not in squeeze(plain)] == [], name
