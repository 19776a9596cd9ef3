"""The `circulars` command: one subcommand per job a secretariat does.

Exit codes scripts can trust: 0 all is well, 1 the input has errors (or the job
failed), 2 the command line itself is wrong.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import click

from . import scaffold
from .build import build_documents
from .diagnostics import ERROR, Diagnostics
from .model import ID_PATTERN, LANGUAGES
from .numbering import document_number
from .preview import PreviewError, to_pdf, to_png
from .project import DATA_DIR, Project, load_project
from .schema import SCHEMAS, json_schema_text
from .site_build import CONFIG_FILE, SiteError, build_site, serve_site
from .terminal import table

EXIT_INVALID = 1


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a circulars/ folder."""
    for folder in [start, *start.parents]:
        if (folder / DATA_DIR).is_dir():
            return folder
    return start


class Context:
    def __init__(self, root: Path):
        self.root = root

    def load(self, extra_files: list[Path] = ()) -> Project:
        return load_project(self.root, list(extra_files))


def _report(diagnostics: Diagnostics, root: Path, only: list[Path] | None = None) -> tuple[int, int]:
    """Print diagnostics (for `only` paths, if given); return (errors, warnings)."""
    shown = diagnostics.sorted()
    if only:
        wanted = [p.resolve() for p in only]
        shown = [
            d
            for d in shown
            if (d.path.parent == root / DATA_DIR and d.path.name in ("organizations.yaml", "people.yaml"))
            or any(d.path == w or w in d.path.parents for w in wanted)
        ]
    for d in shown:
        click.echo(d.format(root))
    errors = sum(d.severity == ERROR for d in shown)
    return errors, len(shown) - errors


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fail_on_errors(project: Project) -> None:
    """For commands that need a valid project: show what is wrong and exit 1."""
    if project.diagnostics.has_errors():
        for d in project.diagnostics.errors:
            click.echo(d.format(project.root), err=True)
        click.echo(f"{_plural(len(project.diagnostics.errors), 'error')}; nothing done", err=True)
        sys.exit(EXIT_INVALID)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-C",
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (lint) as errors.")
@click.pass_obj
def check(obj: Context, paths: tuple[Path, ...], strict: bool) -> None:
    """Check circulars and the registry; report every problem at once.

    Reads every file, validates keys, types, dates and references, and prints
    each problem as FILE:LINE:COLUMN: error|warning: MESSAGE, sorted by file
    and line. Prints nothing and exits 0 when all is well. With PATHS (files
    or folders), reports only on those, still checking references against the
    whole project.

    \b
    Examples:
      circulars check
      circulars check circulars/2024/panzhihua-2024-07.yaml
      circulars check --strict circulars/
    """
    extra = [p for p in paths if p.is_file()]
    project = obj.load(extra)
    errors, warnings = _report(project.diagnostics, project.root, list(paths) or None)
    if errors or warnings:
        click.echo(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    if errors or (strict and warnings):
        sys.exit(EXIT_INVALID)


@main.command("list")
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
    project = obj.load()
    _fail_on_errors(project)
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
                "title": c.title,
                "path": project.source(c.id).path.relative_to(project.root).as_posix()
                if project.source(c.id).path.is_relative_to(project.root)
                else str(project.source(c.id).path),
            }
            for c in chosen
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [
        [c.id, document_number(c, project.registry) or "—", c.date.isoformat(), c.status, c.title]
        for c in chosen
    ]
    click.echo(table(["ID", "NUMBER", "DATE", "STATUS", "TITLE"], rows))


