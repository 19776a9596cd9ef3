"""The body structure a circular shares with its attachments and the documents it
issues: paragraphs, tables, points and nested sections.

An attachment (附件) is a document of its own: a title, then the same structure as
a circular's body, its headings numbered 一、（一）1.（1） afresh. A notice that
issues (印发) or forwards (转发) a plan, rules or another body's document prints
that document in full after itself (`documents`), as real notices do, rather
than as one more attachment.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from pydantic import BaseModel, PrivateAttr, model_validator

from .base import MODEL_CONFIG, Paragraphs, Text
from .tables import TABLE_FILE_SUFFIXES, Table


class BodyModel(BaseModel):
    model_config = MODEL_CONFIG


class Point(BodyModel):
    """A point in a section, written 'First, …' / '一是……'."""

    key: Text | None = None
    text: Paragraphs


class Section(BodyModel):
    """A free section of a long document; sections nest four levels deep."""

    title: Text
    text: Paragraphs | None = None
    tables: list[Table] = []
    """Tables of the section, after its text (or after the paragraph a table's `after` names)."""
    points: list[Point] = []
    sections: list[Section] = []


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
    """Its headed parts, numbered 一、（一）1.（1） from the start."""
    signature: list[Text] = []
    """Lines signed at its end (an issuing body, a date), as the original writes them."""


class Attachment(Document):
    """An attachment (附件): a document of its own, one table, or a file."""

    title: Text
    """Its title, as the attachment note (附件：) lists it."""
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
        body = (self.table, self.text, *self.tables, *self.points, *self.sections, *self.signature)
        if self.file is not None and any(part is not None for part in body):
            raise ValueError("an attachment is either a 'file' or written out here (text, tables, sections)")
        if not self.included and (self.file is not None or any(part is not None for part in body)):
            raise ValueError(
                "an attachment with 'included: false' is its title alone: leave its contents out"
            )
        if self.file is not None and PurePosixPath(self.file).suffix.lower() in TABLE_FILE_SUFFIXES:
            self._file_table = Table(file=self.file)
        return self

    @property
    def file_table(self) -> Table | None:
        """The table a CSV or XLSX attachment file prints as."""
        return self._file_table
