"""The 版记 page settled once LibreOffice has laid the document out (GB/T 9704 §7.4, §7.5).

A GB/T 9704 document with a 版记 is written with the 版记 in a section of its own
that starts on an even page, its page numbered by a frame (gbt9704_rules). Where
the text ends on an odd page that is right: the 版记 page follows and is numbered.
Where the text ends on an even page, LibreOffice inserts a blank page before the
版记 page, and only a laid-out document shows it: the page before the last is
blank in the PDF. Such a document is then settled, as a typesetter would:

* the 版记 goes to the foot of the text's last page, "the last side of the
  document" (§7.4), when it fits there: the text's section runs on to the end, so
  the page keeps its footer's number, and the document is two pages shorter;
* where it does not fit, the blank page stays and the 版记 page loses its number
  (§7.5: neither a blank page before the 版记 page nor the 版记 page is numbered).

Fit is not guessed: the first is converted and kept only if the 版记 landed on the
text's last page; otherwise the second is written. The PDF step (site/pdfs.py)
calls settle() on what it has converted, and offers the settled Word document,
since that is what a clerk prints.

Each LibreOffice run costs one to two seconds to start, more than converting a
document: converting a few documents (an edited circular, a preview, a copy's
template), both variants go in the first run (`variants`, `to_pdf_settled`), so
that settling needs no run of its own; converting many, those that need it are
settled together afterwards, in two runs at most.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..i18n import _
from .gbt9704_rules import PAGE_NUMBER_Y
from .package import read_parts, write_parts
from .preview import CONVERT_TIMEOUT, PreviewError, to_pdf

DOCUMENT = "word/document.xml"
# the 版记 page's number: a paragraph framed at PAGE_NUMBER_Y (gbt9704_rules._page_number)
_NUMBER_FRAME = re.compile(
    rf'<w:p><w:pPr><w:pStyle w:val="[^"]*"/><w:framePr [^>]*w:y="{PAGE_NUMBER_Y}"/>.*?</w:p>', re.S
)
_SECTION = re.compile(r"<w:sectPr\b.*?</w:sectPr>", re.S)
ON_TEXT_PAGE, UNNUMBERED = "on the text's last page", "unnumbered after a blank page"
# Up to this many documents, their variants are converted in the same run as they are
# (a run's start outweighs three times a few documents; beyond, half of them need none).
FEW = 4
Variants = dict[Path, dict[str, tuple[bytes, Path]]]
"""Per Word document, per way of settling it: the settled bytes and a file (its copy, or its PDF)."""


def has_closing_section(data: bytes) -> bool:
    """Whether a document carries a 版记 section whose page is numbered by a frame."""
    try:
        xml = read_parts(data)[DOCUMENT].decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):  # not a Word document of ours
        return False
    return _NUMBER_FRAME.search(xml) is not None


def on_text_page(data: bytes) -> bytes:
    """The document with its 版记 in the text's section: no section break before it,
    no page number of its own, the text's page setup (and footers) to the end."""
    parts = read_parts(data)
    xml = parts[DOCUMENT].decode("utf-8")
    frame = _NUMBER_FRAME.search(xml)
    text_section = [s for s in _SECTION.finditer(xml, 0, frame.start())][-1]
    # from the hairline paragraph that carries the text's section break to the frame:
    # that, the one that opened the 版记's section, and the frame (each on the grid would
    # take a line of the text's page)
    start = xml.rindex("<w:p>", 0, text_section.start())
    xml = xml[:start] + xml[frame.end() :]
    last = [s for s in _SECTION.finditer(xml)][-1]
    xml = xml[: last.start()] + text_section.group(0) + xml[last.end() :]
    parts[DOCUMENT] = xml.encode("utf-8")
    return write_parts(parts)


def unnumbered(data: bytes) -> bytes:
    """The document with its 版记 page unnumbered (after a blank page, §7.5)."""
    parts = read_parts(data)
    parts[DOCUMENT] = _NUMBER_FRAME.sub("", parts[DOCUMENT].decode("utf-8"), count=1).encode("utf-8")
    return write_parts(parts)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext; pages end in a form feed),
    read once for the PDF's size and time: settling asks for it up to three times."""
    state = pdf.stat()
    return list(_page_texts(str(pdf), state.st_size, state.st_mtime_ns))


@functools.lru_cache(maxsize=256)
def _page_texts(pdf: str, _size: int, _mtime_ns: int) -> tuple[str, ...]:
    if shutil.which("pdftotext") is None:
        raise PreviewError(_("pdftotext is not installed: install poppler-utils to lay out the 版记 page"))
    done = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise PreviewError(
            _("pdftotext could not read {name}: {problem}").format(
                name=Path(pdf).name, problem=done.stderr.strip()
            )
        )
    return tuple(done.stdout.split("\f")[:-1])


def blank_before_last(pdf: Path) -> bool:
    pages = page_texts(pdf)
    return len(pages) >= 2 and not pages[-2].strip()


def needs_settling(docx: Path, pdf: Path) -> bool:
    """Whether LibreOffice put a blank page before the 版记 page of this document."""
    return pdf.exists() and has_closing_section(docx.read_bytes()) and blank_before_last(pdf)


