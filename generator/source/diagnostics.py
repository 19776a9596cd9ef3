"""Diagnostics: every problem found in the user's files, pinned to file:line:column.

Loading and checking never raise on bad input; they add diagnostics here, and the
CLI prints them all at once, sorted, in the `file:line:col: severity: message` form
that editors and CI logs turn into links.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..i18n import _

ERROR = "error"
WARNING = "warning"


class Position(NamedTuple):
    """A 1-based line and column in a file (a tuple: a file records hundreds of them)."""

    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    position: Position
    severity: str
    message: str
    # the circular whose reference led here, for a problem inside a file it names (a
    # table's CSV): `check FILE` shows it with FILE's own
    origin: Path | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        return (str(self.path), self.position, self.severity != ERROR, self.message)

    def format(self, relative_to: Path | None = None) -> str:
        shown = self.path
        if relative_to is not None:
            with contextlib.suppress(ValueError):  # another drive on Windows
                shown = Path(os.path.relpath(self.path, relative_to))
            if str(shown).startswith(".."):
                shown = self.path
        severity = _("error") if self.severity == ERROR else _("warning")
        return f"{shown.as_posix()}:{self.position.line}:{self.position.column}: {severity}: {self.message}"


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics, de-duplicated on output."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: Path, position: Position, message: str, origin: Path | None = None) -> None:
        self.items.append(Diagnostic(path, position, ERROR, message, origin))

    def warning(self, path: Path, position: Position, message: str) -> None:
        self.items.append(Diagnostic(path, position, WARNING, message))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == WARNING]

    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)

    def __len__(self) -> int:
        return len(self.items)
