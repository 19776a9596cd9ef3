"""Adding answers to returns/<circular-id>/<org-id>.yaml: appended, atomic, once per file.

A record only grows: a new return adds an entry under each requirement it
answers, and the earlier entries stay. The file is rewritten whole into a
temporary file and renamed into place, under a lock, so a crash or a second
import running at the same time never leaves half a record or loses one. The
SHA-256 of every file recorded is kept with its entries: the same file
imported again is recognised and not recorded twice. A record is read back
(as every YAML file is: at most 5 MB, at most so many values) before it is
written: a return that would make it unreadable is refused, and the record
stays as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import yaml

from ...docx.build import write_atomically
from ...i18n import _
from ...source.diagnostics import Diagnostics
from ...source.files import MAX_YAML_BYTES
from ...source.model import Circular
from ...source.return_matching import asked_of
from ...source.returns import Answers, Entry, ReturnRecord, read_record, record_path, returns_dir
from ...source.validation import validate
from ...source.yaml_source import read_yaml
from .reading import Received

try:  # POSIX; elsewhere imports are not guarded against running at the same time
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, when PyYAML has it: the same text

HEADER = (
    "# Returns of {org} on {circular}, recorded by `circulars returns import`.\n"
    "# Entries are only ever added, oldest first; the last one under an item is its latest answer.\n"
)


class RecordError(Exception):
    """An existing record cannot be read: nothing is written over it."""


@contextlib.contextmanager
def locked(root: Path, circular_id: str) -> Iterator[None]:
    """Hold the circular's returns lock: one import writes its records at a time."""
    folder = returns_dir(root, circular_id)
    folder.mkdir(parents=True, exist_ok=True)
    # the folder itself is locked: no lock file is left in the records kept in git
    handle = os.open(folder, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _dump(record: ReturnRecord) -> bytes:
    data = record.model_dump(mode="python", exclude_none=True)
    for answers in data["requirements"]:
        if answers.get("target") is None:
            answers.pop("target", None)
    text = yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
    return (HEADER.format(org=record.organization, circular=record.circular) + text).encode("utf-8")


def existing(root: Path, circular_id: str, org_id: str) -> ReturnRecord | None:
    """The record as it is on disk (None if there is none yet); RecordError if it is broken."""
    path = record_path(root, circular_id, org_id)
    if not path.exists():
        return None
    diagnostics = Diagnostics()
    record = read_record(path, diagnostics)
    if record is None:
        problems = "; ".join(d.format(root) for d in diagnostics.errors)
        raise RecordError(
            _("the existing record cannot be read, so nothing was added to it: {problems}").format(
                problems=problems
            )
        )
    return record


def append(root: Path, received: Received, recorded_at: datetime.datetime, circular: Circular) -> bool:
    """Add the answers of one checked file (checked against `circular`) to its organization's
    record, each with what its item asks in this edition, so that a later edition finds it.

    Returns False, writing nothing, when that file (by SHA-256) is recorded already.
    Call it holding `locked(root, circular_id)`.
    """
    circular_id, org_id = received.circular, received.organization
    record = existing(root, circular_id, org_id) or ReturnRecord(circular=circular_id, organization=org_id)
    if received.sha256 in record.sources():
        return False
    stamp = recorded_at.astimezone(datetime.UTC).isoformat(timespec="seconds")
    by_key = {a.key: list(a.entries) for a in record.requirements}
    for answer in received.answers:
        entry = Entry(
            status=answer.status,
            value=answer.value,
            date=answer.date,
            note=answer.note,
            who=answer.who,
            source=received.name,
            sha256=received.sha256,
            edition=received.edition,
            recorded=stamp,
            asked=asked_of(circular, answer.requirement, answer.target),
        )
        by_key.setdefault(answer.key, []).append(entry)
    updated = ReturnRecord(
        circular=circular_id,
        organization=org_id,
        requirements=[
            Answers(requirement=r, target=t, entries=entries)
            for (r, t), entries in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
        ],
    )
    path = record_path(root, circular_id, org_id)
    data = _dump(updated)
    _check_readable(path, data, root)
    write_atomically(path, data)
    return True


def _check_readable(path: Path, data: bytes, root: Path) -> None:
    """RecordError unless `data`, written at `path`, reads back as the same kind of record."""
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if len(data) > MAX_YAML_BYTES:
        raise RecordError(
            _(
                "recording this return would make {shown} {count:,} bytes, more than the {value} MB a "
                "record may have to be read back: nothing was recorded"
            ).format(shown=shown, count=len(data), value=MAX_YAML_BYTES // (1024 * 1024))
        )
    diagnostics = Diagnostics()
    loaded = read_yaml(path, diagnostics, raw=data)
    if loaded.data is not None:
        validate(ReturnRecord, loaded, diagnostics)
    if diagnostics.has_errors():
        problems = "; ".join(d.message for d in diagnostics.errors)
        raise RecordError(
            _(
                "recording this return would make {shown} unreadable ({problems}): nothing was recorded"
            ).format(shown=shown, problems=problems)
        )
