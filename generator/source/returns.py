"""Returns: what each responsible organization owes on a circular, and what it has reported.

A circular's requirements (and their targets) name responsible organizations.
Each organization answers, per requirement or target, with a status, the value
it achieved, a date, a note and a contact person. Its answers are kept in
`returns/<circular-id>/<org-id>.yaml` in the project: human-readable, kept in
git, and only ever added to, so the history of every answer stays.

This module only reads: the obligations a circular sets (`obligations`), the
recorded returns (`read_returns`, `latest_answers`) and how far along everyone
is (`progress`). Writing records is the job of distribution/returns/. The site
reads returns through here too.

Each answer keeps what its item asked (return_matching.py), so that a
corrected edition that renumbers the requirements finds it on the right one;
and the returns on a circular and on its translations count alike, the newer
answer winning (`latest_answers`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr

from ..i18n import _
from .diagnostics import Diagnostics, Position
from .model import Circular, Date, Identifier, Model
from .project import Project
from .registry import Registry
from .return_matching import Asked, Matcher, same_shape
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
        raise ValueError(
            _("CIRCULARS_TODAY='{value}' is not a date like 2024-04-18").format(value=value)
        ) from None


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
    asked: Asked | None = None
    """What the item asked then: how the answer finds its item in a later edition. Records
    written before it was kept go by the item's number."""


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
    _path: Path | None = PrivateAttr(default=None)  # where it was read from, for messages
    _where: dict[tuple[int, int], Position] = PrivateAttr(default_factory=dict)  # each entry's line

    def sources(self) -> set[str]:
        """The SHA-256 of every file already recorded."""
        return {e.sha256 for a in self.requirements for e in a.entries}


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
            _("this file holds the returns of '{organization}' but is named {name}").format(
                organization=record.organization, name=path.name
            ),
        )
        return None
    if record is not None:
        record._path = path
        record._where = {
            (i, j): loaded.source.at(("requirements", i, "entries", j))
            for i, answers in enumerate(record.requirements)
            for j in range(len(answers.entries))
        }
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
                path,
                Position(),
                _("this file holds returns on '{circular}', not '{circular_id}'").format(
                    circular=record.circular, circular_id=circular_id
                ),
            )
            continue
        records[record.organization] = record
    return records


Key = tuple[int, int | None]  # (requirement, target), as the circular numbers them now


@dataclass(frozen=True)
class Unmapped:
    """An answer that matches no item of the circular as it is now (or more than one)."""

    organization: str
    circular: str  # the version it was recorded on: the circular, or a translation
    label: str  # the item's number when it was recorded: 4, or 2.1
    entry: Entry
    why: str


def _legacy_key(answers: Answers, entry: Entry, version: Circular) -> Key | None:
    """The item an answer recorded without `asked` answers: the one of its number, unless the
    circular lists a change made since it was recorded (the numbers may have moved)."""
    recorded = entry.recorded[:10]
    if any(change.date.isoformat() >= recorded for change in version.changes):
        return None
    r, t = answers.key
    if r > len(version.requirements) or (t is not None and t > len(version.requirements[r - 1].targets)):
        return None
    return answers.key


def _record_answers(
    record: ReturnRecord, version: Circular, matcher: Matcher, owed: set[Key], diagnostics: Diagnostics
) -> tuple[dict[Key, Entry], list[Unmapped]]:
    """Item (in the version's numbering now) -> the newest answer on it; and those matching none."""
    found: dict[Key, Entry] = {}
    unmapped: list[Unmapped] = []
    for i, answers in enumerate(record.requirements):
        label = Item(answers.requirement, answers.target, None).label
        for j, entry in enumerate(answers.entries):
            key = matcher.match(entry.asked) if entry.asked else _legacy_key(answers, entry, version)
            if key in owed:
                if key not in found or entry.recorded >= found[key].recorded:
                    found[key] = entry
                continue
            if key is None and entry.asked is None:
                why = _(
                    "it was recorded before a change the circular lists, and does not say what it answered: "
                    "add `asked: {{key: ...}}` with its requirement's key phrase to the entry"
                )
            elif key is None:
                why = _("no requirement of the circular as it is now asks what it answered")
            else:
                now = Item(*key, None).label
                why = _("it matches item {now}, which '{organization}' does not answer for now").format(
                    now=now, organization=record.organization
                )
            unmapped.append(Unmapped(record.organization, version.id, label, entry, why))
            diagnostics.warning(
                record._path or Path(record.organization),
                record._where.get((i, j), Position()),
                _("the answer on item {label} ({source}, recorded {recorded}) is not counted: {why}").format(
                    label=label, source=entry.source, recorded=entry.recorded, why=why
                ),
            )
    return found, unmapped


