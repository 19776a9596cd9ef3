"""The index pages: the latest circulars, and the circulars by year, kind, status and issuer.

Each index is a listing (listing.py): pages of rows that work without
script, and circulars.json, one file for every index, from which tables.js
filters (issuer with its subordinates, year, status, kind) and sorts in the
browser, within what the page is about (a year's page keeps its year).
"""

from __future__ import annotations

from ..source.inline_markup import to_plain
from ..source.model import Circular
from . import escaping
from .escaping import front_matter, markdown
from .listing import Column, Filter, Listing, Urls, cell, org_table, tree_options
from .pages import MAX_LIST_DEPTH, NOT_SEARCHED, SitePages, circular_page_path, link

LATEST_COUNT = 10
CIRCULARS_DATA = "circulars.json"
KINDS = ("notice", "letter", "opinions", "report", "article")
STATUSES = ("issued", "superseded", "repealed", "draft")


class IndexPages:
    """Writes the index pages of one build of the site."""

    def __init__(self, pages: SitePages, urls: Urls):
        self.pages = pages
        self.urls = urls
        self.registry = pages.registry
        self.circulars = pages.circulars
        self.labels = pages.labels
        self._issuer_ids: set[str] | None = None
        self._filters: list[Filter] | None = None
        self._issued_by: dict[str, list[Circular]] = {}

    # --- a table of circulars ---------------------------------------------------------

    def row(self, path: str, c: Circular) -> str:
        html, labels = escaping.html, self.labels
        href = self.urls.href(path, circular_page_path(c.id))
        title = f'<a href="{html(href)}">{html(self.pages.plain(c.title))}</a>'
        issuers = "、".join(html(self.pages.org_name(o)) for o in c.issuer)
        return (
            "<tr>"
            + cell(labels["date"], c.date.isoformat(), "col-date")
            + cell(labels["number"], html(self.pages.number(c)) or "—", "col-number")
            + cell(labels["title"], title, "col-title")
            + cell(labels["issuer"], issuers, "col-issuer")
            + cell(labels["status"], self.pages.status_badge(c.status), "col-status")
            + "</tr>"
        )

    def listing(self, circulars: list[Circular], preset: dict[str, str] | None = None) -> Listing:
        labels = self.labels
        columns = [
            Column("date", labels["date"], "date"),
            Column("number", labels["number"], "number"),
            Column("title", labels["title"], "title"),
            Column("issuer", labels["issuer"]),
            Column("status", labels["status"], "status"),
        ]
        if preset is None:  # a short list (the latest): nothing to filter
            return Listing("circulars", columns, circulars, self.row)
        return Listing(
            "circulars",
            columns,
            circulars,
            self.row,
            source=CIRCULARS_DATA,
            filters=self.filters(),
            preset=preset,
            labels={f"status-{s}": labels[s] for s in STATUSES} | {k: labels[k] for k in ("shown", "none")},
            default_sort="-date",
        )

    def filters(self) -> list[Filter]:
        if self._filters is None:  # the same for every listing of circulars
            self._filters = self._make_filters()
        return self._filters

    def _make_filters(self) -> list[Filter]:
        labels = self.labels
        years = sorted({c.year for c in self.circulars}, reverse=True)
        return [
            Filter("issuer", labels["issuer"], tree_options(self.pages, self.issuer_ids())),
            Filter("year", labels["year"], [(str(y), str(y), 0) for y in years]),
            Filter(
                "status", labels["status"], [(s, labels[s], 0) for s in STATUSES if self._any("status", s)]
            ),
            Filter("kind", labels["kind"], [(k, labels[k], 0) for k in KINDS if self._any("kind", k)]),
        ]

    def _any(self, field: str, value: str) -> bool:
        return any(getattr(c, field) == value for c in self.circulars)

    def data(self) -> str:
        """circulars.json: every published circular, newest first (see tables.js for the fields)."""
        orgs = org_table(self.pages)
        index = {org_id: i for i, (org_id, _, _) in enumerate(orgs)}
        rows = [
            [
                self.urls.of(circular_page_path(c.id)),
                c.date.isoformat(),
                self.pages.number(c),
                to_plain(c.title),
                [index[o] for o in c.issuer if o in index],
                c.status,
                c.kind,
            ]
            for c in self.circulars
        ]
        return escaping.json_data({"orgs": orgs, "rows": rows})

    def listing_pages(
        self, first: str, title: str, heading: str, circulars: list[Circular], preset: dict[str, str]
    ) -> dict[str, str]:
        def head(path: str, n: int, count: int) -> str:
            numbered = title if n == 1 else f"{title} ({n}/{count})"
            return front_matter(title=numbered, **NOT_SEARCHED) + heading

        return self.listing(circulars, preset).pages(first, self.urls, self.labels, head)

    # --- the pages ---------------------------------------------------------------------

    def latest(self, from_path: str) -> str:
        issued = [c for c in self.circulars if c.status == "issued"][:LATEST_COUNT]
        table = self.listing(issued).html(from_path, self.urls, self.labels)
        return (
            f"## {self.labels['latest']}\n\n{table}\n"
            f"[{self.labels['feed']}]({link(from_path, 'feed.xml')}){{ .feed-link }}\n"
        )

    def _grouped(
        self, folder: str, field: str, title: str, groups: dict[str, tuple[str, list[Circular]]]
    ) -> dict[str, str]:
        """An index page listing the groups, and the pages of each group."""
        pages = {}
        index_path = f"{folder}/index.md"
        lines = [front_matter(title=title, **NOT_SEARCHED), f"# {markdown(title)}", ""]
        for key, (label, members) in groups.items():
            page_path = f"{folder}/{key}.md"
            lines.append(f"- [{markdown(label)}]({link(index_path, page_path)}) ({len(members)})")
            pages |= self.listing_pages(
                page_path, f"{label} · {title}", f"# {markdown(label)}\n\n", members, {field: key}
            )
        pages[index_path] = "\n".join(lines) + "\n"
        return pages

    def by_year(self) -> dict[str, str]:
        years: dict[str, tuple[str, list[Circular]]] = {}
        for c in self.circulars:
            years.setdefault(str(c.year), (str(c.year), []))[1].append(c)
        return self._grouped("years", "year", self.labels["years"], years)

    def by_kind(self) -> dict[str, str]:
        kinds: dict[str, tuple[str, list[Circular]]] = {}
        for kind in KINDS:
            members = [c for c in self.circulars if c.kind == kind]
            if members:
                kinds[kind] = (self.labels[kind], members)
        return self._grouped("kinds", "kind", self.labels["kinds"], kinds)

    def by_status(self) -> dict[str, str]:
        statuses: dict[str, tuple[str, list[Circular]]] = {}
        for status in STATUSES:
            members = [c for c in self.circulars if c.status == status]
            if members:
                statuses[status] = (self.labels[status], members)
        return self._grouped("status", "status", self.labels["statuses"], statuses)

    def issuer_ids(self) -> set[str]:
        """Organizations whose own circulars or subordinates' circulars are published."""
        if self._issuer_ids is None:  # asked by every listing's filter form
            found: set[str] = set()
            for c in self.circulars:
                for org in c.issuer:
                    if org in self.registry.organizations:
                        found.add(org)
                        found.update(a.id for a in self.registry.ancestors(org))
            self._issuer_ids = found
        return self._issuer_ids

    def issued_by(self, org_id: str) -> list[Circular]:
        """The circulars of an organization and of the bodies under it."""
        if org_id not in self._issued_by:  # asked by its index page and by the directory
            subtree = {org_id} | {o.id for o in self.registry.descendants(org_id)}
            self._issued_by[org_id] = [c for c in self.circulars if subtree & set(c.issuer)]
        return self._issued_by[org_id]

    def by_issuer(self) -> dict[str, str]:
        """The pages of each issuing body, listing its own and its subordinates' circulars,
        and an index that follows the union tree."""
        title = self.labels["issuers"]
        index_path = "issuers/index.md"
        shown = self.issuer_ids()
        pages = {}
        for org_id in shown:
            name = self.pages.org_name(org_id)
            heading = f"# {markdown(name)}\n\n{self.labels['own_and_subordinate']}\n\n"
            pages |= self.listing_pages(
                f"issuers/{org_id}.md",
                f"{name} · {title}",
                heading,
                self.issued_by(org_id),
                {"issuer": org_id},
            )
        lines = [front_matter(title=title, **NOT_SEARCHED), f"# {markdown(title)}", ""]
        lines += self._tree_lines(index_path, shown, lambda org_id: f"issuers/{org_id}.md")
        pages[index_path] = "\n".join(lines) + "\n"
        return pages

    def _tree_lines(self, from_path: str, shown: set[str], target) -> list[str]:
        """A nested list of the organizations in `shown`, following the tree."""
        lines: list[str] = []
        levels: list[int] = []  # levels[d]: how many shown organizations are above depth d + 1
        for org, depth in self.registry.tree():  # a loop, not recursion: any depth is fine
            del levels[depth:]
            level = levels[-1] if levels else 0
            if org.id in shown:
                name = markdown(self.pages.org_name(org.id))
                indent = "    " * min(level, MAX_LIST_DEPTH)
                lines.append(f"{indent}- [{name}]({link(from_path, target(org.id))})")
                level += 1
            levels.append(level)
        return lines
