"""Writing the Word documents of many circulars, across processes.

Two steps, both spread over a pool of worker processes (each with its own
renderer and loaded reference documents): render every circular to Markdown,
then write each .docx. The site needs the Markdown before it can build its
pages, but the documents only when it copies files, so the site plugin starts
the writing in the background and lets MkDocs work meanwhile.

A document whose inputs are those it was last written from, and which is still
there as written, is neither rendered nor written again: its Markdown comes from
the build record (build_record.py), which each build brings up to date.

Each file is written to a temporary name and renamed into place, so an
interrupted or failed build never leaves a half-written document or destroys
the one built before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import _, current_language, use_language
from ..render.renderer import Rendered, Renderer, RenderError, layout_of
from ..source.body_model import every_attachment
from ..source.model import Circular
from ..source.project import Project
from ..source.registry import Registry
from .build_record import BuildRecord, Entry, Inputs
from .reference import ReferenceDocumentError, reference_for
from .writer import DocxWriter

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class BuiltDocument:
    circular_id: str
    path: Path
    size: int
    sha256: str
    markdown: str  # what the document was written from; the site shows the same


@dataclass
class BuildResult:
    documents: list[BuiltDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: render, write
    rebuilt: int = 0  # documents written by this build
    up_to_date: int = 0  # documents kept as they were, their inputs unchanged
    drafts_left_off: list[str] = field(default_factory=list)  # ids the site did not publish
    site_unchanged: bool = False  # the site build found nothing changed and stopped there


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place.

    A failure (a full disk, a read-only folder) is an OSError naming `path`,
    the file the user asked for, not the temporary one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- worker side: one renderer and writer per process ------------------------------
# A worker is given the build's circulars once, as it starts (a forked one inherits
# them), and is then sent ids and Markdown only: sending each circular's model to
# a worker to render, back, and out again to write cost the main process more
# than rendering them itself.

_worker: tuple[Renderer, DocxWriter, dict[str, Circular]] | None = None


def _start_worker(root: Path, registry: Registry, circulars: dict[str, Circular], language: str) -> None:
    global _worker
    use_language(language)  # a worker spawned (not forked) would speak English
    _worker = (Renderer(root, registry), DocxWriter(root, registry), circulars)


def _render_chunk(ids: list[str]) -> list[tuple[str, str | None, str | None]]:
    """(id, Markdown, None) for each circular, or (id, None, the template's error)."""
    renderer, _, circulars = _worker
    out = []
    for circular_id in ids:
        try:
            out.append((circular_id, renderer.render(circulars[circular_id]).markdown, None))
        except RenderError as error:
            out.append((circular_id, None, str(error)))
    return out


def _write_chunk(items: list[tuple[str, str]], out_dir: Path) -> list[tuple[BuiltDocument, set[str]]]:
    """Write each (id, Markdown) as OUT_DIR/ID.docx."""
    _, writer, circulars = _worker
    out = []
    for circular_id, markdown in items:
        circular = circulars[circular_id]
        written = writer.write(Rendered(circular, layout_of(circular), markdown))
        path = out_dir / f"{circular_id}.docx"
        write_atomically(path, written.data)
        digest = hashlib.sha256(written.data).hexdigest()
        out.append(
            (BuiltDocument(circular_id, path, len(written.data), digest, markdown), written.missing_styles)
        )
    return out


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: list, jobs: int) -> list[list]:
    size = max(1, min(32, len(items) // (jobs * 4)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _split(items: list, parts: int) -> list[list]:
    """`parts` runs of consecutive items: each keeps one worker busy to the end."""
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


class DocumentBuild:
    """Renders circulars and writes their documents into out_dir, skipping those whose
    inputs have not changed since they were written (build_record.py); with force,
    every one is built again."""

    def __init__(self, project: Project, out_dir: Path, jobs: int | None = None, force: bool = False):
        self.project = project
        self.out_dir = out_dir
        self.jobs = jobs or os.cpu_count() or 1
        self.result = BuildResult()
        self.rendered: dict[str, Rendered] = {}
        self.record = BuildRecord(out_dir) if force else BuildRecord.load(out_dir)
        if self.record.problem:
            self.result.warnings.append(self.record.problem)
        self.inputs: dict[str, str] = {}  # circular id -> digest of its inputs
        self.pool: ProcessPoolExecutor | None = None
        self._local = False
        self._to_write: list[Rendered] = []
        self._kept: dict[str, Entry] = {}
        self._pending: list[Future] = []
        self._done: list = []
        self._circulars: list[Circular] = []
        self._rendered_all = False  # render() has run to its end
        self._writing_started = 0.0

    def _workers(self, count: int) -> ProcessPoolExecutor | None:
        """The pool for `count` documents' work, or None to do it in this process."""
        worker = (
            self.project.root,
            self.project.registry,
            {c.id: c for c in self._circulars},
            current_language(),
        )
        if self.pool is None and self.jobs > 1 and count >= PARALLEL_THRESHOLD:
            from concurrent.futures import ProcessPoolExecutor  # 20 ms to import: only for a pool

            self.pool = ProcessPoolExecutor(self.jobs, initializer=_start_worker, initargs=worker)
        if self.pool is None and not self._local:
            _start_worker(*worker)
            self._local = True
        return self.pool

    def render(self, circulars: list[Circular]) -> dict[str, Rendered]:
        """Markdown of each circular (template errors are collected in result.errors):
        kept from the last build where the inputs are the same, else rendered."""
        started = time.perf_counter()
        self._circulars = circulars
        inputs = Inputs(self.project)
        cached: dict[str, Rendered] = {}
        to_render = []
        for circular in circulars:
            self.inputs[circular.id] = digest = inputs.of(circular)
            markdown = self.record.markdown(circular.id, digest)
            if markdown is None:
                to_render.append(circular)
            else:
                cached[circular.id] = Rendered(circular, layout_of(circular), markdown)
        outcomes = []
        if to_render:
            ids = [circular.id for circular in to_render]
            pool = self._workers(len(ids))
            if pool is None:
                outcomes = _render_chunk(ids)
            else:
                outcomes = [o for chunk in pool.map(_render_chunk, _chunks(ids, self.jobs)) for o in chunk]
        fresh = {}
        for circular_id, markdown, error in outcomes:
            if error:
                self.result.errors.append(error)
            else:
                fresh[circular_id] = markdown
        for circular in circulars:
            rendered = cached.get(circular.id)
            if rendered is None and circular.id in fresh:
                rendered = Rendered(circular, layout_of(circular), fresh[circular.id])
            if rendered is None:
                continue
            self.rendered[circular.id] = rendered
            kept = self.record.document(circular.id, self.inputs[circular.id])
            # rendered again (its Markdown was lost): kept if the Markdown is the same
            if kept and (circular.id in cached or _sha256(rendered.markdown) == kept.markdown):
                self._kept[circular.id] = kept
            else:
                self._to_write.append(rendered)
        self._check_references()
        self._rendered_all = True
        self.result.timings["render"] = time.perf_counter() - started
        return self.rendered

    def _check_references(self) -> None:
        """Load each layout's reference document here, before any document is
        written: one that is broken stops its documents with a message naming it."""
        broken = set()
        for layout in sorted({rendered.layout for rendered in self._to_write}):
            try:
                reference_for(self.project.root, layout)
            except ReferenceDocumentError as error:
                self.result.errors.append(str(error))
                broken.add(layout)
        self._to_write = [r for r in self._to_write if r.layout not in broken]
        self.rendered = {
            key: r for key, r in self.rendered.items() if key in self._kept or r.layout not in broken
        }

    def start_writing(self, leave_a_core: bool = False) -> None:
        """Write the documents that are not up to date; in the background when there is a pool.

        With leave_a_core, one core fewer writes, so that the main process
        (MkDocs building the pages meanwhile) keeps a core of its own.
        """
        self._writing_started = time.perf_counter()
        items = [(rendered.circular.id, rendered.markdown) for rendered in self._to_write]
        if not items:
            return
        pool = self._workers(len(items))
        if pool is None:
            self._done.extend(_write_chunk(items, self.out_dir))
            return
        writers = max(1, self.jobs - 1) if leave_a_core else self.jobs
        chunks = _chunks(items, self.jobs) if writers == self.jobs else _split(items, writers)
        self._pending = [pool.submit(_write_chunk, chunk, self.out_dir) for chunk in chunks]

    def finish(self) -> BuildResult:
        """Wait for every document and record them; then copy the attachments beside them."""
        try:
            for future in self._pending:
                self._done.extend(future.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        written = {built.circular_id: (built, set(missing)) for built, missing in self._done}
        for circular_id, (built, missing) in written.items():
            entry = Entry(
                self.inputs[circular_id],
                built.size,
                built.sha256,
                _sha256(built.markdown),
                tuple(sorted(missing)),
            )
            self._keep_markdown(entry, built.markdown)
            self.record.entries[circular_id] = entry
        for circular_id, entry in self._kept.items():
            path = self.out_dir / f"{circular_id}.docx"
            markdown = self.rendered[circular_id].markdown
            self._keep_markdown(entry, markdown)
            built = BuiltDocument(circular_id, path, entry.size, entry.sha256, markdown)
            written[circular_id] = (built, set(entry.missing_styles))
        self._save_record()
        missing: set[str] = set()
        for circular in self._circulars:
            if circular.id in written:
                built, missing_styles = written[circular.id]
                self.result.documents.append(built)
                missing |= missing_styles
        for name in sorted(missing):
            self.result.warnings.append(
                _("style '{name}' is not in the reference document; used Normal").format(name=name)
            )
        self.result.rebuilt = len(self._done)
        self.result.up_to_date = len(self._kept)
        self.result.warnings += copy_attachments(self.project, self._circulars, self.out_dir / "attachments")
        self.result.timings["write"] = time.perf_counter() - self._writing_started
        return self.result

    def _keep_markdown(self, entry: Entry, markdown: str) -> None:
        path = self.record.markdown_path(entry.markdown)
        if not path.is_file():
            write_atomically(path, markdown.encode("utf-8"))

    def _save_record(self) -> None:
        known = {circular.id for circular in self.project.circulars} | set(self.inputs)
        if self._rendered_all and self.out_dir.is_dir():
            write_atomically(self.record.path, self.record.encoded(known))
            self.record.prune_markdown(known)


def record_settled(out_dir: Path, circular_id: str) -> None:
    """Record out_dir/ID.docx as its document's bytes after the PDF step settled its
    版记 page (closing_page): the next build keeps it instead of writing it again."""
    record = BuildRecord.load(out_dir)
    entry = record.entries.get(circular_id)
    if entry is None:  # not built by a recorded build: nothing to keep
        return
    data = (out_dir / f"{circular_id}.docx").read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if entry.sha256 == sha256:
        return
    record.entries[circular_id] = replace(entry, size=len(data), sha256=sha256)
    write_atomically(record.path, record.encoded(set(record.entries)))


def build_documents(
    project: Project, circulars: list[Circular], out_dir: Path, jobs: int | None = None, force: bool = False
) -> BuildResult:
    """Write out_dir/<id>.docx for each circular whose inputs changed since it was
    written (each one with force), and their attachment files."""
    build = DocumentBuild(project, out_dir, jobs, force)
    build.render(list(circulars))
    build.start_writing()
    return build.finish()


def copy_attachments(project: Project, circulars: list[Circular], target: Path) -> list[str]:
    """Attachment files go to attachments/ beside the documents that link to them.

    build/docx/ holds every circular's document in one folder, so their links share
    one attachments/ folder: files of one name and the same bytes are one file; two
    that differ cannot both be there, and the warning says which one the link opens
    (the site and the distributed copies keep each circular's attachments apart)."""
    warnings = []
    copied: dict[str, tuple[Path, bytes]] = {}
    for circular in circulars:
        source = project.source(circular.id)
        for _source, attachment in every_attachment(circular):
            if attachment.file is None:
                continue
            origin = (source.path.parent / attachment.file).resolve()
            name = origin.name
            data = origin.read_bytes()  # an error here names the attachment, one in writing the copy
            if name in copied:
                first, first_data = copied[name]
                if first != origin and first_data != data:
                    warnings.append(
                        _(
                            "build/docx: attachments {first} and {origin} differ but share the name "
                            "'{name}'; attachments/{name} beside the Word documents is the first (the site "
                            "keeps both)"
                        ).format(first=first, origin=origin, name=name)
                    )
                continue
            copied[name] = (origin, data)
            destination = target / name
            if not destination.is_file() or destination.read_bytes() != data:
                write_atomically(destination, data)
    return warnings
