"""The edition of an issued circular: what its distributed copies are made from.

A circular is rendered once into a copy template (`CopyMaker`); the edition is
the SHA-256 of that template and the attachments. A distribution (run.py)
stamps its copies from it, and a return form (returns/forms.py) names the
edition of the copy it travels with, so both work it out here, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..docx.writer import DocxWriter
from ..render.renderer import Renderer
from ..source.body_model import every_attachment
from ..source.project import Project, Source
from .copies import CopyMaker


class DistributionError(Exception):
    """Bad input for a distribution; the message names the circular and recipient."""


@dataclass
class Edition:
    """An issued circular, its attachments and the copy template made from them."""

    source: Source
    attachments: list[tuple[str, bytes]]  # (the name each copy keeps it under, its bytes)
    maker: CopyMaker

    @property
    def sha256(self) -> str:
        return self.maker.edition

    @classmethod
    def load(cls, project: Project, circular_id: str) -> Edition:
        """The circular as it is now; DistributionError when it cannot be distributed
        (no such circular, not issued, attachments that cannot be read or share a name)."""
        source = issued_source(project, circular_id)
        attachments = attachment_files(project, source)
        maker = CopyMaker.prepare(
            source.circular,
            Renderer(project.root, project.registry),
            DocxWriter(project.root, project.registry),
            [data for _, data in attachments],
        )
        return cls(source, attachments, maker)


def issued_source(project: Project, circular_id: str) -> Source:
    source = project.source(circular_id)
    if source is None:
        raise DistributionError(f"no circular '{circular_id}'")
    if source.circular.status != "issued":
        raise DistributionError(
            f"{circular_id}: only issued circulars are distributed; this one is {source.circular.status}"
        )
    return source


def shown_source(project: Project, source: Source) -> str:
    try:
        return source.path.relative_to(project.root).as_posix()
    except ValueError:
        return str(source.path)


def attachment_files(project: Project, source: Source) -> list[tuple[str, bytes]]:
    """The attachment files, by the name each copy keeps them under in attachments/.

    Two with the same name (in different folders) would overwrite each other
    there: refused before anything is written."""
    circular = source.circular
    files = []
    seen: dict[str, tuple[str, int]] = {}
    for where, attachment in every_attachment(circular):
        if attachment.file is None:
            continue
        path = (source.path.parent / attachment.file).resolve()
        key = path.name.casefold()  # one name on case-insensitive file systems too
        if key in seen:
            first, line = seen[key]
            position = source.at(*where, "file")
            raise DistributionError(
                f"{shown_source(project, source)}:{position.line}:{position.column}: attachment "
                f"'{attachment.file}' has the same file name as '{first}' (line {line}); every copy "
                "keeps its attachments in one folder, so rename one of them. Nothing was written."
            )
        seen[key] = (attachment.file, source.at(*where, "file").line)
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            raise DistributionError(
                f"{circular.id}: attachment '{attachment.file}' cannot be read: {error.strerror}"
            ) from None
    return files
