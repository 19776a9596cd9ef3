"""Earlier editions of circulars, kept in the project so that their changes can be shown.

A circular's YAML is its latest edition; what earlier editions said is kept
under `editions/ID/DATE.yaml` at the project's root (beside circulars/, whose
loader never reads it as circulars): the YAML as it was when that edition went
out, DATE being the edition's date (its last `changes:` entry, or its `date`).
`circulars distribute` keeps each edition it sends, `circulars keep-edition`
any circular's current text. The site and the redlines read them from here, not
from git's history, so a fresh or shallow clone builds the same pages.

A second text kept for one date (a correction sent the same day) is
DATE-2.yaml, then DATE-3.yaml: nothing kept is ever overwritten.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .model import Circular

EDITIONS_DIR = "editions"
_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.yaml")


@dataclass(frozen=True)
class KeptEdition:
    path: Path
    date: datetime.date
    sequence: int  # 1 for DATE.yaml, 2 for DATE-2.yaml, …


def edition_date(circular: Circular) -> datetime.date:
    """The date of a circular's current edition: its last change, or its date."""
    return circular.changes[-1].date if circular.changes else circular.date


def kept_editions(root: Path, circular_id: str) -> list[KeptEdition]:
    """The earlier editions kept for a circular, oldest first (none: an empty list, at
    the cost of one failed look-up)."""
    folder = root / EDITIONS_DIR / circular_id
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out = []
    for name in names:
        match = _NAME.fullmatch(name)
        if match and (folder / name).is_file():
            try:
                when = datetime.date.fromisoformat(match[1])
            except ValueError:
                continue
            out.append(KeptEdition(folder / name, when, int(match[2] or 1)))
    return sorted(out, key=lambda kept: (kept.date, kept.sequence))


def keep_edition(root: Path, circular: Circular, raw: bytes) -> Path | None:
    """Keep `raw` (the circular's YAML) as the edition of its date; the path written,
    or None when the same text is already kept. Written to a temporary file and
    renamed, never over a kept edition."""
    when = edition_date(circular)
    same_day = [k for k in kept_editions(root, circular.id) if k.date == when]
    if any(k.path.read_bytes() == raw for k in same_day):
        return None
    sequence = max((k.sequence for k in same_day), default=0) + 1
    name = f"{when.isoformat()}.yaml" if sequence == 1 else f"{when.isoformat()}-{sequence}.yaml"
    target = root / EDITIONS_DIR / circular.id / name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.chmod(temporary, 0o644)
        os.link(temporary, target)  # fails rather than replace a file written meanwhile
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target
