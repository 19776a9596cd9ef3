"""A PDF of each circular for the site, rendered from its Word document by LibreOffice.

LibreOffice takes about half a second a document once it runs, and a few
seconds to start, so the documents that need converting go in runs of many, one
LibreOffice process per core at a time (each with its own profile).
A PDF is kept in a cache named by its Word document's SHA-256 and by what else
the conversion reads (`conversion_key`: the fonts configuration, templates/fonts.conf
where the project has its own, and LibreOffice's build): a document that has not
changed is not converted again, and its PDF keeps the same bytes (and so the
same published SHA-256) from build to build, although LibreOffice would stamp a
new date into a new conversion; a new fonts.conf or LibreOffice converts again.

Each PDF is copied beside its Word document as ID.pdf (build/docx/ID.pdf), to be
found by the circular's id. The cache is `pdf/` in the Word documents' folder (build/docx/pdf/), where a
build removes the PDFs of documents that no longer exist; CIRCULARS_PDF_CACHE
names another folder, shared by several projects (the tests use one), which
nothing prunes. Without LibreOffice the site is built without PDFs, and the
build says so once.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..docx.build import record_settled
from ..docx.closing_page import (
    FEW,
    Variants,
    converted_variants,
    needs_settling,
    settle,
    variant_copies,
    variants,
)
from ..docx.preview import PreviewError, conversion_key, soffice, to_pdf
from ..docx.resident import stop, used
from ..i18n import _
from .beside import libreoffice_profile

CACHE_ENV = "CIRCULARS_PDF_CACHE"
# A LibreOffice run may take this long to start and this long for each document
# (a long GB/T 9704 circular takes about 2 s).
START_SECONDS = 120
SECONDS_PER_DOCUMENT = 10
# runs of 1,000 documents stopped part-way (and a second pass converted the rest)
BATCH = 100


@dataclass
class PdfResult:
    pdfs: dict[str, Path] = field(default_factory=dict)
    """Circular id -> its PDF in the cache."""
    missing: dict[str, tuple[Path, str]] = field(default_factory=dict)
    """The documents without a PDF in the cache, left to convert (when not converting)."""
    converted: int = 0
    warnings: list[str] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)
    """Circular ids whose Word document was replaced by the one its 版记 page settled in
    (docx/closing_page): their size and SHA-256 changed."""


def cache_folder(docx_dir: Path) -> tuple[Path, bool]:
    """The cache folder, and whether this build may prune it."""
    shared = os.environ.get(CACHE_ENV)
    return (Path(shared), False) if shared else (docx_dir / "pdf", True)


def cached_name(sha256: str, key: str) -> str:
    """The cache's name for the PDF of the document with that SHA-256, converted under key."""
    return f"{sha256}-{key}.pdf"


def render_pdfs(
    documents: dict[str, tuple[Path, str]],
    docx_dir: Path,
    project_root: Path,
    convert: bool = True,
    jobs: int | None = None,
) -> PdfResult:
    """PDFs for the documents given as {circular id: (docx path, its SHA-256)}. Without
    convert, only those in the cache, and `missing` says which are not (`circulars serve`
    converts them after the rebuild, with convert_pdfs, and does not prune the cache)."""
    cache, prune = cache_folder(docx_dir)
    key = conversion_key(project_root)
    missing = not_cached(documents, docx_dir, project_root)
    if convert:
        result = convert_pdfs(missing, docx_dir, project_root, jobs)
    else:
        result, prune = PdfResult(missing=missing), False
    wanted = {cached_name(sha, key) for _path, sha in documents.values()}
    for circular_id, (docx, sha) in documents.items():
        pdf = cache / cached_name(sha, key)
        if pdf.exists():
            settled = pdf.with_suffix(".docx")  # the document as its 版记 page settled
            if settled.exists():
                _place(settled, docx)
                record_settled(docx.parent, circular_id)
                result.settled.add(circular_id)
                # cached under the settled document's SHA-256 too: the next build offers that one
                again = cache / cached_name(hashlib.sha256(settled.read_bytes()).hexdigest(), key)
                if not again.exists():
                    _place(pdf, again)
                wanted |= {again.name, settled.name}
            result.pdfs[circular_id] = pdf
            _place(pdf, docx.with_suffix(".pdf"))
    if prune and cache.is_dir():
        for entry in [*cache.glob("*.pdf"), *cache.glob("*.docx")]:
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)
    return result


