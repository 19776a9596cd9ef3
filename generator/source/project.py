"""A project: the registry and every valid circular, with where each came from.

A project is a folder holding `circulars/` (the YAML sources and the registry)
and optionally `templates/` (overrides of the built-in templates).
source/loading.py reads one from disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from .diagnostics import Diagnostics, Position
from .model import Circular
from .names import DATA_DIR, REGISTRY_FILES
from .registry import Registry
from .registry_format import Organization, Person
from .yaml_source import SourceMap


@dataclass
class Source:
    """A validated circular and where it came from."""

    circular: Circular
    source: SourceMap

    @property
    def path(self) -> Path:
        return self.source.path

    def at(self, *path) -> Position:
        return self.source.at(path)


@dataclass
class Project:
    root: Path
    registry: Registry = field(default_factory=Registry)
    sources: list[Source] = field(default_factory=list)
    registry_sources: dict[str, SourceMap] = field(default_factory=dict)
    # the registry entries as written, duplicates included, for the checks
    organization_entries: list[Organization] = field(default_factory=list)
    people_entries: list[Person] = field(default_factory=list)
    # ids and (issuer, series, year, number) claimed by files that failed validation:
    # references to them are not "unknown", and `new` does not reuse them
    invalid_ids: set[str] = field(default_factory=set)
    invalid_numbers: set[tuple[str, str | None, int, int]] = field(default_factory=set)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # what was read, valid or not, for `check` to say what it checked
    circular_files: list[Path] = field(default_factory=list)
    table_files: set[Path] = field(default_factory=set)
    _by_id: dict[str, Source] = field(default_factory=dict, repr=False)
    _families: dict[str, list[Circular]] = field(default_factory=dict, repr=False)

    def add(self, source: Source) -> None:
        self.sources.append(source)
        circular = source.circular
        self._by_id.setdefault(circular.id, source)  # a duplicate id is reported by the checks
        self._families.setdefault(circular.id, []).append(circular)
        if circular.translation_of and circular.translation_of != circular.id:
            self._families.setdefault(circular.translation_of, []).append(circular)

    def family(self, original: str) -> list[Circular]:
        """The circulars whose id is `original` or that translate it, in the project's order
        (a look-up: the tracker asks for each circular's)."""
        return list(self._families.get(original, ()))

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    @property
    def circulars(self) -> list[Circular]:
        return [s.circular for s in self.sources]

    def source(self, circular_id: str) -> Source | None:
        return self._by_id.get(circular_id)

    def known_ids(self) -> set[str]:
        return set(self._by_id) | self.invalid_ids

    def next_number(self, issuer: str, year: int, series: str | None = None) -> int:
        """One more than the highest number used in the issuer's series this year, drafts included."""
        used = {
            c.number
            for c in self.circulars
            if c.lead_issuer == issuer and c.series == series and c.year == year and c.number
        }
        used |= {n for (org, s, y, n) in self.invalid_numbers if org == issuer and s == series and y == year}
        return max(used, default=0) + 1


def circular_files(data_dir: Path, diagnostics: Diagnostics | None = None) -> list[Path]:
    """Every circular's YAML under the data folder, in a stable order.

    Nothing is skipped in silence: a folder that cannot be read, or a link to a
    folder outside the project, is an error in `diagnostics` (raised as OSError
    when none is given), so a site is never published without its circulars.
    Hidden files and folders (.git, .cache) are not circulars.
    """

    def problem(path: Path, message: str) -> None:
        if diagnostics is None:
            raise OSError(f"{path}: {message}")
        diagnostics.error(path, Position(), message)

    project_root = data_dir.resolve().parent
    found: list[Path] = []
    visited = {data_dir.resolve()}
    pending = [data_dir]  # real folders, walked first
    links: list[Path] = []  # links to folders, walked once unless already seen
    while pending or links:  # a loop, not recursion: a tree of any depth is walked
        if pending:
            folder = pending.pop()
        else:
            folder = links.pop()
            if folder.resolve() in visited:
                continue
            visited.add(folder.resolve())
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            problem(
                folder,
                _("folder is unreadable ({value}); its circulars cannot be read").format(
                    value=error.strerror or error
                ),
            )
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_symlink() and path.is_dir():
                target = path.resolve()
                if target.is_relative_to(project_root):
                    links.append(path)
                else:
                    problem(
                        path,
                        _("links to a folder outside the project ({target}), which is not read").format(
                            target=target
                        ),
                    )
            elif entry.is_dir(follow_symlinks=False):
                visited.add(path.resolve())
                pending.append(path)
            elif entry.name.endswith((".yaml", ".yml")) and not (
                folder == data_dir and entry.name in REGISTRY_FILES
            ):
                found.append(path)
    return sorted(found)
