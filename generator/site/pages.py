"""The pages of the site, as Markdown: each circular, the indexes, the tracker, the directory.

A circular's page is the very Markdown its Word document was written from,
framed by a header (number, issuer, date, status, download, links to related
circulars). Everything else is generated from the model. Every text from YAML
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
from ..source.model import Circular, Requirement
from ..source.project import Project
from . import escaping
from .escaping import front_matter, markdown, markdown_plain
from .labels import LABELS

CIRCULARS_DIR = "circulars"
LATEST_MARKER = "<!-- circulars:latest -->"
# The size and SHA-256 of a circular's document are known only once it is
# written, after its page is converted: the plugin fills them in last.
DOWNLOAD_FACTS = "<!-- circulars:download-facts -->"
LATEST_COUNT = 10


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
        # every requirement of the issued circulars, and what each organization is asked
        self.tracked = self._tracked()
        self.asked: dict[str, list] = defaultdict(list)
        for item in self.tracked:
            for org_id in item[3]:
                self.asked[org_id].append(item)

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

    def table(self, from_path: str, circulars: list[Circular]) -> str:
        labels = self.labels
        rows = [
            f"| {labels['date']} | {labels['number']} | {labels['title']} | {labels['issuer']} "
            f"| {labels['status']} |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in circulars:
            title = f"[{markdown_plain(c.title)}]({link(from_path, circular_page_path(c.id))})"
            issuers = "、".join(markdown(self.org_name(o)) for o in c.issuer)
            rows.append(
                f"| {c.date.isoformat()} | {markdown(self.number(c)) or '—'} | {title} | {issuers} "
                f"| {self.status_badge(c.status)} |"
            )
        return "\n".join(rows) + "\n" if circulars else f"{labels['none']}\n"

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

    # --- indexes ---------------------------------------------------------------

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
            name = self.org_name(org_id)
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
                name = markdown(self.org_name(org.id))
                indent = "    " * min(level, MAX_LIST_DEPTH)
                lines.append(f"{indent}- [{name}]({link(from_path, target(org.id))})")
                level += 1
            levels.append(level)
        return lines

    # --- the tracker -----------------------------------------------------------

    def responsible_orgs(self, requirement: Requirement) -> set[str]:
        found = set()
        for entry in list(requirement.responsible) + [r for t in requirement.targets for r in t.responsible]:
            found.update(o.id for o in self.registry.resolve(entry))
        return found

    def _tracked(self) -> list[tuple[Circular, int, Requirement, set[str]]]:
        items = [
            (c, index, r, self.responsible_orgs(r))
            for c in self.circulars
            if c.status == "issued"
            for index, r in enumerate(c.requirements, 1)
        ]
        return sorted(items, key=lambda i: (i[2].deadline or date.max, i[0].id, i[1]))

    def tracker_table(self, from_path: str, items) -> str:
        labels = self.labels
        rows = [
            f"| {labels['deadline']} | {labels['requirement']} | {labels['circular']} "
            f"| {labels['responsible']} "
            f"| {labels['targets']} | {labels['status']} |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for circular, index, requirement, _orgs in items:
            lang = circular.language
            key = requirement.key or to_plain(requirement.text)[:40]
            anchor = link(from_path, circular_page_path(circular.id))
            number = self.number(circular) or to_plain(circular.title)
            responsible = "、".join(
                markdown(self.registry.recipient_label(r, lang)) for r in requirement.responsible
            )
            targets = "; ".join(
                f"{markdown_plain(t.metric)} {markdown_plain(t.value)}" for t in requirement.targets
            )
            overdue = requirement.deadline is not None and requirement.deadline < self.today
            state = (
                f'<span class="overdue">{labels["overdue"]}</span>'
                if overdue
                else f'<span class="open">{labels["open"]}</span>'
            )
            deadline = requirement.deadline.isoformat() if requirement.deadline else labels["no_deadline"]
            rows.append(
                f"| {deadline} | {index}. {markdown_plain(key)} | [{markdown(number)}]({anchor}) "
                f"| {responsible or '—'} | {targets or '—'} | {state} |"
            )
        return "\n".join(rows) + "\n" if items else f"{self.labels['none']}\n"

    def tracker(self) -> dict[str, str]:
        labels = self.labels
        index_path = "tracker/index.md"
        pages = {}
        for org_id, org_items in self.asked.items():
            page_path = f"tracker/{org_id}.md"
            name = self.org_name(org_id)
            pages[page_path] = (
                front_matter(title=f"{labels['asked_of']} {name}", **NOT_SEARCHED)
                + f"# {markdown(labels['asked_of'])} {markdown(name)}\n\n"
                + self.tracker_table(page_path, org_items)
            )
        pages[index_path] = (
            front_matter(title=labels["tracker"], **NOT_SEARCHED)
            + f"# {labels['tracker']}\n\n{labels['tracker_intro']} {self.today.isoformat()}.\n\n"
            + self.tracker_table(index_path, self.tracked)
        )
        return pages

    # --- the directory -----------------------------------------------------------

    def directory(self) -> dict[str, str]:
        labels = self.labels
        issuers = self.issuer_ids()
        path = "directory/index.md"
        lines = [
            front_matter(title=labels["directory"]),
            f"# {labels['directory']}",
            "",
            f"## {labels['tree']}",
            "",
        ]

        for org, depth in self.registry.tree():  # a loop, not recursion: any depth is fine
            parts = [f"**{markdown(org.name.best(self.language))}**"]
            if org.id in issuers:
                parts.append(f"[{labels['circulars']}]({link(path, f'issuers/{org.id}.md')})")
            if org.id in self.asked:
                parts.append(f"[{labels['requirements']}]({link(path, f'tracker/{org.id}.md')})")
            lines.append(f"{'    ' * min(depth, MAX_LIST_DEPTH)}- " + " · ".join(parts))
        lines += ["", f"## {labels['leadership']}", ""]
        by_org: dict[str, list[tuple[int, str, list[str]]]] = defaultdict(list)
        for person in self.registry.people.values():
            for org_id in dict.fromkeys(r.org for r in person.roles):
                roles = [r for r in person.roles if r.org == org_id]
                rank = min((r.rank for r in roles if r.rank), default=999)
                titles = [r.title.best(self.language) for r in person.roles]
                by_org[org_id].append((rank, person.name.best(self.language), titles))
        for org_id, members in by_org.items():
            if org_id not in self.registry.organizations or all(rank == 999 for rank, _, _ in members):
                continue
            lines += [f"### {markdown(self.org_name(org_id))}", ""]
            for _rank, name, titles in sorted(members):
                lines.append(f"- **{markdown(name)}**: {markdown('; '.join(titles))}")
            lines.append("")
        return {path: "\n".join(lines) + "\n"}
