"""The pages of the site, as Markdown: each circular's page, and what every page shares.

A circular's page (circular_page.py), the indexes, the tracker and the
directory have their own modules and use the pieces here. Every text from YAML
goes out through escaping.py: `markdown` in the pages, `front_matter` for their
titles and tags.
Links are relative `.md` links, which MkDocs checks and turns into URLs that
work at the root of a host or under any sub-path.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from datetime import date

from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.project import Project
from . import escaping
from .escaping import markdown
from .labels import LABELS

CIRCULARS_DIR = "circulars"
LATEST_MARKER = "<!-- circulars:latest -->"


def circular_page_path(circular_id: str) -> str:
    return f"{CIRCULARS_DIR}/{circular_id}/index.md"


def circular_folder(circular_id: str) -> str:
    """The folder of a circular's page and the files it offers, as their paths begin."""
    return f"{CIRCULARS_DIR}/{circular_id}/"


def link(from_path: str, to_path: str) -> str:
    """A relative link between two pages (paths relative to the docs folder)."""
    return relative_path(to_path, posixpath.dirname(from_path) or ".")


def relative_path(path: str, start: str) -> str:
    """posixpath.relpath(path, start), for two paths relative to the docs folder: by
    their parts alone, without the two calls to abspath (and so getcwd) that relpath
    makes for each of the 25,000 links of a site of 1,000 circulars."""
    parts = [p for p in path.split("/") if p and p != "."]
    base = [p for p in start.split("/") if p and p != "."]
    if not path or ".." in parts or ".." in base or path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path, start)
    common = 0
    while common < min(len(parts), len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


# Listing pages repeat the titles of the circulars they list: searching should
# find the circulars themselves, and indexing thousands of listed titles again
# would double the time the search plugin spends segmenting Chinese.
NOT_SEARCHED = {"search": {"exclude": True}}
# Nested Markdown lists deeper than this are drawn at this depth: Python-Markdown
# recurses once per level, and real union trees are under ten levels deep.
MAX_LIST_DEPTH = 30


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
        self._numbers: dict[str, str] = {}
        self._plain: dict[str, str] = {}
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
        if circular.id not in self._numbers:  # asked 20,000 times for 1,000 circulars
            self._numbers[circular.id] = document_number(circular, self.registry)
        return self._numbers[circular.id]

    def plain(self, text: str) -> str:
        """to_plain(text), once per text: titles and requirements are in many listings."""
        if text not in self._plain:
            self._plain[text] = to_plain(text)
        return self._plain[text]

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
