"""Writing the Word documents of many circulars, across processes.

Two steps, both spread over a pool of worker processes (each with its own
renderer and loaded reference documents): render every circular to Markdown,
then write each .docx. The site needs the Markdown before it can build its
pages, but the documents only when it copies files, so the site plugin starts
the writing in the background and lets MkDocs work meanwhile.

Each file is written to a temporary name and renamed into place, so an
interrupted or failed build never leaves a half-written document or destroys
the one built before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..render.renderer import Rendered, Renderer, RenderError
from ..source.model import Circular
from ..source.project import Project
from ..source.registry import Registry
from .reference import ReferenceDocumentError, reference_for
from .writer import DocxWriter

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

_worker: tuple[Renderer, DocxWriter] | None = None


def _start_worker(root: Path, registry: Registry) -> None:
    global _worker
    _worker = (Renderer(root, registry), DocxWriter(root, registry))


def _render_chunk(circulars: list[Circular]) -> list[tuple[str, Rendered | None, str | None]]:
    renderer = _worker[0]
    out = []
    for circular in circulars:
        try:
            out.append((circular.id, renderer.render(circular), None))
        except RenderError as error:
            out.append((circular.id, None, str(error)))
    return out


def _write_chunk(rendered: list[Rendered], out_dir: Path) -> list[tuple[BuiltDocument, set[str]]]:
    writer = _worker[1]
    out = []
    for item in rendered:
        written = writer.write(item)
        path = out_dir / f"{item.circular.id}.docx"
        write_atomically(path, written.data)
        digest = hashlib.sha256(written.data).hexdigest()
        out.append(
            (
                BuiltDocument(item.circular.id, path, len(written.data), digest, item.markdown),
                written.missing_styles,
            )
        )
    return out


def _chunks(items: list, jobs: int) -> list[list]:
    size = max(1, min(32, len(items) // (jobs * 4)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _split(items: list, parts: int) -> list[list]:
    """`parts` runs of consecutive items: each keeps one worker busy to the end."""
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


class DocumentBuild:
    """Renders circulars and writes their documents into out_dir."""

    def __init__(self, project: Project, out_dir: Path, jobs: int | None = None, count: int = 0):
        self.project = project
        self.out_dir = out_dir
        self.jobs = jobs or os.cpu_count() or 1
        self.result = BuildResult()
        self.rendered: dict[str, Rendered] = {}
        self._pending: list[Future] = []
        self._done: list = []
        self._circulars: list[Circular] = []
        self._writing_started = 0.0
        if self.jobs == 1 or count < PARALLEL_THRESHOLD:
            self.pool = None
            _start_worker(project.root, project.registry)
        else:
            self.pool = ProcessPoolExecutor(
                self.jobs, initializer=_start_worker, initargs=(project.root, project.registry)
            )

    def render(self, circulars: list[Circular]) -> dict[str, Rendered]:
        """Markdown of each circular (template errors are collected in result.errors)."""
        started = time.perf_counter()
        self._circulars = circulars
        if self.pool is None:
            outcomes = _render_chunk(circulars)
        else:
            outcomes = [
                o for chunk in self.pool.map(_render_chunk, _chunks(circulars, self.jobs)) for o in chunk
            ]
        for circular_id, rendered, error in outcomes:
            if error:
                self.result.errors.append(error)
            else:
                self.rendered[circular_id] = rendered
        self._check_references()
        self.result.timings["render"] = time.perf_counter() - started
        return self.rendered

    def _check_references(self) -> None:
        """Load each layout's reference document here, before any document is
        written: one that is broken stops its documents with a message naming it."""
        broken = set()
        for layout in sorted({rendered.layout for rendered in self.rendered.values()}):
            try:
                reference_for(self.project.root, layout)
            except ReferenceDocumentError as error:
                self.result.errors.append(str(error))
                broken.add(layout)
        self.rendered = {key: r for key, r in self.rendered.items() if r.layout not in broken}

    def start_writing(self, leave_a_core: bool = False) -> None:
        """Write the rendered documents; in the background when there is a pool.

        With leave_a_core, one core fewer writes, so that the main process
        (MkDocs building the pages meanwhile) keeps a core of its own.
        """
        self._writing_started = time.perf_counter()
        items = list(self.rendered.values())
        if self.pool is None:
            self._done.extend(_write_chunk(items, self.out_dir))
            return
        writers = max(1, self.jobs - 1) if leave_a_core else self.jobs
        chunks = _chunks(items, self.jobs) if writers == self.jobs else _split(items, writers)
        self._pending = [self.pool.submit(_write_chunk, chunk, self.out_dir) for chunk in chunks]

    def finish(self) -> BuildResult:
        """Wait for every document; then copy the attachments beside them."""
        try:
            for future in self._pending:
                self._done.extend(future.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        missing: set[str] = set()
        for built, missing_styles in self._done:
            self.result.documents.append(built)
            missing |= missing_styles
        for name in sorted(missing):
            self.result.warnings.append(f"style '{name}' is not in the reference document; used Normal")
        self.result.warnings += copy_attachments(self.project, self._circulars, self.out_dir / "attachments")
        self.result.timings["write"] = time.perf_counter() - self._writing_started
        return self.result


def build_documents(
    project: Project, circulars: list[Circular], out_dir: Path, jobs: int | None = None
) -> BuildResult:
    """Write out_dir/<id>.docx for each circular, and their attachment files."""
    circulars = list(circulars)
    build = DocumentBuild(project, out_dir, jobs, len(circulars))
    build.render(circulars)
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
        for attachment in circular.attachments:
            if attachment.file is None:
                continue
            origin = (source.path.parent / attachment.file).resolve()
            name = origin.name
            data = origin.read_bytes()  # an error here names the attachment, one in writing the copy
            if name in copied:
                first, first_data = copied[name]
                if first != origin and first_data != data:
                    warnings.append(
                        f"build/docx: attachments {first} and {origin} differ but share the name '{name}'; "
                        f"attachments/{name} beside the Word documents is the first (the site keeps both)"
                    )
                continue
            copied[name] = (origin, data)
            destination = target / name
            if not destination.is_file() or destination.read_bytes() != data:
                write_atomically(destination, data)
    return warnings
