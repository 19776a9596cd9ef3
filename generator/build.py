"""`circulars build`, the Word part: every circular rendered and written as .docx.

Documents are rendered in parallel across cores (one renderer and one loaded
reference document per worker process), and each file is written to a temporary
name and renamed into place, so an interrupted or failed build never leaves a
half-written document or destroys the one built before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .docx_writer import DocxWriter
from .model import Circular
from .project import Project
from .registry import Registry
from .rendering import Renderer, RenderError

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


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- worker side: one renderer and writer per process ------------------------------

_worker: tuple[Renderer, DocxWriter] | None = None


def _start_worker(root: Path, registry: Registry) -> None:
    global _worker
    _worker = (Renderer(root, registry), DocxWriter(root, registry))


def _build_one(circular: Circular, out_dir: Path) -> tuple[str, BuiltDocument | None, str | None, set[str]]:
    renderer, writer = _worker
    try:
        rendered = renderer.render(circular)
        written = writer.write(rendered)
    except RenderError as error:
        return circular.id, None, str(error), set()
    path = out_dir / f"{circular.id}.docx"
    write_atomically(path, written.data)
    digest = hashlib.sha256(written.data).hexdigest()
    built = BuiltDocument(circular.id, path, len(written.data), digest, rendered.markdown)
    return circular.id, built, None, written.missing_styles


def _build_chunk(circulars: list[Circular], out_dir: Path) -> list:
    return [_build_one(c, out_dir) for c in circulars]


def build_documents(
    project: Project,
    circulars: Iterable[Circular],
    out_dir: Path,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """Write out_dir/<id>.docx for each circular, and their attachment files."""
    circulars = list(circulars)
    jobs = jobs or os.cpu_count() or 1
    result = BuildResult()
    outcomes = []
    if jobs == 1 or len(circulars) < PARALLEL_THRESHOLD:
        _start_worker(project.root, project.registry)
        for circular in circulars:
            outcomes.append(_build_one(circular, out_dir))
            if progress:
                progress(1)
    else:
        size = max(1, min(32, len(circulars) // (jobs * 4)))
        chunks = [circulars[i : i + size] for i in range(0, len(circulars), size)]
        with ProcessPoolExecutor(
            jobs, initializer=_start_worker, initargs=(project.root, project.registry)
        ) as pool:
            for chunk_outcomes in pool.map(_build_chunk, chunks, [out_dir] * len(chunks)):
                outcomes.extend(chunk_outcomes)
                if progress:
                    progress(len(chunk_outcomes))
    missing: set[str] = set()
    for _circular_id, built, error, missing_styles in outcomes:
        if error:
            result.errors.append(error)
        else:
            result.documents.append(built)
        missing |= missing_styles
    for name in sorted(missing):
        result.warnings.append(f"style '{name}' is not in the reference document; used Normal")
    result.warnings += copy_attachments(project, circulars, out_dir / "attachments")
    return result


def copy_attachments(project: Project, circulars: list[Circular], target: Path) -> list[str]:
    """Attachment files go to attachments/ beside the documents that link to them."""
    warnings = []
    copied: dict[str, Path] = {}
    for circular in circulars:
        source = project.source(circular.id)
        for attachment in circular.attachments:
            if attachment.file is None:
                continue
            origin = (source.path.parent / attachment.file).resolve()
            name = origin.name
            if name in copied and copied[name] != origin:
                warnings.append(
                    f"attachments {copied[name]} and {origin} share the name '{name}'; kept the first"
                )
                continue
            copied[name] = origin
            target.mkdir(parents=True, exist_ok=True)
            destination = target / name
            if not destination.exists() or destination.read_bytes() != origin.read_bytes():
                shutil.copyfile(origin, destination)
    return warnings
