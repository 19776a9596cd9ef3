"""Commands on the Word documents: preview through LibreOffice.

The Word writer and the previews are imported inside the command, so that
`circulars --help` and `circulars check` do not pay for them: for start-up time
only, never to dodge an import cycle (there is none).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from .common import EXIT_INVALID, Context, fail_on_errors, in_project, selected_circulars, shown_path


@click.command()
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
    import tempfile  # lazily: see the module's docstring

    from ..docx.build import build_documents
    from ..docx.closing_page import to_pdf_settled
    from ..docx.preview import PreviewError, to_png

    project = obj.load()
    fail_on_errors(project)
    chosen = selected_circulars(project, ids)
    out_dir = in_project(project.root, output)
    with tempfile.TemporaryDirectory(prefix="circulars-preview-") as scratch:
        result = build_documents(project, chosen, Path(scratch), jobs=1)
        for error in result.errors:
            click.echo(_("error: {error}").format(error=error), err=True)
        if result.errors:
            sys.exit(EXIT_INVALID)
        try:
            # the 版记 page settled as the build settles it (docx/closing_page)
            pdfs, _settled = to_pdf_settled([d.path for d in result.documents], out_dir, project.root)
            images = [
                image
                for pdf in pdfs
                for image in (to_png(pdf, pdf.with_suffix(""), 1, pages, dpi) if png else [])
            ]
        except PreviewError as error:
            click.echo(_("error: {error}").format(error=error), err=True)
            sys.exit(EXIT_INVALID)
    for path in [*pdfs, *images]:
        click.echo(shown_path(path, project.root))
