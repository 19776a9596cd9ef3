"""Commands that publish: build (the Word documents and the site) and serve.

The Word writer and MkDocs are imported inside the commands, so that
`circulars --help` and `circulars check` do not pay for them: for start-up
time only, never to dodge an import cycle (there is none).
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from .common import (
    EXIT_INVALID,
    Context,
    fail_on_errors,
    in_project,
    report_timings,
    selected_circulars,
    shown_path,
)

if TYPE_CHECKING:
    from ..docx.build import BuildResult


@click.command()
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
@click.option(
    "--force",
    is_flag=True,
    help="Build everything again (every Word document, PDF and page of the site), even what has not changed.",
)
@click.pass_obj
def build(
    obj: Context,
    ids: tuple[str, ...],
    output: Path,
    jobs: int | None,
    drafts: bool,
    site_url: str | None,
    strict: bool,
    force: bool,
) -> None:
    """Build the Word documents and the site of directives.

    Writes OUTPUT/docx/ID.docx for every circular, then the static site
    (mkdocs + mkdocs-material, configured by mkdocs.yml) into OUTPUT/site/.
    With IDs, writes only those Word documents. A document whose inputs (its
    YAML and files, the registry, the templates, the reference document, the
    generator) have not changed since it was written is kept as it is, unless
    --force is given. Chinese circulars use the
    GB/T 9704-2012 layout, English ones the international layout; styles come
    from templates/gbt9704.docx and templates/international.docx. Nothing is
    built, and nothing built before is touched, if any file has errors.

    \b
    Examples:
      circulars build
      circulars build panzhihua-2024-07 sichuan-2024-12
      circulars build --force
      circulars build --site-url https://intranet.example.org/circulars/
    """
    # lazily: see the module's docstring
    from ..docx.preview import PreviewError
    from ..docx.resident import kept_minutes
    from ..site.beside import keep_libreoffice, libreoffice_ahead

    began = time.perf_counter()
    out_dir = in_project(obj.root, output)
    try:
        kept_minutes()
    except PreviewError as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    # a build on a kept site converts the PDFs of what changed: LibreOffice starts now
    with contextlib.nullcontext() if ids else libreoffice_ahead(obj.root, out_dir):
        from ..site.unchanged import build_options, unchanged_build

        options = build_options(site_url, drafts, strict)
        found = None if ids or force else unchanged_build(obj.root, out_dir, options)
        if found is not None:  # nothing changed: the project is not even read
            checked, result = found
            for line in checked:
                click.echo(line, err=True)
            _report(result, obj.root, out_dir, True, ids, began)
            report_timings({"command": time.perf_counter() - began})
            return
        from ..docx.build import build_documents
        from ..site.outputs import CONFIG_FILE, SiteError, UnsafeOutput, check_build_output

        project = obj.load()
        loaded = time.perf_counter()
        fail_on_errors(project, warnings=True)
        chosen = selected_circulars(project, ids)
        docx_dir, site_dir = out_dir / "docx", out_dir / "site"
        started = time.perf_counter()
        with_site = not ids and (project.root / CONFIG_FILE).exists()
        try:
            check_build_output(project, out_dir, docx_dir, site_dir)
            if with_site:
                from ..site.build import build_site  # MkDocs: only when there is a site to build

                # the plugin writes the documents (all of them) while MkDocs builds the pages
                result = build_site(project, site_dir, docx_dir, site_url, drafts, strict, jobs, force)
            else:
                result = build_documents(project, chosen, docx_dir, jobs, force)
        except UnsafeOutput as error:
            click.echo(_("error: nothing was built: {error}").format(error=error), err=True)
            sys.exit(EXIT_INVALID)
        except SiteError as error:
            click.echo(_("error: the site was not built: {error}").format(error=error), err=True)
            sys.exit(EXIT_INVALID)
        except OSError as error:
            click.echo(
                _("error: cannot write to {path}: {reason}").format(
                    path=error.filename or out_dir, reason=error.strerror or error
                ),
                err=True,
            )
            sys.exit(EXIT_INVALID)
    _report(result, project.root, out_dir, with_site, ids, started)
    report_timings({"load": loaded - began, **result.timings, "command": time.perf_counter() - began})
    if with_site:
        keep_libreoffice(project.root, out_dir)


def _report(
    result: BuildResult, root: Path, out_dir: Path, with_site: bool, ids: tuple[str, ...], started: float
) -> None:
    """What a build did (exit 1 on its errors)."""
    from ..site.outputs import CONFIG_FILE

    for warning in result.warnings:
        click.echo(_("warning: {warning}").format(warning=warning), err=True)
    for error in result.errors:
        click.echo(_("error: {error}").format(error=error), err=True)
    if result.errors:
        sys.exit(EXIT_INVALID)
    elapsed = time.perf_counter() - started
    docx_dir = out_dir / "docx"
    click.echo(
        ngettext(
            "Wrote {count} Word document to {folder}/ ({up_to_date} up to date)",
            "Wrote {count} Word documents to {folder}/ ({up_to_date} up to date)",
            result.rebuilt,
        ).format(count=result.rebuilt, folder=shown_path(docx_dir, root), up_to_date=result.up_to_date)
    )
    shown = shown_path(out_dir / "site", root)
    if with_site and result.site_unchanged:
        click.echo(
            _(
                "Nothing the site is built from has changed since the last build: the site in "
                "{folder}/ is up to date (--force builds it again)."
            ).format(folder=shown)
        )
    elif with_site:
        click.echo(
            _(
                "Built the site in {folder}/. Browse it with `circulars serve`, "
                "or publish the folder {folder}/ on any web server."
            ).format(folder=shown)
        )
    if with_site:
        if result.drafts_left_off:
            left_off = ", ".join(result.drafts_left_off)
            count = len(result.drafts_left_off)
            click.echo(
                ngettext(
                    "Left {count} draft off the site: {ids} (build with --drafts to publish them).",
                    "Left {count} drafts off the site: {ids} (build with --drafts to publish them).",
                    count,
                ).format(count=count, ids=left_off)
            )
    elif not ids:
        click.echo(
            _("No {config} in {folder}: the site was not built.").format(config=CONFIG_FILE, folder=root)
        )
    click.echo(_("Done in {seconds} s.").format(seconds=f"{elapsed:.1f}"))


@click.command()
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT")
@click.option("--drafts", is_flag=True, help="Show draft circulars too.")
@click.pass_obj
def serve(obj: Context, dev_addr: str, drafts: bool) -> None:
    """Serve the site locally, rebuilding what a change shows.

    Open the address it prints. Saving a circular's YAML rebuilds its page, its
    Word document and the listings and feeds that show it, and reloads the
    browser; the registry, the templates, returns/, the pages and mkdocs.yml are
    watched too (returns/ from the first import on). A changed document's PDF
    and the search index follow a few seconds later. A save that breaks the
    site shows its error (file:line:column) on every page until it is fixed.
    Stop with Ctrl-C.

    \b
    Examples:
      circulars serve
      circulars serve --drafts -a 0.0.0.0:8000
    """
    from ..site.build import serve_site  # lazily: see the module's docstring
    from ..site.outputs import SiteError

    project = obj.load()
    fail_on_errors(project)
    try:
        serve_site(project.root, dev_addr, drafts)
    except SiteError as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
