"""A project: the registry and every valid circular, with where each came from.

A project is a folder holding `circulars/` (the YAML sources and the registry)
and optionally `templates/` (overrides of the built-in templates).
source/loading.py reads one from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostics, Position
from .model import Circular, Organization, Person
from .registry import Registry
from .yaml_source import SourceMap

DATA_DIR = "circulars"
ORGANIZATIONS_FILE = "organizations.yaml"
PEOPLE_FILE = "people.yaml"
REGISTRY_FILES = (ORGANIZATIONS_FILE, PEOPLE_FILE)


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
    # ids and (issuer, year, number) claimed by files that failed validation:
    # references to them are not "unknown", and `new` does not reuse them
    invalid_ids: set[str] = field(default_factory=set)
    invalid_numbers: set[tuple[str, int, int]] = field(default_factory=set)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    _by_id: dict[str, Source] = field(default_factory=dict, repr=False)

    def add(self, source: Source) -> None:
        self.sources.append(source)
        self._by_id.setdefault(source.circular.id, source)  # a duplicate id is reported by the checks

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

    def next_number(self, issuer: str, year: int) -> int:
        """One more than the highest number the issuer has used this year, drafts included."""
        used = {c.number for c in self.circulars if c.lead_issuer == issuer and c.year == year and c.number}
        used |= {n for (org, y, n) in self.invalid_numbers if org == issuer and y == year}
        return max(used, default=0) + 1


def circular_files(data_dir: Path) -> list[Path]:
    """Every circular's YAML under the data folder, in a stable order."""
    found = [
        p
        for pattern in ("*.yaml", "*.yml")
        for p in data_dir.rglob(pattern)
        if not (p.parent == data_dir and p.name in REGISTRY_FILES)
        and not any(part.startswith(".") for part in p.relative_to(data_dir).parts)
    ]
    return sorted(found)
