"""Loading a project: the registry and every circular, with all their problems.

A project is a folder holding `circulars/` (the YAML sources and the registry)
and optionally `templates/` (overrides of the built-in templates). Loading never
stops at the first bad file: it reads everything, keeps what is valid, and
collects every diagnostic so `circulars check` can report them in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_project
from .diagnostics import Diagnostics, Position
from .model import Circular, Organization, OrganizationsFile, PeopleFile, Person
from .registry import Registry
from .validation import validate
from .yaml_source import SourceMap, read_yaml

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


def load_project(root: Path, extra_files: list[Path] = ()) -> Project:
    """Read and check the whole project (plus any circular files given outside it)."""
    root = root.resolve()
    project = Project(root)
    _load_registry(project)
    files = circular_files(project.data_dir) if project.data_dir.is_dir() else []
    for extra in extra_files:
        if extra.resolve() not in files:
            files.append(extra.resolve())
    for path in files:
        _load_circular(project, path)
    check_project(project)
    return project


def _read_registry_file(project: Project, name: str, model):
    """One registry file, validated, or None (its problems are in the diagnostics)."""
    loaded = read_yaml(project.data_dir / name, project.diagnostics)
    project.registry_sources[name] = loaded.source
    return validate(model, loaded, project.diagnostics) if loaded.data is not None else None


def _load_registry(project: Project) -> None:
    orgs_path = project.data_dir / ORGANIZATIONS_FILE
    if not orgs_path.exists():
        project.diagnostics.error(orgs_path, Position(), "the organizations registry is missing")
        return
    organizations = _read_registry_file(project, ORGANIZATIONS_FILE, OrganizationsFile)
    if organizations is not None:
        project.organization_entries = organizations.organizations
        for org in organizations.organizations:  # a duplicate id is reported by the checks
            project.registry.organizations.setdefault(org.id, org)
        project.registry.reindex()
    if (project.data_dir / PEOPLE_FILE).exists():
        people = _read_registry_file(project, PEOPLE_FILE, PeopleFile)
        if people is not None:
            project.people_entries = people.people
            for person in people.people:
                project.registry.people.setdefault(person.id, person)


def _load_circular(project: Project, path: Path) -> None:
    loaded = read_yaml(path, project.diagnostics)
    if loaded.data is None:
        return
    circular = validate(Circular, loaded, project.diagnostics)
    if circular is None:
        _remember_claims(project, loaded.data)
        return
    project.add(Source(circular, loaded.source))


def _remember_claims(project: Project, data: object) -> None:
    if not isinstance(data, dict):
        return
    if isinstance(data.get("id"), str):
        project.invalid_ids.add(data["id"])
    issuer, number, when = data.get("issuer"), data.get("number"), data.get("date")
    issuer = issuer[0] if isinstance(issuer, list) and issuer else issuer
    if isinstance(issuer, str) and isinstance(number, int) and hasattr(when, "year"):
        project.invalid_numbers.add((issuer, when.year, number))
