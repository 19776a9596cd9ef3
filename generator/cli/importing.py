"""`circulars import`: Word documents into circular YAML files (docx/importing.py does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from . import import_edits
from .common import EXIT_INVALID, Context, printable, shown_path


@click.command(
    "import",
    help=_(
        "Read Word documents (.docx) into circulars: each becomes circulars/YEAR/ID.yaml, "
        "in the format a person writes, its issuer and recipients matched to the registry. "
        "Prints per file the path written and what was guessed. An existing circular is "
        "never overwritten. A document this tool wrote comes back as the same circular.\n\n"
        "\b\nExamples:\n  circulars import archive/2024-07.docx\n"
        "  circulars import --dry-run archive/2024-07.docx"
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help=_("Print the YAML instead of writing it."))
@click.option(
    "--replace",
    "replace_id",
    metavar="ID",
    help=_(
        "Bring the corrections in FILE, a draft of circular ID edited in Word or LibreOffice, "
        "back into ID's YAML: only the values that changed, the rest of the file kept as it is."
    ),
)
@click.pass_obj
def import_(ctx: Context, files: tuple[Path, ...], dry_run: bool, replace_id: str | None) -> None:
    from ..docx.importing import ImportRefused, import_file  # lazily: loading pulls in pydantic

    if replace_id is not None:
        if len(files) != 1:
            raise click.UsageError(_("--replace takes one draft, not {count} files").format(count=len(files)))
        import_edits.replace_draft(ctx, files[0], replace_id, dry_run)
        return
    if len(files) > 1:  # an archive: a progress bar, each file's outcome, a summary
        import_edits.import_archive(ctx, list(files), dry_run)
        return
    project = ctx.load()
    failed = 0
    for file in files:
        name = printable(file)
        try:
            result = import_file(file, project, dry_run=dry_run)
        except ImportRefused as refused:
            click.echo(_("{file}: {reason}; nothing written").format(file=name, reason=refused), err=True)
            failed += 1
            continue
        where = shown_path(result.path, project.root)
        if dry_run:
            click.echo(_("# {file} would be written to {path}").format(file=name, path=where))
            click.echo(result.yaml)
            if result.exists:
                click.echo(
                    _("{file}: {reason}; nothing written").format(file=name, reason=result.exists), err=True
                )
                failed += 1
        else:
            click.echo(_("{file}: wrote {path}").format(file=name, path=where))
        for guess in result.guesses:
            click.echo(f"  {guess}")
        if result.kept:
            click.echo("  " + import_edits.kept_note(result.kept))
        for problem in result.problems:
            click.echo(_("{path}:{problem}").format(path=where, problem=problem), err=True)
        failed += bool(result.problems)
    if failed:
        sys.exit(EXIT_INVALID)
