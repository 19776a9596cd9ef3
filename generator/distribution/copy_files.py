"""Writing the copies' folders: one process, or several for a large distribution.

Each copy's folder gets its Word document, the redline (if any), its return form
and the attachments, the folder made whole and renamed into place. With
`distribute -j N` the copies are shared among N forked processes, which inherit
the copy template and the form writer and write their share; only the parent
touches the register, once every folder is written (run.py), so a kill leaves the
register as it was and the next run writes the copies again.

Creating files is most of the time (a fifth of a millisecond each on the shared
machine, more on a busy disk), which one core cannot hide: that is what the
processes share.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..docx.build import write_atomically
from .bundled_forms import BundledForms
from .copies import CopyMaker
from .edition import RedlineCopy
from .recipients import Recipient
from .register import FileRecord


class Distribution(Protocol):
    """What writing a copy needs of a distribution (run.Distribution)."""

    maker: CopyMaker
    forms: BundledForms
    attachment_records: list[tuple[str, bytes, str]]

    def name_of(self, recipient: Recipient) -> str: ...

    def document_name(self, copy_number: int, suffix: str) -> str: ...


# Fewer copies than this per process are written in one: forking and collecting
# cost more than they save.
MIN_PER_PROCESS = 100


@dataclass(frozen=True)
class CopyTask:
    copy_number: int
    recipient: Recipient
    folder: Path


def write_copy(distribution: Distribution, redline: RedlineCopy, task: CopyTask) -> list[FileRecord]:
    """Write one copy's folder; its files as the register records them."""
    recipient = task.recipient
    data = distribution.maker.make(task.copy_number, recipient.org.id, distribution.name_of(recipient))
    made = [
        (distribution.document_name(task.copy_number, ".docx"), data),
        *redline.files(),
        *distribution.forms.form(task.folder, recipient.org.id),
    ]
    files = [FileRecord(name, len(content), hashlib.sha256(content).hexdigest()) for name, content in made]
    for name, content, digest in distribution.attachment_records:
        made.append((f"attachments/{name}", content))
        files.append(FileRecord(f"attachments/{name}", len(content), digest))
    _write_folder(task.folder, made)
    return files


def _write_folder(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """A copy's folder that is not there yet is written under a name of its own beside
    it and renamed into place whole: one rename instead of a temporary file and a
    rename per file, and never a folder half written. One already there (the same
    edition distributed again) has its files replaced one by one, each atomically."""
    if folder.exists() or folder.is_symlink():
        for name, content in files:
            write_atomically(folder / name, content)
        return
    staged = folder.with_name(f".{folder.name}.tmp")
    if staged.is_dir() and not staged.is_symlink():  # left by a run that was killed
        shutil.rmtree(staged)
    else:
        staged.unlink(missing_ok=True)
    staged.mkdir(parents=True)
    for name, content in files:
        path = staged / name
        if path.parent != staged:
            path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
    staged.rename(folder)


# What a forked worker writes from: set in the parent just before the fork.
_shared: tuple[Distribution, RedlineCopy] | None = None


def _write_share(tasks: list[CopyTask]) -> list[list[FileRecord]]:
    assert _shared is not None  # inherited through fork
    distribution, redline = _shared
    return [write_copy(distribution, redline, task) for task in tasks]


def write_copies(
    distribution: Distribution,
    redline: RedlineCopy,
    tasks: list[CopyTask],
    jobs: int | None,
    progress: Callable[[int], None] | None = None,
) -> list[list[FileRecord]]:
    """Write every task's folder, with `jobs` processes (None: one per core); each
    task's files, in the order of the tasks."""
    jobs = min(jobs or os.cpu_count() or 1, max(1, len(tasks) // MIN_PER_PROCESS))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        written = []
        for task in tasks:
            written.append(write_copy(distribution, redline, task))
            if progress:
                progress(1)
        return written
    # the first copy in this process: what the workers inherit is then ready (the form
    # key read or made once, not raced for; the form writer's caches filled)
    written = [write_copy(distribution, redline, tasks[0])]
    if progress:
        progress(1)
    global _shared
    _shared = (distribution, redline)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for files in pool.map(_write_share, list(_shares(tasks[1:], jobs * 8))):
                written += files
                if progress:
                    progress(len(files))
            return written
    finally:
        _shared = None


def _shares(tasks: list[CopyTask], count: int) -> Iterator[list[CopyTask]]:
    """The tasks in `count` runs of consecutive copies (progress moves as each is done)."""
    size = -(-len(tasks) // count)
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]
