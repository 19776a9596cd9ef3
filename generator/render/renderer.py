"""One rendering: a circular through its Jinja template into Markdown with classes.

The Markdown is what the site shows and what the DOCX writer lays out; blocks
carry attr_list classes (`{: .doc-number }`) that the writer maps to Word styles
and the site styles with CSS.

Every value a template prints is escaped for Markdown unless it is already
Markdown (`Md`), so text from YAML prints literally even if a template forgets a
filter: the environment's `finalize` hook is our autoescape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup

from ..i18n import _
from ..source import inline_markup
from ..source.document_numbers import document_number, number_label
from ..source.model import Circular, Selector
from ..source.registry import Registry
from ..source.templates import find_template_file
from . import markup
from .environment import environment, keep_compiled
from .numbering import article_number, chapter_number, chinese_numeral, format_date, heading_number, ordinal
from .tables import table_markdown

LAYOUTS = ("gbt9704", "international")
DEFAULT_LAYOUT = {"zh": "gbt9704", "en": "international"}


class Md(Markup):
    """Text that is already safe Markdown: printed as is.

    Joining it with plain text (`+`, `join`, `format`) escapes the plain side
    for Markdown, the way markupsafe's Markup escapes for HTML.
    """

    @classmethod
    def escape(cls, s: Any) -> Md:
        if isinstance(s, Markup):
            return cls(str(s))
        return cls(markup.escape_markdown("" if s is None else str(s)))


def _finalize(value: Any) -> Md:
    """Escape whatever a template prints, unless it is Markdown already.

    With autoescape on, macro output and `| safe` values are Markup and pass as
    they are (Jinja's escape() makes the Markup it prints of them anyway);
    everything else (text from YAML, names, dates) is escaped for Markdown.
    """
    if isinstance(value, Markup):
        return value
    return Md(markup.escape_markdown("" if value is None else str(value)))


class RenderError(Exception):
    """A template failed; the message names the template file and line."""


@dataclass(frozen=True)
class CopyMarks:
    """What a numbered copy prints: its copy number and its addressee."""

    number: str
    recipient: str


@dataclass
class Rendered:
    circular: Circular
    layout: str
    markdown: str


def layout_of(circular: Circular) -> str:
    return circular.layout or DEFAULT_LAYOUT[circular.language]


class Renderer:
    """Renders circulars of one project; create once, use for many circulars."""

    def __init__(self, project_root: Path, registry: Registry):
        self.project_root = project_root
        self.registry = registry
        self.env = environment(project_root).overlay(autoescape=True, finalize=_finalize)
        self.env.filters.update(
            md=lambda text: Md(markup.to_markdown(text)) if text else Md(""),
            title_md=lambda text: Md(markup.title_markdown(text)),
            paras=lambda text: [Md(markup.paragraph_markdown(p)) for p in inline_markup.paragraphs(text)],
            plain=inline_markup.to_plain,
            continue_sentence=markup.continue_sentence,
            join=lambda items, separator="": Md.escape(separator).join(Md.escape(i) for i in items),
        )
        keep_compiled(self.env)

    def context(self, circular: Circular, layout: str, copy: CopyMarks | None) -> dict[str, Any]:
        lang = circular.language
        registry = self.registry

        def t(english: str, chinese: str) -> str:
            return chinese if lang == "zh" else english

        return {
            "c": circular,
            "lang": lang,
            "layout": layout,
            "t": t,
            "number": document_number(circular, registry),
            "number_label": number_label(circular, registry),
            "is_group": lambda entry: isinstance(entry, list),
            "org": lambda org_id, short=False: registry.name(org_id, lang, short),
            "person": lambda person_id: registry.person_name(person_id, lang),
            "role": lambda person_id, org_id=None: _role(registry, person_id, org_id, lang),
            "recipient": lambda r: registry.recipient_label(r, lang),
            "org_info": lambda org_id: registry.organizations[org_id],
            "fmt_date": lambda d: format_date(d, lang) if isinstance(d, date) else "",
            # the date of issue and the imprint's, in the circular's `date_style`
            "date_line": lambda d: format_date(d, lang, circular.date_style),
            "label": lambda name, english, chinese: _label(circular, name, t(english, chinese)),
            "ordinal": lambda n: ordinal(n, lang),
            "cn": chinese_numeral,
            "is_selector": lambda r: isinstance(r, Selector),
            "attachment_link": _attachment_link,
            "attachment_groups": lambda items: _attachment_groups(items, t("Attachment", "附件")),
            "table": lambda table: Md(table_markdown(table)),
            "copy": copy,
        }

    def render(self, circular: Circular, copy: CopyMarks | None = None) -> Rendered:
        """Markdown for one circular; with `copy`, for one numbered, addressed copy."""
        layout = layout_of(circular)
        context = self.context(circular, layout, copy)
        text = render_template(self.env, f"{circular.kind}.md.j2", context, self.project_root)
        return Rendered(circular, layout, number_headings(tidy(text), circular.language))


def render_template(env: Environment, name: str, context: dict[str, Any], project_root: Path) -> str:
    """The one place a template is rendered: whatever goes wrong inside it (a
    syntax error, an undefined name, 1/0, a range the sandbox refuses, a macro or
    an include that calls itself, memory running out) becomes a RenderError
    naming the template file and line, never a traceback."""
    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as error:
        raise RenderError(
            _("{value}:{lineno}: template error: {message}").format(
                value=error.filename or error.name, lineno=error.lineno, message=error.message
            )
        ) from None
    except TemplateNotFound as error:
        raise RenderError(_("template '{name}' not found").format(name=error.name)) from None
    except RecursionError as error:
        where = _template_location(error) or _template_file(project_root, name)
        raise RenderError(
            _(
                "{where}template error: {error} (does a macro call itself, or a template include itself?)"
            ).format(where=where, error=error)
        ) from None
    except Exception as error:  # a template is user code: report it, never crash
        where = _template_location(error) or _template_file(project_root, name)
        message = str(error) or type(error).__name__
        raise RenderError(
            _("{where}template error: {message}").format(where=where, message=message)
        ) from None


def _role(registry: Registry, person_id: str, org_id: str | None, lang: str) -> str:
    """The person's first title (at org_id if given), as written in this language."""
    person = registry.people[person_id]
    for role in person.roles:
        if org_id is None or role.org == org_id:
            return role.title.best(lang)
    return ""


def _label(circular: Circular, name: str, default: str) -> str | Md:
    """The circular's own label `name` (`labels:`), else the default; one ending in a
    space keeps it, as the Markdown of a line would not."""
    own = getattr(circular.labels, name) if circular.labels else None
    if own is None:
        return default
    return Md(markup.to_markdown(own) + (" " if own[-1:].isspace() else ""))


def _attachment_groups(attachments: list, default: str) -> list[tuple[str, list[tuple[int | None, Any]]]]:
    """Attachments by their label (附件, 附表), labels in the order of their first
    attachment: [(label, [(number, attachment), …])]. Each is numbered within its
    label, unless it is the label's only one (附件 alone, 附件1 and 附件2)."""
    groups: dict[str, list] = {}
    for attachment in attachments:
        groups.setdefault(attachment.label or default, []).append(attachment)
    return [
        (label, [(n if len(items) > 1 else None, a) for n, a in enumerate(items, 1)])
        for label, items in groups.items()
    ]


def _attachment_link(file: str) -> Md:
    """A link to an attachment file, which every output keeps in attachments/ beside the document."""
    name = PurePosixPath(file).name
    return Md(f"[{markup.escape_markdown(name)}](attachments/{quote(name)})")


def _template_location(error: BaseException) -> str:
    """'file:LINE: ' of the innermost template frame in the traceback.

    Jinja rewrites the traceback of an error raised while rendering so that its
    frames carry the template's file name and line; a frame still running
    compiled template code maps its line through the template's debug info.
    """
    tb = error.__traceback__
    found = ""
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals or "__jinja_template__" in frame.f_globals:
            found = f"{frame.f_code.co_filename}:{_template_line(frame, tb.tb_lineno)}: "
        tb = tb.tb_next
    return found


def _template_line(frame, python_line: int) -> int:
    debug_info = frame.f_globals.get("__jinja_template__")
    if debug_info is not None:
        return debug_info.get_corresponding_lineno(python_line)
    return python_line


def _template_file(project_root: Path, name: str) -> str:
    """'path: ' of a template that failed before any of it ran (say, it is not UTF-8)."""
    try:
        return f"{find_template_file(project_root, name)}: "
    except OSError:
        return f"{name}: "


_BLANK_RUNS = re.compile(r"\n{3,}")
# A heading line (## … to ##### …, unless .unnumbered), or the span a run-in
# heading or an article opens its paragraph with; the rest of the line is
# captured to see whether a heading is a chapter's.
_HEADING = re.compile(
    r'^(?:(#{1,5}) (?!.*\{:[^}]*\.unnumbered)|<span class="(run-in-[1-4]|article-number)">)(?=(.*))',
    re.MULTILINE,
)
_CHAPTER = re.compile(r"(?<!\\)\{:[^}]*\.chapter[^}]*\}$")  # the attr_list ending the line, not escaped text


# A class line with no text above it: what a block whose text came out empty
# leaves behind. Markdown would print it literally ("{: .closing }" in the
# document), so it goes, whatever template or field left it.
_CLASS_LINE = r"[ \t]*\{:[^}\n]*\}[ \t]*\n"
_ORPHAN_CLASSES = re.compile(rf"(?:\A|(?<=\n)[ \t]*\n)(?:{_CLASS_LINE})+")


def tidy(text: str) -> str:
    """Drop class lines left without text, and collapse the blank lines template logic leaves behind."""
    text = _ORPHAN_CLASSES.sub("\n", text if text.endswith("\n") else text + "\n")
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"


def number_headings(text: str, language: str) -> str:
    """Number ## to ##### headings: 一、（一）1.（1） in Chinese, 1. 1.1 … in English;
    a chapter of rules 第一章, its articles 第一条, counted on across chapters.

    Numbering here rather than in templates keeps templates simple and makes
    free sections from YAML and fixed blocks share one sequence. A run-in
    heading (<span class="run-in-N">) counts as a heading of level N.
    """
    counters: list[int] = []
    articles = 0

    def number(match: re.Match) -> str:
        nonlocal articles
        hashes, span = match.group(1), match.group(2)
        if span == "article-number":
            articles += 1
            return match.group(0) + article_number(articles, language)
        depth = len(hashes) - 1 if hashes else int(span[-1])  # "##" is level 1: "#" is the title
        if depth == 0:  # a title: an attachment or an issued document numbers its headings afresh
            counters.clear()
            articles = 0
            return match.group(0)
        del counters[depth:]
        if len(counters) == depth:
            counters[-1] += 1
        else:
            counters.extend([1] * (depth - len(counters)))
        if hashes and _CHAPTER.search(match.group(3)):
            return f"{hashes} {chapter_number(counters[-1], language)}"
        space = "" if language == "zh" else " "
        found = heading_number(tuple(counters), language) + space
        return f"{hashes} {found}" if hashes else match.group(0) + found

    return _HEADING.sub(number, text)