@main.command()
@click.option(
    "--issuer", required=True, metavar="ORG", help="Issuing organization (an id from organizations.yaml)."
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language. Default: zh if the issuer has a Chinese number prefix.",
)
@click.option("--title", default=None, help="Title of the circular.")
@click.option(
    "--kind",
    type=click.Choice(["notice", "opinions", "report", "article"]),
    default="notice",
    show_default=True,
)
@click.option(
    "--date", "when", type=click.DateTime(["%Y-%m-%d"]), help="Date of issue (YYYY-MM-DD). Default: today."
)
@click.option("--id", "circular_id", help="Id (and file name). Default: ISSUER-YEAR-NUMBER.")
@click.pass_obj
def new(
    obj: Context, issuer: str, lang: str | None, title: str | None, kind: str, when, circular_id: str | None
) -> None:
    """Start a new circular with the issuer's next free document number.

    Writes circulars/YEAR/ID.yaml, ready to fill in, and prints its path.
    Never overwrites an existing file.

    \b
    Examples:
      circulars new --issuer panzhihua-ftu
      circulars new --issuer chemchina-union --lang en --title "Notice on ..."
    """
    project = obj.load()
    if issuer not in project.registry.organizations:
        raise click.BadParameter(f"unknown organization '{issuer}'", param_hint="--issuer")
    if circular_id is not None and not ID_PATTERN.match(circular_id):
        raise click.BadParameter("use lowercase letters, digits and hyphens", param_hint="--id")
    language = lang or scaffold.default_language(project, issuer)
    placeholder = "（标题）" if language == "zh" else "(Title)"
    try:
        made = scaffold.create(
            project,
            issuer,
            language,
            title or placeholder,
            kind,
            when.date() if when else date.today(),
            circular_id,
        )
    except FileExistsError as error:
        click.echo(f"error: {error}; not overwriting", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(made.path.relative_to(project.root).as_posix())


@main.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Output folder (relative to the project): docx/ and site/ go inside.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes. Default: one per core.")
@click.option("--drafts", is_flag=True, help="Publish draft circulars on the site too.")
@click.option("--site-url", metavar="URL", help="Where the site will be published (overrides mkdocs.yml).")
@click.option("--strict", is_flag=True, help="Fail on any warning while building the site.")
@click.pass_obj
def build(
    obj: Context,
    ids: tuple[str, ...],
    output: Path,
    jobs: int | None,
    drafts: bool,
    site_url: str | None,
    strict: bool,
) -> None:
    """Build the Word documents and the site of directives.

    Writes OUTPUT/docx/ID.docx for every circular, then the static site
    (mkdocs + mkdocs-material, configured by mkdocs.yml) into OUTPUT/site/.
    With IDs, writes only those Word documents. Chinese circulars use the
    GB/T 9704-2012 layout, English ones the international layout; styles come
    from templates/gbt9704.docx and templates/international.docx. Nothing is
    built, and nothing built before is touched, if any file has errors.

    \b
    Examples:
      circulars build
      circulars build panzhihua-2024-07 sichuan-2024-12
      circulars build --site-url https://intranet.example.org/circulars/
    """
    project = obj.load()
    _fail_on_errors(project)
    known = {c.id: c for c in project.circulars}
    for circular_id in ids:
        if circular_id not in known:
            raise click.BadParameter(f"no circular '{circular_id}'", param_hint="ID")
    out_dir = output if output.is_absolute() else project.root / output
    docx_dir = out_dir / "docx"
    started = time.perf_counter()
    with_site = not ids and (project.root / CONFIG_FILE).exists()
    try:
        if with_site:
            # the plugin writes the documents (all of them) while MkDocs builds the pages
            result = build_site(project, out_dir / "site", docx_dir, site_url, drafts, strict, jobs)
        else:
            chosen = [known[i] for i in ids] if ids else project.circulars
            result = build_documents(project, chosen, docx_dir, jobs)
    except SiteError as error:
        click.echo(f"error: the site was not built: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(f"error: cannot write to {error.filename or out_dir}: {error.strerror or error}", err=True)
        sys.exit(EXIT_INVALID)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        sys.exit(EXIT_INVALID)
    elapsed = time.perf_counter() - started
    written = _plural(len(result.documents), "Word document")
    click.echo(f"Wrote {written} to {_shown_path(docx_dir, project.root)}/")
    if with_site:
        shown = _shown_path(out_dir / "site", project.root)
        click.echo(
            f"Built the site in {shown}/. Browse it with `circulars serve`, "
            f"or publish the folder {shown}/ on any web server."
        )
    elif not ids:
        click.echo(f"No {CONFIG_FILE} in {project.root}: the site was not built.")
    click.echo(f"Done in {elapsed:.1f} s.")


@main.command()
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT")
@click.option("--drafts", is_flag=True, help="Show draft circulars too.")
@click.pass_obj
def serve(obj: Context, dev_addr: str, drafts: bool) -> None:
    """Serve the site locally, rebuilding it as circulars and templates change.

    Wraps `mkdocs serve`: open the address it prints; editing a circular's
    YAML, a template or a page reloads the browser. Stop with Ctrl-C.

    \b
    Examples:
      circulars serve
      circulars serve --drafts -a 0.0.0.0:8000
    """
    project = obj.load()
    _fail_on_errors(project)
    try:
        serve_site(project.root, dev_addr, drafts)
    except SiteError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--png", is_flag=True, help="Also render the first pages as PNG images.")
@click.option(
    "--pages", type=click.IntRange(min=1), default=1, show_default=True, help="Pages to render with --png."
)
@click.option(
    "--dpi",
    type=click.IntRange(min=20, max=600),
    default=60,
    show_default=True,
    help="Resolution of the PNGs.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/preview"),
    show_default=True,
    help="Folder for the PDFs and PNGs (relative to the project).",
)
@click.pass_obj
def preview(obj: Context, ids: tuple[str, ...], png: bool, pages: int, dpi: int, output: Path) -> None:
    """Preview circulars as PDF (and PNG) the way Word would print them.

    Builds the Word documents of the given circulars and converts them with
    LibreOffice (needs the libreoffice-writer package; poppler-utils for
    --png). Fonts named by GB/T 9704 are mapped to free substitutes through
    templates/fonts.conf.

    \b
    Examples:
      circulars preview panzhihua-2024-07
      circulars preview panzhihua-2024-07 chemchina-2012-03 --png -o site/assets/previews
    """
    project = obj.load()
    _fail_on_errors(project)
    known = {c.id: c for c in project.circulars}
    for circular_id in ids:
        if circular_id not in known:
            raise click.BadParameter(f"no circular '{circular_id}'", param_hint="ID")
    out_dir = output if output.is_absolute() else project.root / output
    with tempfile.TemporaryDirectory(prefix="circulars-preview-") as scratch:
        result = build_documents(project, [known[i] for i in ids], Path(scratch), jobs=1)
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
        if result.errors:
            sys.exit(EXIT_INVALID)
        try:
            pdfs = to_pdf([d.path for d in result.documents], out_dir, project.root)
            images = [
                image
                for pdf in pdfs
                for image in (to_png(pdf, pdf.with_suffix(""), 1, pages, dpi) if png else [])
            ]
        except PreviewError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_INVALID)
    for path in [*pdfs, *images]:
        click.echo(_shown_path(path, project.root))


def _shown_path(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


@main.command()
@click.argument("name", type=click.Choice(sorted(SCHEMAS)), default="circular")
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
    click.echo(json_schema_text(name), nl=False)
