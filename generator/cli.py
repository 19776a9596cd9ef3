"""The `circulars` command: one subcommand per job a secretariat does.

Exit codes scripts can trust: 0 all is well, 1 the input has errors (or the job
failed), 2 the command line itself is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import click
from tqdm import tqdm

from . import scaffold
from .build import build_documents
from .copies import copy_number_text, parse_identifier
from .diagnostics import ERROR, Diagnostics
from .distribution import DIST_DIR, Distribution, DistributionError, default_out_dir
from .docx_package import read_parts
from .mailer import MailError, SmtpSettings
from .model import ID_PATTERN, LANGUAGES, Circular
from .numbering import document_number
from .preview import PreviewError, soffice, to_pdf, to_png
from .project import DATA_DIR, Project, load_project
from .register import ACKNOWLEDGED, Register, RegisterError
from .register import DEFAULT_PATH as DEFAULT_REGISTER
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


def _circulars(project: Project, ids: tuple[str, ...]) -> list[Circular]:
    """The circulars named on the command line (all when none is); an unknown id is a usage error."""
    known = {c.id: c for c in project.circulars}
    for circular_id in ids:
        if circular_id not in known:
            raise click.BadParameter(f"no circular '{circular_id}'", param_hint="ID")
    return [known[i] for i in ids] if ids else sorted(known.values(), key=lambda c: c.id)


def _in_project(project: Project, path: Path) -> Path:
    """An output folder given on the command line, relative to the project."""
    return path if path.is_absolute() else project.root / path


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


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
    chosen = _circulars(project, ids)
    out_dir = _in_project(project, output)
    docx_dir = out_dir / "docx"
    started = time.perf_counter()
    with_site = not ids and (project.root / CONFIG_FILE).exists()
    try:
        if with_site:
            # the plugin writes the documents (all of them) while MkDocs builds the pages
            result = build_site(project, out_dir / "site", docx_dir, site_url, drafts, strict, jobs)
        else:
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
    chosen = _circulars(project, ids)
    out_dir = _in_project(project, output)
    with tempfile.TemporaryDirectory(prefix="circulars-preview-") as scratch:
        result = build_documents(project, chosen, Path(scratch), jobs=1)
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


def _register_path(project: Project, option: Path | None) -> Path:
    if option is not None:
        return option if option.is_absolute() else Path.cwd() / option
    from_env = os.environ.get("CIRCULARS_REGISTER")
    return Path(from_env) if from_env else project.root / DEFAULT_REGISTER


def _open_register(project: Project, option: Path | None, must_exist: bool = False) -> Register:
    path = _register_path(project, option)
    if must_exist and not path.exists():
        click.echo(f"error: no register at {path}: nothing has been distributed yet", err=True)
        sys.exit(EXIT_INVALID)
    try:
        return Register(path)
    except RegisterError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)


REGISTER_OPTION = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The SQLite register. Default: $CIRCULARS_REGISTER or {DEFAULT_REGISTER} in the project.",
)


def _progress(total: int, label: str):
    """A progress bar on the terminal (none when output is piped)."""
    return tqdm(total=total, desc=label, unit="copy", file=sys.stderr, disable=None, leave=False)


@main.command()
@click.argument("circular_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Output folder (relative to the project). Default: {DIST_DIR}/ID.",
)
@click.option("--dry-run", is_flag=True, help="List who would receive what; write nothing.")
@click.option("--send", is_flag=True, help="Email each recipient its copy (only those not sent yet).")
@click.option(
    "--pdf/--no-pdf", default=None, help="Add a PDF of each copy. Default: when LibreOffice is installed."
)
@click.option(
    "--resend-unconfirmed",
    is_flag=True,
    help="Also send copies whose sending was interrupted (they may have arrived already).",
)
@REGISTER_OPTION
@click.pass_obj
def distribute(
    obj: Context,
    circular_id: str,
    output: Path | None,
    dry_run: bool,
    send: bool,
    pdf: bool | None,
    resend_unconfirmed: bool,
    register_path: Path | None,
) -> None:
    """Make a numbered, addressed copy of an issued circular for each recipient.

    Resolves the main and CC recipients through the union tree and writes, for
    each, a folder COPYNO-RECIPIENT/ with the Word document (its six-digit copy
    number and the recipient printed on it), the attachments and, where
    LibreOffice is installed, a PDF; then manifest.csv, manifest.json and
    SHA256SUMS. Every copy is recorded in the register: running it again gives
    the same copies the same numbers, a new recipient the next number, and a
    changed circular a new edition.

    With --send, each recipient's copy is emailed to its contact address in
    the registry, over SMTP configured by the environment (CIRCULARS_SMTP_HOST,
    CIRCULARS_SMTP_PORT, CIRCULARS_SMTP_SECURITY=starttls|ssl|none,
    CIRCULARS_SMTP_USER, CIRCULARS_SMTP_PASSWORD, CIRCULARS_SMTP_FROM) or the
    [smtp] table of circulars.toml. Copies already sent are never sent again.

    \b
    Examples:
      circulars distribute panzhihua-2024-07 --dry-run
      circulars distribute panzhihua-2024-07
      CIRCULARS_SMTP_HOST=mail.example.org circulars distribute panzhihua-2024-07 --send
    """
    project = obj.load()
    _fail_on_errors(project)
    _circulars(project, (circular_id,))
    out_dir = _in_project(project, output) if output else default_out_dir(project, circular_id)
    register = None
    if not dry_run or _register_path(project, register_path).exists():
        register = _open_register(project, register_path)
    try:
        distribution = Distribution(project, circular_id, out_dir, register)
        if dry_run:
            _show_dry_run(distribution, project, pdf)
            return
        settings = SmtpSettings.load(project.root) if send else None
        with _progress(len(distribution.recipients), "copies prepared") as bar:
            summary = distribution.prepare(pdf, bar.update)
        _show_summary(summary, project)
        if send:
            with _progress(len(summary.copies), "copies sent") as bar:
                report = distribution.send(summary, settings, resend_unconfirmed, bar.update)
            _show_report(report, distribution)
            if report.failed or report.unconfirmed:
                sys.exit(EXIT_INVALID)
    except (DistributionError, MailError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(
            f"error: {circular_id}: cannot write {error.filename or out_dir}: {error.strerror or error}",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    finally:
        if register is not None:
            register.close()


def _show_dry_run(distribution: Distribution, project: Project, pdf: bool | None) -> None:
    circular = distribution.circular
    rows = []
    want_pdf = bool(soffice()) if pdf is None else pdf
    for recipient, number in distribution.dry_run():
        rows.append(
            [
                copy_number_text(number) if number else "new",
                recipient.role,
                recipient.org.id,
                distribution.name_of(recipient),
                recipient.org.email or "(no address)",
                ", ".join(distribution.planned_files(number or 0, want_pdf)).replace("000000", "NNNNNN"),
            ]
        )
    click.echo(f"{circular.id}: {document_number(circular, project.registry)} {circular.title}")
    click.echo(table(["COPY", "ROLE", "RECIPIENT", "NAME", "EMAIL", "FILES"], rows))
    click.echo(f"{_plural(len(rows), 'copy')} would be made; nothing was written (--dry-run).")


def _show_summary(summary, project: Project) -> None:
    edition = f"edition {summary.edition_number} ({summary.edition[:12]})"
    if summary.new_edition and summary.edition_number > 1:
        edition += ": the circular changed since the last distribution, so this is a new edition"
    main_count = sum(1 for c in summary.copies if c.recipient.role == "main")
    click.echo(f"{summary.circular.id}: {edition}")
    click.echo(
        f"{_plural(len(summary.copies), 'copy')} ({main_count} main, {len(summary.copies) - main_count} CC; "
        f"{summary.new_copies} new) in {_shown_path(summary.out_dir, project.root)}/"
        f"{', with PDFs' if summary.pdfs else ''}; manifest.csv, manifest.json and SHA256SUMS beside them."
    )
    for note in summary.notes:
        click.echo(f"warning: {note}", err=True)


def _show_report(report, distribution: Distribution) -> None:
    click.echo(
        f"Sent {_plural(len(report.sent), 'copy')}"
        + (f"; {report.already} already sent before" if report.already else "")
        + "."
    )
    for copy, error in report.failed:
        click.echo(
            f"error: {distribution.circular.id}: copy {copy_number_text(copy.copy_number)} to "
            f"{distribution.name_of(copy.recipient)} ({copy.recipient.org.id}) failed: {error}",
            err=True,
        )
    for copy in report.unconfirmed:
        click.echo(
            f"warning: {distribution.circular.id}: copy {copy_number_text(copy.copy_number)} to "
            f"{copy.recipient.org.id} was being sent when a run stopped; it may have arrived. "
            "Not sent again: check with the recipient, or use --resend-unconfirmed.",
            err=True,
        )


@main.group()
def distribution() -> None:
    """The register of distributed copies: status and receipts.

    \b
    Examples:
      circulars distribution status panzhihua-2024-07
      circulars distribution ack panzhihua-2024-07 geliping-coking-union
    """


@distribution.command("status")
@click.argument("circular_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@REGISTER_OPTION
@click.pass_obj
def distribution_status(obj: Context, circular_id: str, as_json: bool, register_path: Path | None) -> None:
    """Show every copy of a circular: recipient, copy number, edition, status.

    \b
    Examples:
      circulars distribution status panzhihua-2024-07
      circulars distribution status panzhihua-2024-07 --json
    """
    project = obj.load()
    register = _open_register(project, register_path, must_exist=True)
    try:
        editions = dict(register.editions(circular_id))
        copies = register.copies(circular_id)
    finally:
        register.close()
    if not copies:
        click.echo(f"error: no copies of '{circular_id}' in the register", err=True)
        sys.exit(EXIT_INVALID)
    source = project.source(circular_id)
    lang = source.circular.language if source else "zh"
    names = {o.id: o.name.best(lang) for o in project.registry.organizations.values()}
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "copy_number": copy_number_text(c.copy_number),
                        "recipient_id": c.recipient_id,
                        "role": c.role,
                        "edition": editions.get(c.edition),
                        "status": c.status,
                        "channel": c.channel,
                        "prepared_at": c.prepared_at,
                        "sent_at": c.sent_at,
                        "acknowledged_at": c.acknowledged_at,
                        "error": c.error,
                    }
                    for c in copies
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [
        [
            copy_number_text(c.copy_number),
            c.recipient_id,
            names.get(c.recipient_id, "?"),
            c.role,
            str(editions.get(c.edition, "?")),
            c.status,
            c.sent_at or "",
            c.acknowledged_at or "",
        ]
        for c in copies
    ]
    click.echo(
        table(["COPY", "RECIPIENT", "NAME", "ROLE", "EDITION", "STATUS", "SENT", "ACKNOWLEDGED"], rows)
    )
    counts = Counter(c.status for c in copies)
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


@distribution.command("ack")
@click.argument("circular_id", metavar="ID")
@click.argument("recipient_id", metavar="RECIPIENT")
@REGISTER_OPTION
@click.pass_obj
def distribution_ack(obj: Context, circular_id: str, recipient_id: str, register_path: Path | None) -> None:
    """Record that RECIPIENT has received its copy of circular ID.

    Acknowledges the recipient's copy of the latest edition it was given.

    \b
    Example:
      circulars distribution ack panzhihua-2024-07 geliping-park-federation
    """
    project = obj.load()
    register = _open_register(project, register_path, must_exist=True)
    try:
        copies = [c for c in register.copies(circular_id) if c.recipient_id == recipient_id]
        if not copies:
            click.echo(f"error: {circular_id}: no copy was made for '{recipient_id}'", err=True)
            sys.exit(EXIT_INVALID)
        latest = copies[-1]
        register.set_status(circular_id, latest.copy_number, ACKNOWLEDGED)
    finally:
        register.close()
    click.echo(f"{circular_id}: copy {copy_number_text(latest.copy_number)} acknowledged by {recipient_id}.")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@REGISTER_OPTION
@click.pass_obj
def verify(obj: Context, file: Path, register_path: Path | None) -> None:
    """Tell which circular, edition, recipient and copy a .docx is, and check its bytes.

    Reads the copy's identifier from its document properties, finds the copy
    in the register and compares the file's SHA-256 with the recorded one.
    Exits 0 when the file is an intact distributed copy, 1 otherwise.

    \b
    Example:
      circulars verify dist/panzhihua-2024-07/000012-coking-union/panzhihua-2024-07-000012.docx
    """
    project = obj.load()
    data = file.read_bytes()
    try:
        core = read_parts(data).get("docProps/core.xml", b"")
    except (zipfile.BadZipFile, OSError):
        click.echo(f"{file}: not a Word document", err=True)
        sys.exit(EXIT_INVALID)
    match = re.search(rb"<dc:identifier>([^<]*)</dc:identifier>", core)
    parsed = parse_identifier(match.group(1).decode("utf-8")) if match else None
    if parsed is None:
        click.echo(f"{file}: not a distributed copy (no copy identifier in its properties)", err=True)
        sys.exit(EXIT_INVALID)
    circular_id, edition, copy_number, recipient_id = parsed
    register = _open_register(project, register_path, must_exist=True)
    try:
        record = register.copy(circular_id, copy_number)
        files = register.files(circular_id, copy_number) if record else []
        editions = dict(register.editions(circular_id))
    finally:
        register.close()
    name = (
        project.registry.name(recipient_id, "zh")
        if recipient_id in project.registry.organizations
        else recipient_id
    )
    click.echo(
        f"{file}: circular {circular_id}, copy {copy_number_text(copy_number)} for {name} ({recipient_id})"
    )
    if record is None or record.recipient_id != recipient_id or not record.edition.startswith(edition):
        click.echo(
            "  not in the register: this copy was not made here, or the register is another one", err=True
        )
        sys.exit(EXIT_INVALID)
    click.echo(f"  edition {editions.get(record.edition)} ({record.edition[:12]}), status {record.status}")
    digest = hashlib.sha256(data).hexdigest()
    recorded = next((f for f in files if f.path.endswith(".docx")), None)
    if recorded is None or recorded.sha256 != digest:
        click.echo(f"  its bytes do NOT match the register (SHA-256 {digest})", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"  its bytes match the register (SHA-256 {digest})")


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
