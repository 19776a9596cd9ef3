"""The index pages: the latest circulars, and the circulars by year, kind, status and issuer."""

from __future__ import annotations

from ..source.model import Circular
from .escaping import front_matter, markdown, markdown_plain
from .pages import MAX_LIST_DEPTH, NOT_SEARCHED, SitePages, circular_page_path, link

LATEST_COUNT = 10


class IndexPages:
    """Writes the index pages of one build of the site."""

    def __init__(self, pages: SitePages):
        self.pages = pages
        self.registry = pages.registry
        self.circulars = pages.circulars
        self.labels = pages.labels

    def table(self, from_path: str, circulars: list[Circular]) -> str:
        labels = self.labels
        rows = [
            f"| {labels['date']} | {labels['number']} | {labels['title']} | {labels['issuer']} "
            f"| {labels['status']} |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in circulars:
            title = f"[{markdown_plain(c.title)}]({link(from_path, circular_page_path(c.id))})"
            issuers = "、".join(markdown(self.pages.org_name(o)) for o in c.issuer)
            rows.append(
                f"| {c.date.isoformat()} | {markdown(self.pages.number(c)) or '—'} | {title} | {issuers} "
                f"| {self.pages.status_badge(c.status)} |"
            )
        return "\n".join(rows) + "\n" if circulars else f"{labels['none']}\n"

    def latest(self, from_path: str) -> str:
        issued = [c for c in self.circulars if c.status == "issued"][:LATEST_COUNT]
        return (
            f"## {self.labels['latest']}\n\n{self.table(from_path, issued)}\n"
            f"[{self.labels['feed']}]({link(from_path, 'feed.xml')}){{ .feed-link }}\n"
        )

    def _grouped(
        self, folder: str, title: str, groups: dict[str, tuple[str, list[Circular]]]
    ) -> dict[str, str]:
        """An index page listing the groups, and a page per group."""
        pages = {}
        index_path = f"{folder}/index.md"
        lines = [front_matter(title=title, **NOT_SEARCHED), f"# {markdown(title)}", ""]
        for key, (label, members) in groups.items():
            page_path = f"{folder}/{key}.md"
            lines.append(f"- [{markdown(label)}]({link(index_path, page_path)}) ({len(members)})")
            pages[page_path] = (
                front_matter(title=f"{label} · {title}", **NOT_SEARCHED)
                + f"# {markdown(label)}\n\n"
                + self.table(page_path, members)
            )
        pages[index_path] = "\n".join(lines) + "\n"
        return pages

    def by_year(self) -> dict[str, str]:
        years: dict[str, tuple[str, list[Circular]]] = {}
        for c in self.circulars:
            years.setdefault(str(c.year), (str(c.year), []))[1].append(c)
        return self._grouped("years", self.labels["years"], years)

    def by_kind(self) -> dict[str, str]:
        kinds: dict[str, tuple[str, list[Circular]]] = {}
        for kind in ("notice", "opinions", "report", "article"):
            members = [c for c in self.circulars if c.kind == kind]
            if members:
                kinds[kind] = (self.labels[kind], members)
        return self._grouped("kinds", self.labels["kinds"], kinds)

    def by_status(self) -> dict[str, str]:
        statuses: dict[str, tuple[str, list[Circular]]] = {}
        for status in ("issued", "superseded", "repealed", "draft"):
            members = [c for c in self.circulars if c.status == status]
            if members:
                statuses[status] = (self.labels[status], members)
        return self._grouped("status", self.labels["statuses"], statuses)

    def issuer_ids(self) -> set[str]:
        """Organizations whose own circulars or subordinates' circulars are published."""
        found: set[str] = set()
        for c in self.circulars:
            for org in c.issuer:
                if org in self.registry.organizations:
                    found.add(org)
                    found.update(a.id for a in self.registry.ancestors(org))
        return found

    def by_issuer(self) -> dict[str, str]:
        """A page per issuing body, listing its own and its subordinates' circulars,
        and an index that follows the union tree."""
        title = self.labels["issuers"]
        index_path = "issuers/index.md"
        shown = self.issuer_ids()
        pages = {}
        for org_id in shown:
            subtree = {org_id} | {o.id for o in self.registry.descendants(org_id)}
            members = [c for c in self.circulars if subtree & set(c.issuer)]
            page_path = f"issuers/{org_id}.md"
            name = self.pages.org_name(org_id)
            pages[page_path] = (
                front_matter(title=f"{name} · {title}", **NOT_SEARCHED)
                + f"# {markdown(name)}\n\n{self.labels['own_and_subordinate']}\n\n"
                + self.table(page_path, members)
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
