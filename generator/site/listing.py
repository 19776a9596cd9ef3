"""Long tables (indexes, tracker, an organization's items) as pages of rows, in plain HTML.

Every listing is complete without script: its rows are cut into pages of
PAGE_SIZE, linked by a pager, so no page grows with the number of circulars
(the tracker of 1,000 circulars was one 1.1 MB page). With script,
site/assets/tables.js loads the listing's rows as compact JSON (written
beside the pages) and filters, sorts and pages them across all pages in the
browser; the form it uses is in the page, hidden until the script shows it.

The tables are raw HTML inside the Markdown, not Markdown tables: Python-
Markdown leaves raw HTML alone, which is faster for thousands of rows and lets
each cell carry the label that phones show beside it when rows are stacked.
MkDocs does not rewrite links in raw HTML, so `Urls` writes the final
relative URLs itself, for either setting of use_directory_urls. Every text
goes out through escaping.html; the JSON through escaping.json_data.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import escaping
from .pages import SitePages, relative_path

PAGE_SIZE = 100
# The script and styles of every listing, added to every page (the script does nothing where
# there is no listing).
UI_DIR = Path(__file__).parent / "listing_ui"
LISTING_UI = {
    "assets/listing/tables.js": UI_DIR / "tables.js",
    "assets/listing/tables.css": UI_DIR / "tables.css",
}
INDENT = "\u00a0\u00a0"  # per level of the union tree, in a drop-down's options


def add_listing_ui(config) -> None:
    """Put the listings' script and styles on every page (whatever mkdocs.yml lists)."""
    for path in LISTING_UI:
        files = config.extra_javascript if path.endswith(".js") else config.extra_css
        if path not in files:
            files.append(path)


@dataclass(frozen=True)
class Urls:
    """The URL of each generated page, and relative links between them."""

    directory_urls: bool = True

    def of(self, path: str) -> str:
        """The URL (relative to the site's root) of a page at `path` in the docs folder."""
        if not path.endswith(".md"):
            return path  # a file copied as it is (JSON, feed)
        stem = path[: -len(".md")]
        if stem == "index" or stem.endswith("/index"):
            folder = stem[: -len("index")]
            return folder if self.directory_urls else f"{folder}index.html"
        return f"{stem}/" if self.directory_urls else f"{stem}.html"

    def href(self, from_path: str, to_path: str, anchor: str = "") -> str:
        """A relative link from one page (or file) of the docs folder to another."""
        source, target = self.of(from_path), self.of(to_path)
        base = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
        relative = relative_path(target or ".", base.rstrip("/") or ".")
        if target.endswith("/") or not target:
            relative = "./" if relative == "." else f"{relative}/"
        return relative + (f"#{anchor}" if anchor else "")

    def root(self, from_path: str) -> str:
        """The relative link to the site's root from a page, ending in /."""
        return self.href(from_path, "index.md").removesuffix("index.html")


def page_paths(first: str, count: int) -> list[str]:
    """The paths of a listing's `count` pages: `first`, then page-2.md, … beside or under it.

    tracker/index.md → tracker/page-2.md; years/2024.md → years/2024/page-2.md.
    """
    folder = first[: -len("index.md")] if first.endswith("index.md") else first[: -len(".md")] + "/"
    return [first] + [f"{folder}page-{n}.md" for n in range(2, count + 1)]


@dataclass(frozen=True)
class Column:
    key: str  # names the column for sorting and styling (class col-KEY)
    label: str
    sort: str | None = None  # the JSON field tables.js sorts by, if the column sorts


@dataclass(frozen=True)
class Filter:
    """A drop-down of the filter form: (value, label, depth in a tree) per option."""

    key: str
    label: str
    options: Sequence[tuple[str, str, int]]