def variants(documents: list[Path], folder: Path) -> Variants:
    """Both settled variants of each document with a 版记 section, written into folder
    (to be converted in the same LibreOffice run as the documents, their PDFs named
    after theirs): per document, per way, the bytes and the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    made: Variants = {}
    for docx in documents:
        data = docx.read_bytes()
        if has_closing_section(data):
            made[docx] = {}
            for number, (how, rewrite) in enumerate(((ON_TEXT_PAGE, on_text_page), (UNNUMBERED, unnumbered))):
                copy, settled = folder / f"{docx.stem}~{number}.docx", rewrite(data)
                copy.write_bytes(settled)
                made[docx][how] = (settled, copy)
    return made


def variant_copies(made: Variants) -> list[Path]:
    """The variants' files, to convert beside their documents."""
    return [copy for ways in made.values() for _data, copy in ways.values()]


def converted_variants(made: Variants, out_dir: Path) -> Variants:
    """The variants' PDFs that the run wrote into out_dir, in place of their copies."""
    return {
        docx: {how: (data, out_dir / f"{copy.stem}.pdf") for how, (data, copy) in ways.items()}
        for docx, ways in made.items()
    }


def to_pdf_settled(
    documents: list[Path],
    out_dir: Path,
    project_root: Path,
    timeout: float = CONVERT_TIMEOUT,
    profile: Path | None = None,
) -> tuple[list[Path], dict[Path, str]]:
    """The documents converted (preview.to_pdf) and settled (`settle`): their PDFs, and
    how each settled document was. Up to FEW documents, in one LibreOffice run."""
    with tempfile.TemporaryDirectory(prefix="circulars-variants-") as scratch:
        folder = Path(scratch)
        made = variants(documents, folder / "in") if len(documents) <= FEW else {}
        extra = variant_copies(made)
        try:
            to_pdf([*documents, *extra], folder / "out", project_root, timeout, profile)
        except PreviewError:
            if not all((folder / "out" / f"{docx.stem}.pdf").exists() for docx in documents):
                raise  # else only a variant is missing: settle converts it again
        out_dir.mkdir(parents=True, exist_ok=True)
        pdfs = [out_dir / f"{docx.stem}.pdf" for docx in documents]
        for pdf in pdfs:
            shutil.move(folder / "out" / pdf.name, pdf)
        ready = converted_variants(made, folder / "out")
        return pdfs, settle(list(zip(documents, pdfs, strict=True)), project_root, profile, ready)


def settle(
    converted: list[tuple[Path, Path]],
    project_root: Path,
    profile: Path | None = None,
    ready: Variants | None = None,
) -> dict[Path, str]:
    """Settle the 版记 page of each (Word document, its PDF) that needs it, rewriting
    both in place; returns how each rewritten document was settled (ON_TEXT_PAGE or
    UNNUMBERED). Variants `ready` (converted with the documents) are used as they are;
    the others take two more LibreOffice runs at most (with `profile`: see
    preview.to_pdf), for all of them together. A document LibreOffice fails on is left
    as it was."""
    waiting = {docx: pdf for docx, pdf in converted if needs_settling(docx, pdf)}
    if not waiting:
        return {}
    ready = {
        docx: {how: made for how, made in ways.items() if made[1].exists()}
        for docx, ways in (ready or {}).items()
    }
    settled: dict[Path, str] = {}
    with tempfile.TemporaryDirectory(prefix="circulars-closing-") as scratch:
        folder = Path(scratch)

        def tried(how: str, rewrite, documents, name: str) -> dict[Path, tuple[bytes, Path]]:
            made = {docx: ready[docx][how] for docx in documents if how in ready.get(docx, {})}
            left = {docx: rewrite(docx.read_bytes()) for docx in documents if docx not in made}
            return made | _convert(left, folder / name, project_root, profile)

        pending = []
        for docx, (data, made) in tried(ON_TEXT_PAGE, on_text_page, waiting, "a").items():
            pdf = waiting[docx]
            # two pages fewer: the blank page and the 版记 page gone, the 版记 on the text's page
            if len(page_texts(made)) == len(page_texts(pdf)) - 2:
                _keep(docx, pdf, data, made)
                settled[docx] = ON_TEXT_PAGE
            else:
                pending.append(docx)
        for docx, (data, made) in tried(UNNUMBERED, unnumbered, pending, "b").items():
            _keep(docx, waiting[docx], data, made)
            settled[docx] = UNNUMBERED
    return settled


def _convert(
    documents: dict[Path, bytes], folder: Path, project_root: Path, profile: Path | None
) -> dict[Path, tuple[bytes, Path]]:
    """Each document's bytes and PDF, converted in one LibreOffice run."""
    if not documents:
        return {}
    folder.mkdir(parents=True)
    copies = {}
    for index, (docx, data) in enumerate(documents.items()):
        copies[docx] = folder / f"{index}.docx"
        copies[docx].write_bytes(data)
    with contextlib.suppress(PreviewError):  # a document LibreOffice left out stays as it was
        to_pdf(list(copies.values()), folder / "pdf", project_root, profile=profile)
    made = {docx: folder / "pdf" / f"{copy.stem}.pdf" for docx, copy in copies.items()}
    return {docx: (documents[docx], pdf) for docx, pdf in made.items() if pdf.exists()}


def _keep(docx: Path, pdf: Path, data: bytes, made: Path) -> None:
    """The settled document and its PDF in place of the first ones, each by a rename."""
    staged = docx.with_name(f".{docx.name}.settled")
    staged.write_bytes(data)
    staged.replace(docx)
    shutil.move(made, pdf.with_name(f".{pdf.name}.settled"))
    pdf.with_name(f".{pdf.name}.settled").replace(pdf)
