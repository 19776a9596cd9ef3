"""The `circulars` command: one subcommand per job a secretariat does.

Each stage's commands live in a module of their own (source.py, site.py,
docx.py, distribution.py) and only parse options, call the stage and report;
this module holds the group that gathers them.

Exit codes scripts can trust: 0 all is well, 1 the input has errors (or the job
failed), 2 the command line itself is wrong.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import distribution, docx, importing, mail, progress, returns, site, source
from .common import Context, find_project_root


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-C",
    "--project",
    "project_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Project folder (the one holding circulars/). Default: the nearest one above here.",
)
@click.version_option(package_name="circulars")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Draft, check, publish and distribute a union federation's circulars.

    Each circular is one YAML file under circulars/, next to the registry of
    organizations (circulars/organizations.yaml) and people
    (circulars/people.yaml). Run a command with --help to see how it is used.

    \b
    Exit codes: 0 success, 1 invalid input or failed job, 2 usage error.
    """
    root = project_dir.resolve() if project_dir else find_project_root(Path.cwd().resolve())
    ctx.obj = Context(root)


for command in (
    source.check,
    source.list_,
    source.new,
    source.schema,
    importing.import_,
    site.build,
    site.serve,
    docx.preview,
    distribution.distribute,
    distribution.distribution,
    distribution.verify,
    mail.mail,
    *returns.COMMANDS,
):
    main.add_command(command)
for command in progress.COMMANDS:
    returns.returns.add_command(command)
