"""What the tracker tracks: every requirement of the issued circulars, counted once, with what
each responsible organization owes on it and has reported.

A circular and its translations set the same requirements, so a requirement
is counted once, under the original; the page shows the version in the
site's language where there is one. What is owed comes from
source/returns.py (`obligations`: per organization, the requirement or each
of its targets), what was reported from the records in returns/ of the
original and of its translations alike (a form may have been sent in either
language), each answer matched to the requirement it answered in the edition
it came on: the latest answer recorded wins (`latest_answers`, which
`circulars returns status` and `remind` read too). An answer that matches no
requirement now is left out, with a warning.

Whether something is overdue depends on the day it is read, so it is not
decided here: each answer carries its deadline, and the pages let the
reader's browser compare it with today (tables.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..source.diagnostics import Diagnostics
from ..source.model import Circular, Requirement
from ..source.project import Project
from ..source.return_matching import same_shape
from ..source.returns import DONE, Entry, Unmapped, latest_answers, obligations


@dataclass(frozen=True)
class Answer:
    """One organization on one requirement, or on one of its targets."""

    org: str
    target: int | None  # 1-based; None: the requirement as a whole
    deadline: date | None
    latest: Entry | None

    @property
    def done(self) -> bool:
        return self.latest is not None and self.latest.status == DONE

    @property
    def due(self) -> date | None:
        """The deadline it is overdue after, or None (done, or no deadline)."""
        return None if self.done else self.deadline


@dataclass(frozen=True)
class Tracked:
    """One requirement of one circular (whichever languages it was issued in)."""

    circular: Circular  # the version shown: in the site's language where there is one
    original: Circular
    number: int  # 1-based, as numbered in the circular
    requirement: Requirement  # as written in the version shown
    answers: tuple[Answer, ...]

    @property
    def deadline(self) -> date | None:
        """The earliest deadline it sets (a target may have its own)."""
        dates = [a.deadline for a in self.answers if a.deadline] or [self.requirement.deadline]
        return min((d for d in dates if d), default=None)

    @property
    def done(self) -> bool:
        return bool(self.answers) and all(a.done for a in self.answers)

    @property
    def due(self) -> date | None:
        """The earliest deadline of what is not done yet."""
        if not self.answers:
            return self.requirement.deadline
        return min((a.due for a in self.answers if a.due), default=None)

    def overdue(self, on: date) -> bool:
        return self.due is not None and self.due < on


def tracked_requirements(
    project: Project, circulars: list[Circular], language: str, diagnostics: Diagnostics
) -> tuple[list[Tracked], list[Unmapped]]:
    """Every requirement of the issued circulars among `circulars`, by deadline; and the answers
    on them that match no requirement now (each also a warning in `diagnostics`)."""
    issued = {c.id: c for c in circulars if c.status == "issued"}
    translations: dict[str, list[Circular]] = {}
    for c in issued.values():
        if c.translation_of in issued:
            translations.setdefault(c.translation_of, []).append(c)
    found: list[Tracked] = []
    unmapped: list[Unmapped] = []
    for original in issued.values():
        if original.translation_of in issued:
            continue  # counted under its original
        versions = [original, *translations.get(original.id, [])]
        shown = next((v for v in versions if v.language == language), original)
        if not same_shape(shown, original):
            shown = original  # a translation that does not match is not trusted for the numbering
        owed = obligations(project.registry, original)
        latest, lost = latest_answers(project, original, diagnostics)
        unmapped += lost
        for number, requirement in enumerate(shown.requirements, 1):
            answers = tuple(
                Answer(org, item.target, item.deadline, latest.get(org, {}).get(item.key))
                for org, items in owed.items()
                for item in items
                if item.requirement == number
            )
            found.append(Tracked(shown, original, number, requirement, answers))
    return sorted(found, key=lambda t: (t.deadline or date.max, t.original.id, t.number)), unmapped


def completion(answers) -> tuple[int, int]:
    """(done, all) of some answers."""
    answers = list(answers)
    return sum(a.done for a in answers), len(answers)
