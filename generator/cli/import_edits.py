"""What `circulars import` prints for a corrected draft (--replace ID) and for an archive.

The import command (importing.py) parses the options and calls these; the work is
in docx/replacing.py and docx/import_batch.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _, ngettext
from .common import EXIT_INVALID, Context, printable, shown_path

_SHOWN_KEPT = 3  # paragraphs quoted from those kept as text


def replace_draft(context: Context, draft: Path, circular_id: str, dry_run: bool) -> None:
    """Bring the corrections of `draft` into circular `circular_id`'s YAML, saying
    what changed; exit 1, writing nothing, when any of them cannot be placed."""
    from ..docx.import_batch import refusal
    from ..docx.replacing import ReplaceError, replace_from_draft

    reason = refusal(draft)
    if reason is not None:
        click.echo(_("{file}: {reason}").format(file=printable(draft), reason=reason), err=True)
        sys.exit(EXIT_INVALID)
    project = context.load()
    try:
        result = replace_from_draft(project, circular_id, draft, write=not dry_run)
    except ReplaceError as error:
        for problem in error.problems:
            click.echo(_("{file}: {problem}").format(file=printable(draft), problem=problem), err=True)
        click.echo(_("{id} was not changed").format(id=circular_id), err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(_("{file}: {reason}").format(file=error.filename, reason=error.strerror), err=True)
        sys.exit(EXIT_INVALID)
    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    for line in result.report:
        click.echo(f"  {line}")
    where = shown_path(result.path, project.root)
    if dry_run:
        click.echo(result.text, nl=False)
    elif result.changed:
        count = len(result.report)
        click.echo(
            ngettext(
                "{path}: {count} correction brought in", "{path}: {count} corrections brought in", count
            ).format(path=where, count=count)
        )
    else:
        click.echo(_("{path}: the draft holds no corrections; nothing changed").format(path=where))


def kept_note(kept: list[str]) -> str:
    """The paragraphs an import kept as text, the first few quoted."""
    quoted = "; ".join(text[:40] for text in kept[:_SHOWN_KEPT])
    return ngettext(
        "{count} paragraph kept as text: {quoted}", "{count} paragraphs kept as text: {quoted}", len(kept)
    ).format(count=len(kept), quoted=quoted)


def import_archive(context: Context, files: list[Path], dry_run: bool) -> None:
    """Import each file on its own (refusing what is no .docx before reading it), with
    a progress bar on a terminal; then what became of each file and the summary.
    Exit 1 unless every file was imported with nothing to look at."""
    from tqdm import tqdm

    from ..docx.import_batch import ATTENTION, IMPORTED, REFUSED, Outcome, Refused, import_all, summary
    from ..docx.importing import ImportRefused, import_file

    project = context.load()

    def import_one(path: Path) -> Outcome:
        try:
            result = import_file(path, project, dry_run=dry_run)
        except ImportRefused as refused:
            raise Refused(str(refused)) from None
        if result.exists:  # a dry run refuses what the real one would
            raise Refused(result.exists)
        where = shown_path(result.path, project.root)
        notes = list(result.guesses)
        if result.kept:
            notes.append(kept_note(result.kept))
        notes += [_("{path}:{problem}").format(path=where, problem=problem) for problem in result.problems]
        message = (_("would write {path}") if dry_run else _("wrote {path}")).format(path=where)
        status = ATTENTION if result.kept or result.problems else IMPORTED
        return Outcome(path, status, message, notes, result.yaml if dry_run else "")

    def progress(items: list[Path]):
        # on stderr and only on a terminal (disable=None): a log or a pipe gets the lines alone
        return tqdm(items, unit="file", file=sys.stderr, disable=None, leave=False)

    outcomes = import_all(files, import_one, progress)
    for outcome in outcomes:
        file = printable(outcome.path)
        if outcome.status == REFUSED:
            click.echo(_("{file}: refused: {reason}").format(file=file, reason=outcome.message), err=True)
            continue
        click.echo(_("{file}: {message}").format(file=file, message=outcome.message))
        for note in outcome.notes:
            click.echo(f"  {note}")
        if outcome.text:
            click.echo(outcome.text, nl=not outcome.text.endswith("\n"))
    click.echo(summary(outcomes))
    if any(outcome.status != IMPORTED for outcome in outcomes):  # a script can tell all went well
        sys.exit(EXIT_INVALID)