def not_cached(
    documents: dict[str, tuple[Path, str]], docx_dir: Path, project_root: Path
) -> dict[str, tuple[Path, str]]:
    """The documents given as {circular id: (docx path, its SHA-256)} whose PDF is not in
    the cache."""
    cache, key = cache_folder(docx_dir)[0], conversion_key(project_root)
    return {
        cid: (path, sha)
        for cid, (path, sha) in documents.items()
        if not (cache / cached_name(sha, key)).exists()
    }


def _place(source: Path, named: Path) -> None:
    """A copy of a file under another name, by a rename of a staged copy (never half
    written; the source may be on another file system), unless it is there already:
    a converted PDF or settled document into the cache, and the cached PDF as ID.pdf
    beside ID.docx (the cache's names are SHA-256s, which nobody looking for a
    circular's PDF under build/ can find), a settled Word document over ID.docx.
    A copy keeps the source's modification time: a file of the same size and time is
    taken for it, as rsync and make do (every build offers a thousand PDFs again)."""
    original = source.stat()
    try:
        there = named.stat()
        if (there.st_size, there.st_mtime_ns) == (original.st_size, original.st_mtime_ns):
            return
    except FileNotFoundError:
        pass
    staged = named.with_name(f".{named.name}.tmp")
    shutil.copyfile(source, staged)
    os.utime(staged, ns=(original.st_atime_ns, original.st_mtime_ns))
    staged.replace(named)


def convert_pdfs(
    missing: dict[str, tuple[Path, str]],
    docx_dir: Path,
    project_root: Path,
    jobs: int | None = None,
    handed: threading.Event | None = None,
) -> PdfResult:
    """Convert the documents given into the cache, their PDFs named by their SHA-256,
    with `jobs` LibreOffice processes at a time (default: one per core); `handed` is set
    once the first run is handed to LibreOffice."""
    result = PdfResult()
    cache, _prune = cache_folder(docx_dir)
    if missing and soffice() is None:
        result.warnings.append(
            _(
                "LibreOffice is not installed (no 'soffice' command): the site offers the Word documents "
                "without PDFs. Install libreoffice-writer, or set `pdf: false` for the circulars plugin "
                "in mkdocs.yml to say that PDFs are not wanted."
            )
        )
    elif missing:
        cache.mkdir(parents=True, exist_ok=True)
        key = conversion_key(project_root)
        kept = libreoffice_profile(docx_dir)
        result.converted = _convert(missing, cache, key, project_root, result.warnings, jobs, kept, handed)
    return result


def workers(documents: int, jobs: int | None = None) -> int:
    """LibreOffice processes for that many documents: `jobs` (`circulars build -j`), else
    one per core, never more than there are documents. A LibreOffice process uses one
    core, so a single run left the other cores idle for most of a first build."""
    return max(1, min(jobs or os.cpu_count() or 1, documents))


def _batches(waiting: list[Path], jobs: int) -> list[list[Path]]:
    """Runs of at most BATCH documents, as few as that allows and as many for each worker
    (each worker takes the next run when it is done with one): every run starts
    LibreOffice again, a second or two of a core."""
    count = jobs * math.ceil(len(waiting) / (jobs * BATCH)) or 1
    size = max(1, math.ceil(len(waiting) / count))
    return [waiting[start : start + size] for start in range(0, len(waiting), size)]


