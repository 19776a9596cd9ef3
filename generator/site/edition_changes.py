"""A circular's changes from edition to edition, on its page and as redline DOCX files.

The earlier editions are those kept in the project (source/kept_editions.py),
never git's history: a fresh or shallow clone builds the same pages. Each
edition is compared with the one before it (docx/redline.py); the page shows
the changed passages (redline_html.py) and links the redline beside it. A
circular with no edition kept costs one failed directory look-up.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from ..docx.package import write_parts
from ..docx.redline_build import RedlineError, Redliner, read_circular
from ..docx.reference import DOCUMENT
from ..i18n import _
from ..render.numbering import format_date
from ..source.inline_markup import to_plain
from ..source.kept_editions import EDITIONS_DIR, edition_date, kept_editions
from ..source.model import Circular
from ..source.project import Project
from .escaping import html, markdown
from .labels import LABELS
from .redline_html import ChangesHtml


@dataclass(frozen=True)
class EditionChange:
    """What one edition changed from the edition before it."""

    number: int  # the edition's number, the first being 1
    date: date
    since: date  # the date of the edition before
    notes: tuple[str, ...]  # its `changes:` notes
    file_name: str  # the redline, beside the page
    data: bytes
    html: str


@dataclass
class EditionChanges:
    project: Project
    warnings: list[str] = field(default_factory=list)
    _redliner: Redliner | None = None

    def of(self, circular: Circular) -> list[EditionChange]:
        """Each edition's changes from the one before, oldest first; [] with none kept."""
        kept = kept_editions(self.project.root, circular.id)
        source = self.project.source(circular.id)
        if not kept or source is None:
            return []
        editions: list[Circular] = []
        for edition in kept:
            shown = edition.path.relative_to(self.project.root).as_posix()
            try:
                earlier = read_circular(self.project, source.path, edition.path.read_bytes(), shown)
            except (RedlineError, OSError) as error:
                self.warnings.append(
                    _("{path}: {error}; the changes from this edition are not shown").format(
                        path=shown, error=error
                    )
                )
                continue
            if earlier.id != circular.id:
                self.warnings.append(
                    _("{path} is circular '{other}', not '{id}': move it to {folder}/{other}/").format(
                        path=shown, other=earlier.id, id=circular.id, folder=EDITIONS_DIR
                    )
                )
                continue
            editions.append(earlier)
        editions.append(circular)
        distinct = [e for n, e in enumerate(editions) if n == 0 or e != editions[n - 1]]
        if self._redliner is None:
            self._redliner = Redliner(self.project.root, self.project.registry)
        labels = LABELS[circular.language]
        changes = []
        for number, (before, after) in enumerate(itertools.pairwise(distinct), 2):
            try:
                parts = self._redliner.parts(before, after)
            except RedlineError as error:
                self.warnings.append(
                    _("{id}: the changes of edition {number} are not shown: {error}").format(
                        id=circular.id, number=number, error=error
                    )
                )
                continue
            when, since = edition_date(after), edition_date(before)
            notes = tuple(to_plain(c.note) for c in after.changes if since < c.date <= when)
            changes.append(
                EditionChange(
                    number,
                    when,
                    since,
                    notes,
                    f"{circular.id}-changes-edition-{number}.docx",
                    write_parts(parts),
                    ChangesHtml(labels).document(parts[DOCUMENT]),
                )
            )
        return changes


def changes_markdown(circular: Circular, changes: list[EditionChange]) -> str:
    """The page's section on what each edition changed (nothing without changes)."""
    if not changes:
        return ""
    labels = LABELS[circular.language]
    lang = circular.language
    lines = [
        '<div class="edition-changes" markdown="1">',
        "",
        f"## {markdown(labels['edition_changes'])} {{ #edition-changes }}",
        "",
    ]
    for change in reversed(changes):  # the latest first
        heading = labels["edition_heading"].format(number=change.number, date=format_date(change.date, lang))
        since = labels["changes_since"].format(date=format_date(change.since, lang))
        lines += [
            f"### {markdown(heading)} {{ #edition-{change.number} }}",
            "",
            markdown(since),
            "",
            *[f"- {markdown(note)}" for note in change.notes],
            "",
            f"[{markdown(labels['download_redline'])}]({change.file_name}){{ .redline-download download }}",
            "",
            f'<div class="changes">{change.html or html(labels["no_text_change"])}</div>',
            "",
        ]
    lines += ["</div>", ""]
    return "\n".join(lines)
