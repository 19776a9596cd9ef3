"""The body structure a circular shares with its attachments and the documents it
issues: paragraphs, tables, points and nested sections.

An attachment (附件) is a document of its own: a title, then the same structure as
a circular's body, its headings numbered 一、（一）1.（1） afresh. A notice that
issues (印发) or forwards (转发) a plan, rules or another body's document prints
that document in full after itself (`documents`), as real notices do, rather
than as one more attachment, with its own attachments after it.

Rules (办法, 细则) number their parts 第一章 / 第一条 instead of 一、（一）:
`numbering` chooses, and body_checks.py checks that the sections fit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, PrivateAttr, model_validator

from ..i18n import _
from .base import MODEL_CONFIG, Paragraphs, Text
from .tables import TABLE_FILE_SUFFIXES, Table


class BodyModel(BaseModel):
    model_config = MODEL_CONFIG


class Point(BodyModel):
    """A point in a section, written 'First, …' / '一是……'."""

    key: Text | None = None
    text: Paragraphs


Numbering = Literal["headings", "chapters", "articles"]


class Section(BodyModel):
    """A free section of a long document; sections nest four levels deep."""

    title: Text | None = None
    """Its heading, without a number. Only an article (第N条, see `numbering`) has none."""
    run_in: bool = False
    """true: the title opens the first paragraph of the text, in the heading's face, with a
    full stop added if it has none (1.有序扩大家庭医生来源。现阶段……) instead of a line of its own."""
    text: Paragraphs | None = None
    tables: list[Table] = []
    """Tables of the section, after its text (or after the paragraph a table's `after` names)."""
    points: list[Point] = []
    sections: list[Section] = []
    text_after: Paragraphs | None = None
    """Text after its sub-sections (a closing paragraph, a list of forms: 附表：1.……)."""
    tables_after: list[Table] = []
    """Tables after its sub-sections, after `text_after` (or after the paragraph a table's `after` names)."""


class Document(BodyModel):
    """A document printed in full after the notice that issues (印发) or forwards (转发) it."""

    title: Text
    """Its title, centred on a new page, e.g. 2024年职工运动会实施方案."""
    text: Paragraphs | None = None
    """Its opening paragraphs."""
    tables: list[Table] = []
    """Tables of the opening text (placed by their `after`)."""
    points: list[Point] = []
    sections: list[Section] = []
    """Its headed parts, numbered 一、（一）1.（1） from the start (see `numbering`)."""
    numbering: Numbering = "headings"
    """How its sections are numbered: headings (一、（一）1.（1）, the default); chapters
    (rules: its sections are chapters, 第一章 centred, and theirs articles, 第一条 in bold
    at the start of the article's text, counted on across chapters); articles (its sections
    are articles, with no chapters)."""
    text_after: Paragraphs | None = None
    """Text after its sections."""
    tables_after: list[Table] = []
    """Tables after its sections, after `text_after`."""
    attachments: list[Attachment] = []
    """Its own attachments (附件, 附表): listed in its own attachment note after its text and
    before its `signature`, each printed on a new page after it, never in the notice's note."""
    signature: list[Text] = []
    """Lines signed at its end (an issuing body, a date), as the original writes them."""


class Attachment(Document):
    """An attachment (附件): a document of its own, one table, or a file."""

    title: Text
    """Its title, as the attachment note (附件：) lists it."""
    label: Text | None = None
    """Its mark, on its page and in the note, if not 附件 (Attachment): 附表 for a form.
    Attachments are numbered within their label: 附件1, 附件2, 附表1."""
    file: str | None = None
    """A file in an attachments/ folder, relative to this YAML file. A .csv or .xlsx
    file is also printed as a table in the Word document and on the site."""
    table: Table | None = None
    """The attachment's one table (a form, a list), printed before its text."""
    included: bool = True
    """false: listed in the attachment note only, its text not part of this circular (a file
    linked on the page, a list sent apart): no attachment page, nothing written out here."""

    _file_table: Table | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _content(self) -> Attachment:
        body = (
            self.table,
            self.text,
            *self.tables,
            *self.points,
            *self.sections,
            self.text_after,
            *self.tables_after,
            *self.attachments,
            *self.signature,
        )
        if self.file is not None and any(part is not None for part in body):
            raise ValueError(
                _("an attachment is either a 'file' or written out here (text, tables, sections)")
            )
        if not self.included and (self.file is not None or any(part is not None for part in body)):
            raise ValueError(
                _("an attachment with 'included: false' is its title alone: leave its contents out")
            )
        if self.file is not None and PurePosixPath(self.file).suffix.lower() in TABLE_FILE_SUFFIXES:
            self._file_table = Table(file=self.file)
        return self

    @property
    def file_table(self) -> Table | None:
        """The table a CSV or XLSX attachment file prints as."""
        return self._file_table


def every_attachment(circular) -> Iterator[tuple[tuple, Attachment]]:
    """Every attachment of a circular with its path in the YAML: the circular's own,
    those of the documents it issues, and theirs in turn, in the order they print."""

    def walk(owner, path: tuple) -> Iterator[tuple[tuple, Attachment]]:
        for i, attachment in enumerate(owner.attachments):
            yield (*path, "attachments", i), attachment
            yield from walk(attachment, (*path, "attachments", i))

    for i, document in enumerate(circular.documents):
        yield from walk(document, ("documents", i))
    yield from walk(circular, ())
