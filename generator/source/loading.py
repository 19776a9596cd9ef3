"""Reading a project from disk: the registry and every circular, with all their problems.

Loading never stops at the first bad file: it reads everything, keeps what is
valid, and collects every diagnostic so `circulars check` can report them in
one run. The cross-file checks run last, over the whole project.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _, current_language
from .checks import check_project
from .code_version import LOADED_CODE
from .diagnostics import Diagnostics, Position
from .files import FileProblem, cache_dir, read_regular
from .model import Circular
from .names import ORGANIZATIONS_FILE, PEOPLE_FILE
from .project import Project, Source, circular_files
from .registry_format import OrganizationsFile, PeopleFile
from .registry_names import name_answers
from .validation import validate
from .yaml_source import read_yaml


@dataclass
class _Read:
    """One circular file as read: its bytes, and what they gave."""

    raw: bytes
    source: Source | None  # None if it is not a valid circular
    data: object  # what it held, for the claims of a file that failed validation
    diagnostics: Diagnostics


@dataclass
class ReadCache:
    """The circular files as last read, for a process that loads one project again
    and again (`circulars serve`): a file whose bytes have not changed is not parsed
    and validated again. The registry, and the checks across files, are always new.
    Only valid files are taken from it: an invalid one's messages may name the
    registry's ids."""

    files: dict[Path, _Read] = field(default_factory=dict)

    def get(self, path: Path, raw: bytes) -> _Read | None:
        known = self.files.get(path)
        return known if known is not None and known.raw == raw and known.source is not None else None

    def put(self, path: Path, read: _Read) -> None:
        self.files[path] = read

    def keep_only(self, paths: list[Path]) -> None:
        kept = set(paths)
        self.files = {path: read for path, read in self.files.items() if path in kept}


class StoredReads:
    """The valid circular files as read before, kept on disk from one command to the next
    (at 1,000 circulars, parsing and validating them is two thirds of reading the
    project, a second; taking them back, a third of a second). One file per circular
    file, named by its path, holding what it gave and the SHA-256 of the bytes it gave
    it from; in a folder named by the generator's code and the language of its
    warnings (cache_dir()/reads/). A file that cannot be read or written there is
    read again, as if never kept."""

    def __init__(self) -> None:
        shape = f"{LOADED_CODE}\0{current_language()}".encode()
        self.folder = cache_dir() / "reads" / hashlib.sha256(shape).hexdigest()[:16]

    def _file(self, path: Path) -> Path:
        return self.folder / f"{hashlib.sha256(os.fsencode(path)).hexdigest()[:32]}.pickle"

    def get(self, path: Path, raw: bytes) -> _Read | None:
        try:
            sha, source, diagnostics = pickle.loads(self._file(path).read_bytes())
        except Exception:  # none, or unreadable: any error unpickling, read again
            return None
        return _Read(raw, source, None, diagnostics) if sha == hashlib.sha256(raw).digest() else None

    def put(self, path: Path, read: _Read) -> None:
        if read.source is None:
            return
        kept = pickle.dumps((hashlib.sha256(read.raw).digest(), read.source, read.diagnostics), protocol=5)
        target = self._file(path)
        staged = target.with_suffix(f".{os.getpid()}.tmp")  # never half written under its name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as out:
                out.write(kept)
            staged.replace(target)
        except OSError:  # read again next time
            with contextlib.suppress(OSError):
                staged.unlink()

    def keep_only(self, paths: list[Path]) -> None:
        """Nothing to forget: a file no longer read is never asked for again."""


def load_project(
    root: Path, extra_files: list[Path] = (), cache: ReadCache | StoredReads | None = None
) -> Project:
    """Read and check the whole project (plus any circular files given outside it),
    taking the valid files whose bytes have not changed from `cache`."""
    root = root.resolve()
    project = Project(root)
    _load_registry(project)
    files = circular_files(project.data_dir, project.diagnostics) if project.data_dir.is_dir() else []
    for extra in extra_files:
        if extra.resolve() not in files:
            files.append(extra.resolve())
    project.circular_files = files
    for path in files:
        _load_circular(project, path, cache)
    if cache is not None:
        cache.keep_only(files)
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
        project.diagnostics.error(orgs_path, Position(), _("the organizations registry is missing"))
        return
    organizations = _read_registry_file(project, ORGANIZATIONS_FILE, OrganizationsFile)
    if organizations is not None:
        project.organization_entries = organizations.organizations
        project.registry.kinds = {kind.id: kind for kind in organizations.kinds}
        for org in organizations.organizations:  # a duplicate id is reported by the checks
            project.registry.organizations.setdefault(org.id, org)
        project.registry.reindex()
    if (project.data_dir / PEOPLE_FILE).exists():
        people = _read_registry_file(project, PEOPLE_FILE, PeopleFile)
        if people is not None:
            project.people_entries = people.people
            for person in people.people:
                project.registry.people.setdefault(person.id, person)


def _load_circular(project: Project, path: Path, cache: ReadCache | StoredReads | None) -> None:
    raw = None
    if cache is not None:
        with contextlib.suppress(FileProblem):  # read_yaml reports it
            raw = read_regular(path)
        known = cache.get(path, raw) if raw is not None else None
        if known is not None:
            _add(project, known)
            return
    diagnostics = Diagnostics()
    loaded = read_yaml(path, diagnostics, raw)
    answer = name_answers(project.registry)
    circular = validate(Circular, loaded, diagnostics, answer) if loaded.data is not None else None
    read = _Read(raw, Source(circular, loaded.source) if circular else None, loaded.data, diagnostics)
    if cache is not None and raw is not None:
        cache.put(path, read)
    _add(project, read)


def _add(project: Project, read: _Read) -> None:
    project.diagnostics.extend(read.diagnostics)
    if read.source is not None:
        project.add(read.source)
    else:
        _remember_claims(project, read.data)


def _remember_claims(project: Project, data: object) -> None:
    if not isinstance(data, dict):
        return
    if isinstance(data.get("id"), str):
        project.invalid_ids.add(data["id"])
    issuer, number, when = data.get("issuer"), data.get("number"), data.get("date")
    series = data.get("series") if isinstance(data.get("series"), str) else None
    issuer = issuer[0] if isinstance(issuer, list) and issuer else issuer
    if isinstance(issuer, str) and isinstance(number, int) and hasattr(when, "year"):
        project.invalid_numbers.add((issuer, series, when.year, number))