def versions_of(project: Project, circular: Circular) -> list[Circular]:
    """The circular, its original if it is a translation, and the original's other translations."""
    family = project.family(circular.translation_of or circular.id)
    return [circular] + [c for c in family if c.id != circular.id]


def latest_answers(
    project: Project, circular: Circular, diagnostics: Diagnostics
) -> tuple[dict[str, dict[Key, Entry]], list[Unmapped]]:
    """Organization id -> item -> its newest answer, from the records of the circular and of its
    translations alike; and the answers that match no item (each also a warning).

    A translation whose requirements and targets are not numbered as the circular's are
    is not counted (a warning says so)."""
    owed = {org: {i.key for i in items} for org, items in obligations(project.registry, circular).items()}
    latest: dict[str, dict[Key, Entry]] = {}
    unmapped: list[Unmapped] = []
    for version in versions_of(project, circular):
        records = read_returns(project.root, version.id, diagnostics)
        if version is not circular and not same_shape(version, circular):
            if records:
                diagnostics.warning(
                    returns_dir(project.root, version.id),
                    Position(),
                    _(
                        "the returns on {id} are not counted on {current}: their requirements and targets "
                        "are not numbered alike"
                    ).format(id=version.id, current=circular.id),
                )
            continue
        matcher = Matcher(version)
        for org, record in records.items():
            found, lost = _record_answers(record, version, matcher, owed.get(org, set()), diagnostics)
            unmapped += lost
            mine = latest.setdefault(org, {})
            for key, entry in found.items():
                if key not in mine or entry.recorded > mine[key].recorded:
                    mine[key] = entry
    return latest, unmapped


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
    unmapped: list[Unmapped] = field(default_factory=list)  # answers matching no item now
    problems: Diagnostics = field(default_factory=Diagnostics)

    def rate(self, organization: str | None = None) -> float:
        """Share of items done (of one organization's, or of all): 0.0 to 1.0."""
        rows = [r for r in self.rows if organization is None or r.organization == organization]
        return sum(r.done for r in rows) / len(rows) if rows else 0.0

    def organizations(self) -> list[str]:
        return list(dict.fromkeys(r.organization for r in self.rows))


def percent(done: int, total: int) -> str | None:
    """A completion rate as a person reads it (the tracker's tables.js writes it the same way):
    rounded half up, so 1 of 40 is 3; "<1" and ">99" rather than 0 or 100 while some are done,
    or some not."""
    if not total:
        return None
    if 0 < done * 100 < total:
        return "<1"
    if done < total and done * 100 > total * 99:
        return ">99"
    return str((200 * done + total) // (2 * total))


def progress(project: Project, circular: Circular, on: date | None = None) -> Progress:
    """Every (organization, item) the circular sets, with its latest answer; overdue on `on`."""
    on = on or today()
    result = Progress(circular, on)
    latest, result.unmapped = latest_answers(project, circular, result.problems)
    for org, items in obligations(project.registry, circular).items():
        answers = latest.get(org, {})
        for item in items:
            entry = answers.get(item.key)
            done = entry is not None and entry.status == DONE
            overdue = item.deadline is not None and item.deadline < on and not done
            result.rows.append(ProgressRow(org, item, entry, overdue))
    return result
