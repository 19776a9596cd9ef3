"""Making a redline DOCX from two editions of one circular, and reading an
edition's YAML from outside the project (a file, a git revision)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..i18n import _
from ..render.renderer import Renderer, RenderError
from ..source.attachments import attachment_problems
from ..source.diagnostics import Diagnostics
from ..source.kept_editions import edition_date
from ..source.model import Circular
from ..source.project import Project, Source
from ..source.registry import Registry
from ..source.table_checks import check_tables
from ..source.validation import validate
from ..source.yaml_source import read_yaml
from .package import write_parts
from .redline import Marks, redline_document
from .reference import DOCUMENT
from .writer import DocxWriter

DEFAULT_AUTHOR = "Circulars"


class RedlineError(Exception):
    """Bad input for a redline; the message says what to do."""


def read_circular(
    project: Project, path: Path, raw: bytes | None = None, shown: str | None = None
) -> Circular:
    """One circular's YAML (`raw`, else the file at `path`), validated and its tables
    read (a table file relative to `path`); RedlineError listing its problems."""
    diagnostics = Diagnostics()
    loaded = read_yaml(path, diagnostics, raw)
    circular = validate(Circular, loaded, diagnostics) if loaded.data is not None else None
    if circular is not None:
        scratch = Project(project.root, registry=project.registry, diagnostics=diagnostics)
        source = Source(circular, loaded.source)
        check_tables(scratch, source)
        for where, problem in attachment_problems(scratch, source):
            diagnostics.error(path, source.at(*where), problem)
    if circular is None or diagnostics.has_errors():
        problems = "\n".join(d.format() for d in diagnostics.errors)
        raise RedlineError(
            _("{path} is not a valid circular; fix it first:\n{problems}").format(
                path=shown or path, problems=problems
            )
        )
    return circular


def at_revision(path: Path, revision: str) -> bytes:
    """The bytes of `path` as git holds it at `revision`."""

    def git(*args: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-C", str(path.parent), *args], capture_output=True, check=False)
        except OSError as error:
            raise RedlineError(_("git cannot be run ({error}); install git").format(error=error)) from None

    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        raise RedlineError(
            _("{folder} is not in a git repository: give the old edition as a file instead").format(
                folder=path.parent
            )
        )
    # a revision is never an option: `--output=FILE` would have git write a file
    if (
        revision.startswith("-")
        or git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode
    ):
        raise RedlineError(
            _("there is no revision '{revision}' in the git repository (see `git log`)").format(
                revision=revision
            )
        )
    shown = git("show", f"{revision}:./{path.name}")
    if shown.returncode != 0:
        raise RedlineError(
            _("{path} did not exist at revision '{revision}' (was it added or moved since?)").format(
                path=path, revision=revision
            )
        )
    return shown.stdout


class Redliner:
    """Makes redlines with one renderer and writer (their templates and reference
    documents loaded once), for a site or a distribution that makes several."""

    def __init__(self, project_root: Path, registry: Registry):
        self.renderer = Renderer(project_root, registry)
        self.writer = DocxWriter(project_root, registry)

    def parts(self, old: Circular, new: Circular, author: str = DEFAULT_AUTHOR) -> dict:
        """The parts of NEW's Word document, as `circulars build` writes it, with OLD's
        differences tracked in word/document.xml."""
        if old.id != new.id:
            raise RedlineError(
                _(
                    "the two files are different circulars ('{old}' and '{new}'): "
                    "a redline compares two editions of one"
                ).format(old=old.id, new=new.id)
            )
        try:
            old_parts, _missing = self.writer.parts(self.renderer.render(old))
            parts, _missing = self.writer.parts(self.renderer.render(new))
        except RenderError as error:
            raise RedlineError(str(error)) from None
        marks = Marks(author or DEFAULT_AUTHOR, f"{edition_date(new).isoformat()}T00:00:00Z")
        parts[DOCUMENT] = redline_document(old_parts[DOCUMENT], parts[DOCUMENT], marks)
        return parts

    def docx(self, old: Circular, new: Circular, author: str = DEFAULT_AUTHOR) -> bytes:
        return write_parts(self.parts(old, new, author))


def redline_docx(
    project_root: Path, registry: Registry, old: Circular, new: Circular, author: str = DEFAULT_AUTHOR
) -> bytes:
    """NEW's Word document, as `circulars build` writes it, with OLD's differences tracked."""
    return Redliner(project_root, registry).docx(old, new, author)
