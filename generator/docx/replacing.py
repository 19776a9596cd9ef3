"""`circulars import edited.docx --replace ID`: a corrected draft back into its YAML.

The circular ID is built again from its YAML, in memory, as the tool built the
draft; the corrections are what differs between that build and the edited file
(corrections.py), and they are written into the YAML in place (yaml_editing.py),
keeping every comment and key of what did not change. The new YAML is checked
as `circulars check` would before it replaces the old one, atomically; when
anything cannot be placed, nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from ..render.renderer import Renderer
from ..source.diagnostics import Diagnostics
from ..source.model import Circular
from ..source.project import Project
from ..source.validation import validate
from ..source.yaml_editing import EditError, edit_yaml
from ..source.yaml_source import read_yaml
from .build import write_atomically
from .corrections import CorrectionError, Paragraph, Table, trace
from .custom_properties import ID_PROPERTY
from .reading.blocks import Document, DocxReadError, read_docx
from .reading.blocks import Paragraph as ReadParagraph
from .reading.blocks import Table as ReadTable
from .writer import DocxWriter

# Core properties the tool writes from the YAML and Word leaves alone when a
# leader edits (it changes the modified date, revision and last author): when
# they differ from today's build, the YAML changed since the draft was made.
_EDITION_PROPERTIES = ("title", "subject", "creator", "keywords", "category", "language")


class ReplaceError(Exception):
    """The draft cannot replace the circular; `problems` says why, each on its own."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Replaced:
    path: Path
    text: str  # the YAML as corrected
    report: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.report)


def blocks(document: Document) -> list[Paragraph | Table]:
    """The document as corrections compares it: paragraphs, and tables as rows of the
    cells that start there (a cell a merge above covers is left out, as in the YAML)."""
    found: list[Paragraph | Table] = []
    for block in document.blocks:
        if isinstance(block, ReadParagraph):
            found.append(Paragraph(block.text))
        elif isinstance(block, ReadTable):
            found.append(
                Table([[cell.text for cell in row.cells if cell.vmerge != "continue"] for row in block.rows])
            )
    return found


def built_document(project: Project, circular: Circular) -> Document:
    """What the tool builds of `circular` today, read back as the draft is."""
    rendered = Renderer(project.root, project.registry).render(circular)
    data = DocxWriter(project.root, project.registry).write(rendered).data
    return read_docx(data)


def replace_from_draft(project: Project, circular_id: str, draft: Path, write: bool = True) -> Replaced:
    """Trace the corrections of `draft` into circular `circular_id`'s YAML, and write it
    (unless `write` is false). Raises ReplaceError, having written nothing."""
    source = project.source(circular_id)
    if source is None and circular_id in project.invalid_ids:
        raise ReplaceError(
            [
                _("circular '{id}' has errors: run circulars check, correct them, then replace").format(
                    id=circular_id
                )
            ]
        )
    if source is None:
        raise ReplaceError([_("there is no circular '{id}' to replace").format(id=circular_id)])
    try:
        edited = read_docx(draft)
    except DocxReadError as error:
        raise ReplaceError([str(error)]) from None
    carried = edited.custom.get(ID_PROPERTY) or edited.core.get("description", "")
    if carried and carried != circular_id:
        raise ReplaceError(
            [
                _(
                    "{file} was made from circular '{carried}', not '{id}': use --replace {carried}, "
                    "or import it as a circular of its own"
                ).format(file=draft.name, carried=carried, id=circular_id)
            ]
        )
    built = built_document(project, source.circular)
    path = source.path
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    diagnostics = Diagnostics()
    data = read_yaml(path, diagnostics, raw).data
    try:
        corrections = trace(data, blocks(built), blocks(edited))
        new_text = edit_yaml(text, corrections.changes)
    except CorrectionError as error:
        raise ReplaceError(error.problems) from None
    except EditError as error:
        raise ReplaceError([str(error)]) from None
    _check(path, new_text)
    warnings = _edition_warnings(draft, edited, built, circular_id)
    if corrections.kept:
        warnings.append(
            _(
                "the draft lacks what the layout or the registry makes ({missing}); it stays in the YAML's "
                "build: to leave it out, change the YAML or the registry"
            ).format(missing="; ".join(corrections.kept))
        )
    result = Replaced(path, new_text, corrections.report, warnings)
    if write and new_text != text:
        write_atomically(path, new_text.encode("utf-8"))
    return result


def _check(path: Path, text: str) -> None:
    """Refuse a correction that would make the circular invalid (a requirement's only
    text deleted, say), with the problems `check` would report."""
    diagnostics = Diagnostics()
    loaded = read_yaml(path, diagnostics, text.encode("utf-8"))
    if loaded.data is not None:
        validate(Circular, loaded, diagnostics)
    if diagnostics.has_errors():
        raise ReplaceError(
            [
                _("the corrected YAML would not be valid: {problem}").format(problem=d.format())
                for d in diagnostics.errors
            ]
        )


def _edition_warnings(draft: Path, edited: Document, built: Document, circular_id: str) -> list[str]:
    differing = [
        name
        for name in _EDITION_PROPERTIES
        if edited.core.get(name) is not None and edited.core.get(name) != built.core.get(name)
    ]
    # the custom properties (the circular's id and metadata) are the tool's too
    differing += [name for name, value in edited.custom.items() if built.custom.get(name, value) != value]
    if not differing:
        return []
    return [
        _(
            "{file} was made from an older edition of {id} (its {properties} differ from the YAML's today): "
            "what changed in the YAML since will show as corrections; read them before you build"
        ).format(file=draft.name, id=circular_id, properties=", ".join(differing))
    ]
