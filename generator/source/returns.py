"""Returns: what each responsible organization owes on a circular, and what it has reported.

A circular's requirements (and their targets) name responsible organizations.
Each organization answers, per requirement or target, with a status, the value
it achieved, a date, a note and a contact person. Its answers are kept in
`returns/<circular-id>/<org-id>.yaml` in the project: human-readable, kept in
git, and only ever added to, so the history of every answer stays.

This module only reads: the obligations a circular sets (`obligations`), the
recorded returns (`read_returns`, `latest_returns`) and how far along everyone
is (`progress`). Writing records is the job of distribution/returns/. The site
reads returns through here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from .diagnostics import Diagnostics, Position
from .model import Circular, Date, Identifier, Model
from .project import Project
from .registry import Registry
from .validation import validate
from .yaml_source import read_yaml

RETURNS_DIR = "returns"

ReturnStatus = Literal["not-started", "in-progress", "done", "blocked"]
STATUSES: tuple[str, ...] = ("not-started", "in-progress", "done", "blocked")
DONE = "done"

# How each status is written on a form, in the circular's language.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "en": {"not-started": "not started", "in-progress": "in progress", "done": "done", "blocked": "blocked"},
    "zh": {"not-started": "未开始", "in-progress": "进行中", "done": "已完成", "blocked": "受阻"},
}


def parse_status(text: str) -> str | None:
    """A status from its id or its label in either language; None if it is none of them."""
    cleaned = " ".join(str(text).split()).lower()
    for status in STATUSES:
        if cleaned in (status, status.replace("-", " ")):
            return status
    for labels in STATUS_LABELS.values():
        for status, label in labels.items():
            if cleaned == label.lower():
                return status
    return None


def today() -> date:
    """Today, or the date in CIRCULARS_TODAY (YYYY-MM-DD), as the site uses it."""
    value = os.environ.get("CIRCULARS_TODAY")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"CIRCULARS_TODAY='{value}' is not a date like 2024-04-18") from None


# --- what is owed -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One thing an organization answers for: a requirement, or one of its targets."""

    requirement: int  # 1-based, as numbered in the circular
    target: int | None  # 1-based; None: the requirement as a whole
    deadline: date | None

    @property
    def label(self) -> str:
        """How the item is numbered on a form: 2, or 2.1 for the first target of requirement 2."""
        return str(self.requirement) if self.target is None else f"{self.requirement}.{self.target}"

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.requirement, self.target)


def obligations(registry: Registry, circular: Circular) -> dict[str, list[Item]]:
    """Organization id -> what it answers for, in the order of the circular.

    A requirement with targets is answered target by target (by the target's
    own responsible organizations, or else the requirement's); one without
    targets, or whose targets name someone else, as a whole.
    """

    def resolve(entries) -> list[str]:
        found: list[str] = []
        for entry in entries:
            found += [o.id for o in registry.resolve(entry) if o.id not in found]
        return found

    owed: dict[str, list[Item]] = {}
    for r, requirement in enumerate(circular.requirements, 1):
        whole = resolve(requirement.responsible)
        answered: set[str] = set()
        for t, target in enumerate(requirement.targets, 1):
            for org in resolve(target.responsible) or whole:
                owed.setdefault(org, []).append(Item(r, t, target.deadline or requirement.deadline))
                answered.add(org)
        for org in whole:
            if org not in answered:
                owed.setdefault(org, []).append(Item(r, None, requirement.deadline))
    for items in owed.values():
        items.sort(key=lambda i: (i.requirement, i.target or 0))
    return owed


# --- what was reported ---------------------------------------------------------------


class Entry(Model):
    """One answer, as it came in."""

    status: ReturnStatus
    value: str | int | float | None = None
    """What was achieved, e.g. 92% or 31."""
    date: Date | None = None
    """When, as reported."""
    note: str | None = None
    who: str | None = None
    """The contact person who filled in the form."""
    source: str
    """The file it came from (its name)."""
    sha256: str
    """The SHA-256 of that file: the same file is recorded once."""
    edition: str | None = None
    """The edition of the circular the form was made for."""
    recorded: str
    """When it was recorded (UTC, ISO 8601)."""


