"""Checking the sections of a circular, of the documents it issues and of their
attachments against the numbering each uses (body_model.py): a heading needs a
title and a run-in heading a text to run into; an article (第N条) is its number
and its text, with no title and no sub-sections of its own."""

from __future__ import annotations

from collections.abc import Iterator

from ..i18n import _
from .body_model import Document, Section

# What the top-level sections of a document are, by its `numbering`.
_TOP = {"headings": "heading", "chapters": "chapter", "articles": "article"}


def body_problems(circular) -> Iterator[tuple[tuple, str]]:
    """(path, message) for every section that does not fit where it stands."""
    for i, section in enumerate(circular.sections):
        yield from _section(section, ("sections", i), "heading")
    for key in ("documents", "attachments"):
        for i, document in enumerate(getattr(circular, key)):
            yield from _document(document, (key, i))


def _document(document: Document, path: tuple) -> Iterator[tuple[tuple, str]]:
    for i, section in enumerate(document.sections):
        yield from _section(section, (*path, "sections", i), _TOP[document.numbering])
    for i, attachment in enumerate(document.attachments):
        yield from _document(attachment, (*path, "attachments", i))


def _section(section: Section, path: tuple, kind: str) -> Iterator[tuple[tuple, str]]:
    if kind == "article":
        if section.title is not None:
            yield (*path, "title"), _("an article (第N条) has no title: its number opens its text")
        if section.text is None:
            yield path, _("an article (第N条) needs its text: write it under 'text'")
        if section.run_in:
            yield (*path, "run_in"), _("an article always opens its text with its number: leave 'run_in' out")
        if section.sections:
            yield (
                (*path, "sections"),
                _("an article (第N条) has no sections: write its items （一）（二） in its text"),
            )
        return
    if section.title is None:
        yield (
            path,
            _(
                "a section needs a 'title' (only an article, under 'numbering: chapters' or 'articles', has "
                "none)"
            ),
        )
    if section.run_in and kind == "chapter":
        yield (
            (*path, "run_in"),
            _("a chapter heading (第N章) stands on a line of its own: leave 'run_in' out"),
        )
    elif section.run_in and section.text is None:
        yield (
            (*path, "run_in"),
            _(
                "a run-in heading opens the first paragraph of its text, but this section has no 'text': "
                "write it, or leave 'run_in' out"
            ),
        )
    inner = "article" if kind == "chapter" else "heading"
    for i, sub in enumerate(section.sections):
        yield from _section(sub, (*path, "sections", i), inner)
