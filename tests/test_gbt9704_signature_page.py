"""GB/T 9704 §7.3.5.4, measured in the PDF: the signature never alone on a page.

A circular whose text ends with a plain paragraph (no 特此通知。) grows by one
line at a time, so that for some length the signature and date would fall at
the top of a new page; sealed, unsealed (with notes under the date), joint, and
one whose text ends with a table.
Every page that holds the signature or the date must also hold lines of the
text. GBT9704_PDFS=DIR keeps the PDFs in DIR.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import REPO
from test_gbt9704_pdf import BOTTOM, _need

from generator.docx.build import build_documents
from generator.docx.preview import to_pdf
from generator.source.loading import load_project

pytest.importorskip("pymupdf")
from pdf_reading import Page, read_pdf

TABLE = "table"

FORMS = {
    "sealed": {},
    "unsealed": {"seal": False, "notes": "此件公开发布"},
    "joint": {"issuer": ["sichuan-ftu", "panzhihua-ftu"]},
    TABLE: {},  # the text ends with the requirement's table of targets
}
# One-line paragraphs added one by one: over 24 lengths the signature block passes
# every line of a page, the page break among them.
LENGTHS = range(14, 38)
TABLE_LENGTHS = range(0, 24)
TABLE_HEADER = "指标目标值完成时限责任单位"  # repeated on a new page: not text by itself
LAST = "末段正文" * 18  # the text's last paragraph, three lines
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
SIGNATURE = re.compile("(四川省总工会|攀枝花市总工会)+")  # a signature line, side by side or not


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, list[Page]]:
    _need("soffice")
    project = load_project(REPO)
    base = next(c for c in project.circulars if c.id == "sichuan-2022-05")
    out = tmp_path_factory.mktemp("signature-page")
    made = []
    for form, update in FORMS.items():
        table = {"requirements": base.requirements} if form == TABLE else {}
        for length in TABLE_LENGTHS if form == TABLE else LENGTHS:
            text = "\n\n".join([*(f"第{i + 1:02d}段正文。" for i in range(length)), LAST])
            made.append(
                base.model_copy(
                    update={
                        "id": f"{form}-{length:02d}",
                        "background": text,
                        "requirements": [],
                        "schedule": [],
                        "closing": False,
                        **update,
                        **table,
                    }
                )
            )
    result = build_documents(project, made, out, jobs=1)
    assert result.errors == []
    pdfs = to_pdf(sorted(out.glob("*.docx")), Path(os.environ.get("GBT9704_PDFS", out / "pdf")), REPO)
    return {pdf.stem: read_pdf(pdf) for pdf in pdfs}


def _signature_page(pages: list[Page]) -> tuple[Page, list[str]]:
    """The page with the date, and the text lines on it (not signature, date, notes)."""
    page = next(p for p in pages if any(DATE.match(line.text) for line in p.lines))
    text = [
        line.text
        for line in page.lines
        if line.top < BOTTOM
        and not DATE.match(line.text)
        and not SIGNATURE.fullmatch(line.text)
        and "此件公开发布" not in line.text
        and "抄送" not in line.text
        and line.text != TABLE_HEADER
    ]
    return page, text


def test_signature_and_date_share_their_page_with_the_text(documents):
    for form in FORMS:
        pages_of_signature = set()
        for length in TABLE_LENGTHS if form == TABLE else LENGTHS:
            name = f"{form}-{length:02d}"
            page, text = _signature_page(documents[name])
            pages_of_signature.add(page.number)
            assert text, f"{name}: the signature and date alone on page {page.number}"
            # the text's own last lines: its last paragraph, or the table's last row
            last = "每年选派" if form == TABLE else "末段正文"
            assert last in "".join(text), f"{name}: {text}"
            notes = [p.number for p in documents[name] for line in p.lines if "此件公开发布" in line.text]
            assert notes in ([], [page.number]), f"{name}: notes on page {notes}, the date on {page.number}"
        # the lengths did move the signature over a page break
        assert len(pages_of_signature) > 1, f"{form}: the signature always on page {pages_of_signature}"
