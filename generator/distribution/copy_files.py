"""Writing the copies' folders: one process, or several for a large distribution.

Each copy's folder gets its Word document, the redline (if any), its return form
and the attachments, each file written atomically (write_atomically). With
`distribute -j N` the copies are shared among N forked processes, which inherit
the copy template and the form writer and write their share; only the parent
touches the register, once every folder is written (run.py), so a kill leaves the
register as it was and the next run writes the copies again.

Files are written on a busy disk at ~1 ms each (a temporary file, a rename, the
folders), which one core cannot hide: that is what the processes share.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
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
    docx_name = distribution.document_name(task.copy_number, ".docx")
    write_atomically(task.folder / docx_name, data)
    files = [FileRecord(docx_name, len(data), hashlib.sha256(data).hexdigest()), *redline.write(task.folder)]
    form = distribution.forms.write(task.folder, recipient.org.id)
    if form is not None:
        files.append(form)
    for name, content, digest in distribution.attachment_records:
        write_atomically(task.folder / "attachments" / name, content)
        files.append(FileRecord(f"attachments/{name}", len(content), digest))
    return files


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