@dataclass
class Listing:
    """One listing: its kind (for tables.js), columns, rows, and the JSON it filters."""

    kind: str
    columns: list[Column]
    items: Sequence
    row: Callable[[str, object], str]  # (page path, item) -> <tr>…</tr>, its cells made by `cell`
    source: str | None = None  # path of the JSON file with every row; None: nothing to filter
    filters: Sequence[Filter] = ()
    preset: dict[str, str] | None = None  # filters fixed by the page (a year's page: its year)
    checkboxes: Sequence[tuple[str, str]] = ()  # (key, label), e.g. ("overdue", "Overdue only")
    labels: dict[str, str] | None = None  # words tables.js writes (from labels.py)
    default_sort: str = ""

    def pages(
        self, first: str, urls: Urls, words: dict[str, str], head: Callable[[str, int, int], str]
    ) -> dict[str, str]:
        """{path: Markdown} for each page of the listing; `head(path, n, count)` is its text above."""
        count = max(1, -(-len(self.items) // PAGE_SIZE))
        paths = page_paths(first, count)
        return {
            path: head(path, n, count) + self.html(path, urls, words, n, paths) + "\n"
            for n, path in enumerate(paths, 1)
        }

    def html(self, path: str, urls: Urls, words: dict[str, str], n: int = 1, paths=()) -> str:
        """The listing's page `n` (of `paths`) as HTML; links relative to `path`."""
        if not self.items:
            return f"<p>{escaping.html(words['none'])}</p>\n"
        attributes = {"class": f"listing listing-{self.kind}", "data-listing": self.kind}
        if self.source:
            attributes |= {
                "data-source": urls.href(path, self.source),
                "data-root": urls.root(path),
                "data-page-size": str(PAGE_SIZE),
                "data-sort": self.default_sort,
                "data-preset": escaping.json_data(self.preset or {}),
            }
        if self.labels:
            attributes["data-labels"] = escaping.json_data(self.labels)
        parts = ["<div " + " ".join(f'{k}="{escaping.html(v)}"' for k, v in attributes.items()) + ">"]
        if self.source:
            parts.append(self._form(words))
        first = (n - 1) * PAGE_SIZE + 1
        rows = [self.row(path, item) for item in self.items[first - 1 : first - 1 + PAGE_SIZE]]
        shown = words["shown"].format(first=first, last=first + len(rows) - 1, total=len(self.items))
        parts.append(f'<p class="listing-count" aria-live="polite">{escaping.html(shown)}</p>')
        parts.append(f'<table class="listing-table {self.kind}-table">')
        parts.append("<thead><tr>" + "".join(self._th(c) for c in self.columns) + "</tr></thead>")
        parts.append("<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")
        if len(paths) > 1:
            parts.append(self._pager(path, urls, words, n, paths))
        parts.append("</div>")
        return "\n".join(parts) + "\n"

    @staticmethod
    def _th(column: Column) -> str:
        sort = f' data-sort="{escaping.html(column.sort)}"' if column.sort else ""
        return f'<th class="col-{column.key}" scope="col"{sort}>{escaping.html(column.label)}</th>'

    def _form(self, words: dict[str, str]) -> str:
        preset = self.preset or {}
        fields = []
        for f in self.filters:
            if f.key in preset:
                continue  # fixed by the page
            options = [f'<option value="">{escaping.html(words["any"])}</option>'] + [
                f'<option value="{escaping.html(value)}">{INDENT * depth}{escaping.html(label)}</option>'
                for value, label, depth in f.options
            ]
            fields.append(
                f'<label>{escaping.html(f.label)} <select name="{escaping.html(f.key)}">'
                + "".join(options)
                + "</select></label>"
            )
        for key, label in self.checkboxes:
            fields.append(
                f'<label><input type="checkbox" name="{escaping.html(key)}" value="1"> '
                f"{escaping.html(label)}</label>"
            )
        label = escaping.html(words["filter"])
        return f'<form class="listing-filter" hidden aria-label="{label}">' + "".join(fields) + "</form>"

    @staticmethod
    def _pager(path: str, urls: Urls, words: dict[str, str], n: int, paths: list[str]) -> str:
        links = []
        for i, target in enumerate(paths, 1):
            if i == n:
                links.append(f'<a aria-current="page">{i}</a>')
            else:
                links.append(f'<a href="{escaping.html(urls.href(path, target))}">{i}</a>')
        return (
            f'<nav class="pager" aria-label="{escaping.html(words["pages"])}">' + " ".join(links) + "</nav>"
        )


def cell(label: str, content: str, css: str = "") -> str:
    """A table cell; `label` is shown beside it when phones stack the row. `content` is HTML."""
    css_class = f' class="{css}"' if css else ""
    return f'<td{css_class} data-label="{_escaped_label(label)}">{content}</td>'


@functools.lru_cache(maxsize=256)
def _escaped_label(label: str) -> str:
    """A column's label, escaped once: 1,000 circulars' listings repeat 30 labels 80,000 times."""
    return escaping.html(label)


def org_table(pages: SitePages) -> list[tuple[str, str, int]]:
    """(id, name, parent's index or -1) of every organization, in tree order: how the JSON
    files name organizations, and what lets tables.js match an issuer's subordinates."""
    found = [org for org, _depth in pages.registry.tree()]
    index = {org.id: i for i, org in enumerate(found)}
    return [(o.id, pages.org_name(o.id), index.get(o.parent, -1)) for o in found]


def tree_options(pages: SitePages, shown) -> list[tuple[str, str, int]]:
    """Drop-down options for the organizations in `shown`, in tree order, indented by depth."""
    return [(o.id, pages.org_name(o.id), depth) for o, depth in pages.registry.tree() if o.id in shown]