def _convert(
    missing: dict[str, tuple[Path, str]],
    cache: Path,
    key: str,
    project_root: Path,
    warnings: list[str],
    jobs: int | None,
    kept: Path,
    handed: threading.Event | None = None,
) -> int:
    """Convert in LibreOffice runs of BATCH documents at most, as many runs at a time as
    `workers` says (each worker with its own profile, kept from one of its runs to the
    next), then once more those a run left out: at 1,000 documents one run would stop
    part-way (a crash of LibreOffice loses the rest of its list), leaving PDFs missing
    at every build. Each PDF enters the cache under its document's SHA-256 by a rename,
    so an interrupted build leaves no half-written PDF there. The first run has the
    `kept` profile (site/beside.py), the others one of this conversion's own.

    The 版记 pages that need settling (docx/closing_page) are settled once every run is
    done, each worker's share in two more runs at most (one per batch would start
    LibreOffice twice a batch); a few documents are converted with their variants, and
    need none."""
    with tempfile.TemporaryDirectory(prefix="circulars-pdf-") as scratch:
        scratch_dir = Path(scratch)
        # copies named as the cache names their PDFs, so that the PDFs come out so named
        inputs = []
        for path, sha in missing.values():
            copy = scratch_dir / f"{Path(cached_name(sha, key)).stem}.docx"
            shutil.copyfile(path, copy)
            inputs.append(copy)
        jobs = workers(len(inputs), jobs)
        few = len(inputs) <= FEW
        lock = threading.Lock()
        made: set[str] = set()
        problems: list[str] = []
        unsettled: dict[Path, Path] = {}  # Word document -> its PDF, whose 版记 page waits
        ready: Variants = {}

        def note(error: PreviewError) -> None:  # the PDF stays, its 版记 page as LibreOffice set it
            with lock:
                if str(error) not in warnings:
                    warnings.append(str(error))

        def sort_out(pairs: list[tuple[Path, Path]]) -> None:
            for docx, pdf in pairs:
                try:
                    later = needs_settling(docx, pdf)
                except PreviewError as error:
                    note(error)
                    later = False
                with lock:
                    made.add(pdf.stem)
                    if later:
                        unsettled[docx] = pdf
                if not later:
                    _place(pdf, cache / pdf.name)

        # the first run has the kept profile: the LibreOffice kept running with it takes the
        # run (docx/resident.py), or one started ahead for this build (which then ends: no
        # other run may be given it), else it starts with it
        first = [kept]

        def worker(number: int, runs: list[list[Path]]) -> None:
            out = scratch_dir / f"pdf-{number}"
            while True:
                with lock:
                    if not runs:
                        return
                    batch = runs.pop(0)
                    profile = first.pop() if first else scratch_dir / f"profile-{number}"
                if profile == kept:
                    used(kept)  # `circulars serve` converts too: not stopped as unused meanwhile
                alongside = variants(batch, scratch_dir / f"variants-{number}") if few else {}
                extra = variant_copies(alongside)
                if handed is not None:
                    handed.set()
                try:
                    to_pdf(
                        [*batch, *extra],
                        out,
                        project_root,
                        timeout=START_SECONDS + SECONDS_PER_DOCUMENT * (len(batch) + len(extra)),
                        profile=profile,
                    )
                except PreviewError as error:  # some may have been converted: keep those
                    if profile == kept:  # the LibreOffice kept may be stuck: the next build starts one
                        stop(kept)
                    with lock:
                        problems.append(str(error))
                with lock:
                    ready.update(converted_variants(alongside, out))
                sort_out(
                    [
                        (docx, out / f"{docx.stem}.pdf")
                        for docx in batch
                        if (out / f"{docx.stem}.pdf").exists()
                    ]
                )

        def settler(number: int, share: list[tuple[Path, Path]]) -> None:
            try:
                for docx in settle(share, project_root, scratch_dir / f"profile-{number}", ready):
                    _place(docx, cache / docx.name)
            except PreviewError as error:
                note(error)
            for _docx, pdf in share:
                _place(pdf, cache / pdf.name)

        for _attempt in range(2):  # a second pass for what a run left out
            problems.clear()
            runs = _batches([document for document in inputs if document.stem not in made], jobs)
            _in_threads(worker, [(number, runs) for number in range(min(jobs, len(runs)))])
            if not problems:
                break
        pending = list(unsettled.items())
        _in_threads(settler, [(number, pending[number::jobs]) for number in range(min(jobs, len(pending)))])
        if problems:
            warnings.append(
                _("some circulars have no PDF on the site: {problem}").format(problem=problems[0])
            )
    return len(made)


def _in_threads(target, arguments: list[tuple]) -> None:
    threads = [
        threading.Thread(target=target, args=args, name=f"circulars-pdf-{number}")
        for number, args in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
