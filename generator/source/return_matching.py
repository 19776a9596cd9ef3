"""Which requirement (or target) an answer answers, in a later edition of its circular.

A return names its item by number (4, or 2.1), as the form it came on did; a
corrected edition may insert, remove or reorder requirements, and then number
4 is another requirement. So each answer is recorded with what its item asked
(`Asked`: the requirement's key phrase and the start of its text, the target's
metric and value), and is matched against the circular as it is now: the
requirement with the same key phrase, or else the same or a very similar text;
then the target with the same metric (or else the same value). An answer that
matches nothing, or more than one item equally well, is not matched at all:
it is never shown on another requirement.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from .inline_markup import to_plain
from .model import Circular, Model, Requirement

TEXT_CHARS = 200  # as much of a requirement's text as an answer keeps
SIMILAR = 0.8  # a corrected text this close to the recorded one is the same requirement


class Asked(Model):
    """What an answered item asked when the answer was recorded, so that the answer finds its
    requirement again in a later edition that numbers the requirements differently."""

    key: str | None = None
    """The requirement's key phrase, as plain text."""
    text: str = ""
    """The start of the requirement's text, as plain text (at most 200 characters)."""
    metric: str | None = None
    """The target's metric, for an answer on a target."""
    value: str | None = None
    """The target's value, for an answer on a target."""


def _key(requirement: Requirement) -> str | None:
    return to_plain(requirement.key) if requirement.key else None


def _text(requirement: Requirement) -> str:
    return " ".join(to_plain(requirement.text).split())[:TEXT_CHARS]


def asked_of(circular: Circular, requirement: int, target: int | None) -> Asked:
    """What item `requirement`.`target` (1-based) of the circular asks."""
    chosen = circular.requirements[requirement - 1]
    goal = chosen.targets[target - 1] if target is not None else None
    return Asked(
        key=_key(chosen),
        text=_text(chosen),
        metric=to_plain(goal.metric) if goal else None,
        value=to_plain(goal.value) if goal else None,
    )


def _most_similar(candidates: list[int], texts: dict[int, str], text: str, least: float) -> int | None:
    """The one candidate whose text is closest to `text` (at least `least`); None on a tie."""
    scored = sorted(((SequenceMatcher(None, texts[n], text).ratio(), n) for n in candidates), reverse=True)
    if not scored or scored[0][0] < least or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


class Matcher:
    """Finds recorded answers' items in one circular as it is now (its texts worked out once)."""

    def __init__(self, circular: Circular):
        requirements = circular.requirements
        self.numbers = range(1, len(requirements) + 1)
        self.keys = {n: _key(requirements[n - 1]) for n in self.numbers}
        self.texts = {n: _text(requirements[n - 1]) for n in self.numbers}
        self.targets = {
            n: [
                (t, to_plain(g.metric), to_plain(g.value))
                for t, g in enumerate(requirements[n - 1].targets, 1)
            ]
            for n in self.numbers
        }

    def _requirement(self, asked: Asked) -> int | None:
        keys, texts = self.keys, self.texts
        tests: list[Callable[[int], bool]] = [
            lambda n: keys[n] == asked.key and texts[n] == asked.text,
            lambda n: asked.key is not None and keys[n] == asked.key,
            lambda n: texts[n] == asked.text,
        ]
        for test in tests:
            found = [n for n in self.numbers if test(n)]
            if found:
                return found[0] if len(found) == 1 else _most_similar(found, texts, asked.text, 0.0)
        return _most_similar(list(self.numbers), texts, asked.text, SIMILAR)

    def match(self, asked: Asked) -> tuple[int, int | None] | None:
        """(requirement, target) that asks what `asked` asked; None if none does, or if more
        than one does."""
        number = self._requirement(asked)
        if number is None:
            return None
        if asked.metric is None:
            return (number, None)
        for test in (
            lambda metric, value: metric == asked.metric and value == asked.value,
            lambda metric, value: metric == asked.metric,
            lambda metric, value: value == asked.value,
        ):
            found = [t for t, metric, value in self.targets[number] if test(metric, value)]
            if found:
                return (number, found[0]) if len(found) == 1 else None
        return None


def same_shape(one: Circular, other: Circular) -> bool:
    """Whether two versions of a circular (an original and its translation) number the same
    requirements and targets, so that item 2.1 of one is item 2.1 of the other."""
    return [len(r.targets) for r in one.requirements] == [len(r.targets) for r in other.requirements]