class Answers(Model):
    """Every answer on one requirement (or target), oldest first."""

    requirement: Annotated[int, Field(ge=1)]
    target: Annotated[int, Field(ge=1)] | None = None
    entries: list[Entry] = Field(default_factory=list)

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.requirement, self.target)


class ReturnRecord(Model):
    """returns/<circular-id>/<org-id>.yaml: one organization's returns on one circular."""

    circular: Identifier
    organization: Identifier
    requirements: list[Answers] = Field(default_factory=list)

    def sources(self) -> set[str]:
        """The SHA-256 of every file already recorded."""
        return {e.sha256 for a in self.requirements for e in a.entries}

    def latest(self) -> dict[tuple[int, int | None], Entry]:
        """(requirement, target) -> the last answer recorded."""
        return {a.key: a.entries[-1] for a in self.requirements if a.entries}


def returns_dir(root: Path, circular_id: str) -> Path:
    return root / RETURNS_DIR / circular_id


def record_path(root: Path, circular_id: str, org_id: str) -> Path:
    return returns_dir(root, circular_id) / f"{org_id}.yaml"


def read_record(path: Path, diagnostics: Diagnostics) -> ReturnRecord | None:
    """One record file, or None after reporting its problems (file:line:column)."""
    loaded = read_yaml(path, diagnostics)
    if loaded.data is None:
        return None
    record = validate(ReturnRecord, loaded, diagnostics)
    if record is not None and path.stem != record.organization:
        diagnostics.error(
            path,
            loaded.source.at(("organization",)),
            f"this file holds the returns of '{record.organization}' but is named {path.name}",
        )
        return None
    return record


def read_returns(
    root: Path, circular_id: str, diagnostics: Diagnostics | None = None
) -> dict[str, ReturnRecord]:
    """Organization id -> its record, for every record of the circular that can be read."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    folder = returns_dir(root, circular_id)
    records: dict[str, ReturnRecord] = {}
    if not folder.is_dir():
        return records
    for path in sorted(folder.glob("*.yaml")):
        record = read_record(path, diagnostics)
        if record is None:
            continue
        if record.circular != circular_id:
            diagnostics.error(
                path, Position(), f"this file holds returns on '{record.circular}', not '{circular_id}'"
            )
            continue
        records[record.organization] = record
    return records


def latest_returns(
    project: Project, circular_id: str, diagnostics: Diagnostics | None = None
) -> dict[str, dict[tuple[int, int | None], Entry]]:
    """Organization id -> (requirement, target) -> its latest answer."""
    return {org: r.latest() for org, r in read_returns(project.root, circular_id, diagnostics).items()}


# --- how far along ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    organization: str
    item: Item
    latest: Entry | None
    overdue: bool  # past its deadline and not done

    @property
    def done(self) -> bool:
        return self.latest is not None and self.latest.status == DONE


@dataclass
class Progress:
    circular: Circular
    today: date
    rows: list[ProgressRow] = field(default_factory=list)
    problems: Diagnostics = field(default_factory=Diagnostics)

    def rate(self, organization: str | None = None) -> float:
        """Share of items done (of one organization's, or of all): 0.0 to 1.0."""
        rows = [r for r in self.rows if organization is None or r.organization == organization]
        return sum(r.done for r in rows) / len(rows) if rows else 0.0

    def organizations(self) -> list[str]:
        return list(dict.fromkeys(r.organization for r in self.rows))


def progress(project: Project, circular: Circular, on: date | None = None) -> Progress:
    """Every (organization, item) the circular sets, with its latest answer; overdue on `on`."""
    on = on or today()
    result = Progress(circular, on)
    latest = latest_returns(project, circular.id, result.problems)
    for org, items in obligations(project.registry, circular).items():
        answers = latest.get(org, {})
        for item in items:
            entry = answers.get(item.key)
            done = entry is not None and entry.status == DONE
            overdue = item.deadline is not None and item.deadline < on and not done
            result.rows.append(ProgressRow(org, item, entry, overdue))
    return result
