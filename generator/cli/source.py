"""Commands on the YAML sources: check, list, new, schema.

Each command imports what it needs beyond loading (document numbers, the
schema, `new`'s scaffold and Jinja) when it runs, so that `--help` and `check`
do not pay for it: for start-up time only, never to dodge an import cycle.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from ..i18n import _, ngettext
from ..source.names import ID_PATTERN, LANGUAGES, SCHEMA_NAMES
from .common import EXIT_INVALID, Context, fail_on_errors, named_or_given, organization_id, report
from .terminal import table


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (lint) as errors.")
@click.pass_obj
def check(obj: Context, paths: tuple[Path, ...], strict: bool) -> None:
    """Check circulars and the registry; report every problem at once.

    Reads every file, validates keys, types, dates and references, and prints
    each problem as FILE:LINE:COLUMN: error|warning: MESSAGE, sorted by file
    and line. When all is well, prints how many circulars, registry files and
    table files it read, and exits 0. With PATHS (files
    or folders), reports only on those, still checking references against the
    whole project.

    \b
    Examples:
      circulars check
      circulars check circulars/2024/panzhihua-2024-07.yaml
      circulars check --strict circulars/
    """
    extra = [p for p in paths if not p.is_dir()]  # a pipe or device is read, and refused, too
    project = obj.load(extra)
    errors, warnings = report(project.diagnostics, project.root, list(paths) or None)
    if errors or warnings:
        shown = [
            ngettext("{count} error", "{count} errors", errors).format(count=errors),
            ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        ]
        click.echo(_("{errors}, {warnings}").format(errors=shown[0], warnings=shown[1]), err=True)
    else:  # say what was read, so that silence is never mistaken for success
        circulars, registry, tables = (
            len(project.circular_files),
            len(project.registry_sources),
            len(project.table_files),
        )
        read = _("{circulars}, {registry_files}, {table_files} checked: no problems").format(
            circulars=ngettext("{count} circular", "{count} circulars", circulars).format(count=circulars),
            registry_files=ngettext("{count} registry file", "{count} registry files", registry).format(
                count=registry
            ),
            table_files=ngettext("{count} table file", "{count} table files", tables).format(count=tables),
        )
        click.echo(read)
    if errors or (strict and warnings):
        sys.exit(EXIT_INVALID)


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
@click.option(
    "--status", type=click.Choice(["draft", "issued", "superseded", "repealed"]), help="Only this status."
)
@click.option("--issuer", metavar="ORG", help="Only circulars issued (or co-issued) by ORG.")
@click.option("--year", type=int, help="Only circulars issued in YEAR.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Only circulars in this language.")
@click.pass_obj
def list_(
    obj: Context, as_json: bool, status: str | None, issuer: str | None, year: int | None, lang: str | None
) -> None:
    """List circulars: id, document number, date, status and title.

    Sorted by date of issue. Exits 1 (after listing to stderr what is wrong)
    if any file has errors, so scripts never act on a partial list.

    \b
    Examples:
      circulars list
      circulars list --status issued --year 2024
      circulars list --json | jq '.[].number'
    """
    from ..source.document_numbers import document_number  # lazily: see the module's docstring
    from ..source.inline_markup import to_plain

    project = obj.load()
    fail_on_errors(project)
    if issuer is not None:
        issuer = named_or_given(project.registry, issuer, "--issuer")
    chosen = [
        c
        for c in sorted(project.circulars, key=lambda c: (c.date, c.id))
        if (status is None or c.status == status)
        and (issuer is None or issuer in c.issuer)
        and (year is None or c.year == year)
        and (lang is None or c.language == lang)
    ]
    if as_json:
        records = [
            {
                "id": c.id,
                "number": document_number(c, project.registry) or None,
                "date": c.date.isoformat(),
                "status": c.status,
                "kind": c.kind,
                "language": c.language,
                "issuer": c.issuer,
                "title": to_plain(c.title),
                "path": project.source(c.id).path.relative_to(project.root).as_posix()
                if project.source(c.id).path.is_relative_to(project.root)
                else str(project.source(c.id).path),
            }
            for c in chosen
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [
        [c.id, document_number(c, project.registry) or "—", c.date.isoformat(), c.status, to_plain(c.title)]
        for c in chosen
    ]
    click.echo(table(["ID", _("NUMBER"), _("DATE"), _("STATUS"), _("TITLE")], rows))


@click.command()
@click.option(
    "--issuer",
    required=True,
    metavar="ORG",
    help=_("Issuing organization: its id or its name (`circulars registry organizations` lists them)."),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language. Default: zh if the issuer has a Chinese number prefix.",
)
@click.option("--title", default=None, help="Title of the circular.")
@click.option(
    "--kind",
    type=click.Choice(["notice", "letter", "opinions", "report", "article"]),
    default="notice",
    show_default=True,
)
@click.option(
    "--series",
    metavar="SERIES",
    help="The issuer's series of numbers (its 'series:' in organizations.yaml). Default: its prefix.",
)
@click.option("--no-number", is_flag=True, help="A circular without a document number.")
@click.option(
    "--date", "when", type=click.DateTime(["%Y-%m-%d"]), help="Date of issue (YYYY-MM-DD). Default: today."
)
@click.option("--id", "circular_id", help="Id (and file name). Default: ISSUER-YEAR-NUMBER.")
@click.pass_obj
def new(
    obj: Context,
    issuer: str,
    lang: str | None,
    title: str | None,
    kind: str,
    series: str | None,
    no_number: bool,
    when,
    circular_id: str | None,
) -> None:
    """Start a new circular with the next free document number in the issuer's series.

    Writes circulars/YEAR/ID.yaml, ready to fill in, and prints its path.
    Never overwrites an existing file.

    \b
    Examples:
      circulars new --issuer panzhihua-ftu
      circulars new --issuer chemchina-union --lang en --title "Notice on ..."
      circulars new --issuer rmt --series head-office --lang en
      circulars new --issuer hfcas-union --no-number
      circulars new --issuer 攀枝花市总工会 --title "关于……的通知"
    """
    from ..render import scaffold  # lazily: see the module's docstring
    from ..source.placeholders import PLACEHOLDERS

    project = obj.load()
    issuer = organization_id(project.registry, issuer, "--issuer")
    if series is not None and project.registry.series(issuer, series) is None:
        known = ", ".join(s.id for s in project.registry.organizations[issuer].series) or _("none")
        raise click.BadParameter(
            _("'{org}' has no series '{series}' (its series: {known})").format(
                org=issuer, series=series, known=known
            ),
            param_hint="--series",
        )
    if series is not None and no_number:
        raise click.BadParameter(_("give --series or --no-number, not both"), param_hint="--no-number")
    if circular_id is not None and not ID_PATTERN.match(circular_id):
        raise click.BadParameter(_("use lowercase letters, digits and hyphens"), param_hint="--id")
    language = lang or scaffold.default_language(project, issuer)
    try:
        made = scaffold.create(
            project,
            issuer,
            language,
            title or PLACEHOLDERS[language]["title"],
            kind,
            when.date() if when else date.today(),
            circular_id,
            series=series,
            numbered=not no_number,
        )
    except FileExistsError as error:
        click.echo(_("error: {error}; not overwriting").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    click.echo(made.path.relative_to(project.root).as_posix())


@click.command()
@click.argument("name", type=click.Choice(sorted(SCHEMA_NAMES)), default="circular")
def schema(name: str) -> None:
    """Print the JSON Schema of a YAML format (default: a circular).

    Editors with the YAML language server complete and check keys as you
    type when a file starts with a line such as
    `# yaml-language-server: $schema=../../site/schema/circular.schema.json`.

    \b
    Examples:
      circulars schema > circular.schema.json
      circulars schema organizations
    """
    from ..source.schema import json_schema_text  # lazily: see the module's docstring

    click.echo(json_schema_text(name), nl=False)
