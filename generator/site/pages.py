"""The pages of the site, as Markdown: each circular's page, and what every page shares.

A circular's page is the very Markdown its Word document was written from,
framed by a header (number, issuer, date, status, download, links to related
circulars). The indexes, the tracker and the directory, generated from the
model, have their own modules and use the pieces here. Every text from YAML
goes out through escaping.py: `markdown` in the pages, `front_matter` for their
titles and tags.
Links are relative `.md` links, which MkDocs checks and turns into URLs that
work at the root of a host or under any sub-path.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ..render.numbering import format_date
from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.project import Project
from . import escaping
from .escaping import front_matter, markdown
from .labels import LABELS

CIRCULARS_DIR = "circulars"
LATEST_MARKER = "<!-- circulars:latest -->"
# The size and SHA-256 of a circular's document are known only once it is
# written, after its page is converted: the plugin fills them in last.
DOWNLOAD_FACTS = "<!-- circulars:download-facts -->"


@dataclass(frozen=True)
class Download:
    """The Word document offered on a circular's page."""

    name: str
    size: int
    sha256: str


def circular_page_path(circular_id: str) -> str:
    return f"{CIRCULARS_DIR}/{circular_id}/index.md"


def link(from_path: str, to_path: str) -> str:
    """A relative link between two pages (paths relative to the docs folder)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


# Listing pages repeat the titles of the circulars they list: searching should
# find the circulars themselves, and indexing thousands of listed titles again
# would double the time the search plugin spends segmenting Chinese.
NOT_SEARCHED = {"search": {"exclude": True}}
# Nested Markdown lists deeper than this are drawn at this depth: Python-Markdown
# recurses once per level, and real union trees are under ten levels deep.
MAX_LIST_DEPTH = 30


def _human_size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"


class SitePages:
    """Writes the Markdown of every generated page for one build of the site."""

    def __init__(self, project: Project, circulars: list[Circular], language: str, today: date):
        self.project = project
        self.registry = project.registry
        self.circulars = sorted(circulars, key=lambda c: (c.date, c.id), reverse=True)  # newest first
        self.by_id = {c.id: c for c in self.circulars}
        self.language = language if language in LABELS else "en"
        self.labels = LABELS[self.language]
        self.today = today
        self.superseded_by: dict[str, list[str]] = defaultdict(list)
        self.amended_by: dict[str, list[str]] = defaultdict(list)
        self.translations: dict[str, list[str]] = defaultdict(list)
        for c in self.circulars:
            for other in c.supersedes:
                self.superseded_by[other].append(c.id)
            for other in c.amends:
                self.amended_by[other].append(c.id)
            if c.translation_of in self.by_id:
                self.translations[c.translation_of].append(c.id)
                self.translations[c.id].append(c.translation_of)

    # --- small pieces ----------------------------------------------------------

    def number(self, circular: Circular) -> str:
        return document_number(circular, self.registry)

    def org_name(self, org_id: str, short: bool = False) -> str:
        return (
            self.registry.name(org_id, self.language, short)
            if org_id in self.registry.organizations
            else org_id
        )

    def circular_link(self, from_path: str, circular_id: str) -> str:
        circular = self.by_id[circular_id]
        number = self.number(circular)
        label = f"{number} {to_plain(circular.title)}" if number else to_plain(circular.title)
        return f"[{markdown(label)}]({link(from_path, circular_page_path(circular_id))})"

    def status_badge(self, status: str) -> str:
        return (
            f'<span class="status status-{escaping.html(status)}">{escaping.html(self.labels[status])}</span>'
        )

    # --- a circular's page -----------------------------------------------------

    def fill_download_facts(self, html_page: str, download: Download) -> str:
        facts = (
            f"DOCX · {_human_size(download.size)} · {self.labels['sha']} "
            f'<code class="sha256">{download.sha256}</code>'
        )
        return html_page.replace(DOWNLOAD_FACTS, facts, 1)

    def circular_page(self, circular: Circular, body_markdown: str, document_name: str) -> str:
        path = circular_page_path(circular.id)
        labels = self.labels
        lang = circular.language
        issuers = "、".join(markdown(self.registry.name(o, lang)) for o in circular.issuer)
        number = self.number(circular)
        header = [
            '<div class="circular-meta" markdown="1">',
            "",
            f"{self.status_badge(circular.status)} "
            + (f"**{markdown(number)}** · " if number else "")
            + f"{issuers} · {markdown(format_date(circular.date, lang))}",
            "",
        ]
        header += [
            f"[{labels['download']}]({escaping.url_path(document_name)})"
            "{ .md-button .md-button--primary .download download }"
            f' <span class="download-facts">{DOWNLOAD_FACTS}</span>',
            "",
        ]
        header += ["</div>", ""]
        notice = self._status_notice(path, circular)
        related = self._related(path, circular)
        lang_tag = "zh-CN" if lang == "zh" else "en"
        body = [
            f'<div class="circular" lang="{lang_tag}" markdown="1">',
            "",
            body_markdown.strip(),
            "",
            "</div>",
            "",
        ]
        tags = [to_plain(t) for t in circular.tags]
        return (
            front_matter(title=to_plain(circular.title), tags=tags)
            + "\n".join(header)
            + notice
            + related
            + "\n".join(body)
        )

    def _status_notice(self, path: str, circular: Circular) -> str:
        labels = self.labels
        successors = self.superseded_by.get(circular.id, [])
        if circular.status == "superseded":
            links = "; ".join(self.circular_link(path, s) for s in successors)
            text = f"{labels['notice_superseded']} {links}" if links else labels["superseded"]
            return f'!!! warning "{labels["superseded"]}"\n    {text}\n\n'
        if circular.status == "repealed":
            text = (
                f"{labels['notice_repealed_by']} {'; '.join(self.circular_link(path, s) for s in successors)}"
                if successors
                else labels["notice_repealed"]
            )
            return f'!!! danger "{labels["repealed"]}"\n    {text}\n\n'
        return ""

    def _related(self, path: str, circular: Circular) -> str:
        labels = self.labels
        lines = []
        for label, ids in (
            (labels["supersedes"], circular.supersedes),
            (labels["superseded_by"], self.superseded_by.get(circular.id, [])),
            (labels["amends"], circular.amends),
            (labels["amended_by"], self.amended_by.get(circular.id, [])),
            (labels["translations"], self.translations.get(circular.id, [])),
        ):
            shown = [self.circular_link(path, i) for i in ids if i in self.by_id]
            if shown:
                lines.append(f"{label}: " + "; ".join(shown))
        if not lines:
            return ""
        return '<div class="circular-links" markdown="1">\n\n' + "  \n".join(lines) + "\n\n</div>\n\n"
