"""`circulars import`: Word documents into circular YAML files (docx/importing.py does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from .common import EXIT_INVALID, Context, printable, shown_path

_SHOWN_KEPT = 3  # paragraphs quoted from those kept as text


@click.command(
    "import",
    help=_(
        "Read Word documents (.docx) into circulars: each becomes circulars/YEAR/ID.yaml, "
        "in the format a person writes, its issuer and recipients matched to the registry. "
        "Prints per file the path written and what was guessed. An existing circular is "
        "never overwritten. A document this tool wrote comes back as the same circular."
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help=_("Print the YAML instead of writing it."))
@click.pass_obj
def import_(ctx: Context, files: tuple[Path, ...], dry_run: bool) -> None:
    from ..docx.importing import ImportRefused, import_file  # lazily: loading pulls in pydantic

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
        else:
            click.echo(_("{file}: wrote {path}").format(file=name, path=where))
        for guess in result.guesses:
            click.echo(f"  {guess}")
        if result.kept:
            quoted = "; ".join(text[:40] for text in result.kept[:_SHOWN_KEPT])
            click.echo(
                "  "
                + _("{count} paragraphs kept as text: {quoted}").format(count=len(result.kept), quoted=quoted)
            )
        for problem in result.problems:
            click.echo(_("{path}:{problem}").format(path=where, problem=problem), err=True)
        failed += bool(result.problems)
    if failed:
        sys.exit(EXIT_INVALID)
