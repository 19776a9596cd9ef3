"""`circulars redline`: what changed between two editions, as Word tracked changes.

The Word writer is imported inside the command, for start-up time only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from .common import EXIT_INVALID, Context, fail_on_errors, in_project, selected_circulars, shown_path


@click.command()
@click.argument("editions", nargs=-1, required=True, metavar="OLD.yaml NEW.yaml | ID")
@click.option(
    "--since",
    metavar="REV",
    help=_("Compare circular ID with its YAML at this git revision (a commit, tag or branch)."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("The redline .docx to write. Default: build/redlines/ID.docx (relative to the project)."),
)
@click.option(
    "--author",
    default="Circulars",
    show_default=True,
    help=_("The name Word shows as the author of every change."),
)
@click.pass_obj
def redline(
    obj: Context, editions: tuple[str, ...], since: str | None, output: Path | None, author: str
) -> None:
    """Write a Word document with the changes between two editions tracked.

    The document is the NEW edition as `circulars build` writes it, with every
    word, paragraph, table row and cell that differs from the OLD edition as a
    Word tracked change: accept all to get the new edition, reject all to get
    the old one.

    \b
    Examples:
      circulars redline old/gz-2023-1930.yaml circulars/2023/gz-2023-1930.yaml -o changes.docx
      circulars redline gz-2023-1930 --since HEAD~1
    """
    from ..docx.build import write_atomically  # lazily: see the module's docstring
    from ..docx.redline_build import RedlineError, at_revision, read_circular, redline_docx

    project = obj.load()
    if project.registry_sources and any(
        d.path.parent == project.data_dir and d.path.name in project.registry_sources
        for d in project.diagnostics.errors
    ):
        _fail(_("the registry has errors; run `circulars check` and fix them first"))
    try:
        if since is not None:
            if len(editions) != 1:
                _usage(_("with --since, give one circular ID"))
            found = project.source(editions[0])
            if found is None and editions[0] in project.invalid_ids:
                _fail(
                    _("circular '{id}' has errors; run `circulars check` and fix them first").format(
                        id=editions[0]
                    )
                )
            if found is None:
                _usage(_("no circular '{id}' (see `circulars list`)").format(id=editions[0]))
            new = read_circular(project, found.path, shown=shown_path(found.path, project.root))
            shown = f"{since}:{shown_path(found.path, project.root)}"
            old = read_circular(project, found.path, at_revision(found.path, since), shown=shown)
        else:
            if len(editions) != 2:
                _usage(_("give two YAML files, OLD and NEW, or one circular ID with --since REV"))
            old_path, new_path = (Path(e) for e in editions)
            for path in (old_path, new_path):
                if not path.is_file():
                    _usage(_("{path} is not a file").format(path=path))
            old, new = read_circular(project, old_path), read_circular(project, new_path)
        data = redline_docx(project.root, project.registry, old, new, author)
    except RedlineError as error:
        _fail(str(error))
    target = in_project(project.root, output or Path("build/redlines") / f"{new.id}.docx")
    try:
        write_atomically(target, data)
    except OSError as error:
        _fail(_("cannot write {path}: {reason}").format(path=target, reason=error.strerror or error))
    click.echo(shown_path(target, project.root))


def _fail(message: str) -> None:
    click.echo(_("error: {message}").format(message=message), err=True)
    sys.exit(EXIT_INVALID)


def _usage(message: str) -> None:
    raise click.UsageError(message)


@click.command("keep-edition")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.pass_obj
def keep_edition(obj: Context, ids: tuple[str, ...]) -> None:
    """Keep circulars' current text as an edition, so that later changes can be shown.

    Copies each circular's YAML to editions/ID/DATE.yaml (DATE: its last change, or
    its date). The site compares each kept edition with the next and shows what
    changed; `circulars distribute` keeps the editions it sends by itself.

    \b
    Example:
      circulars keep-edition gz-2023-1930
    """
    from ..source.kept_editions import keep_edition as keep  # lazily: see the module's docstring

    project = obj.load()
    fail_on_errors(project)
    chosen = selected_circulars(project, ids)
    for circular in chosen:
        source = project.source(circular.id)
        try:
            kept = keep(project.root, circular, source.path.read_bytes())
        except OSError as error:
            _fail(_("cannot keep {id}: {reason}").format(id=circular.id, reason=error.strerror or error))
        if kept is None:
            click.echo(_("{id}: this edition is already kept").format(id=circular.id))
        else:
            click.echo(shown_path(kept, project.root))
