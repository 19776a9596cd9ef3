"""The directory: the union tree with what each body has issued and is asked, the leadership of
each organization, and a page per organization with what it owes, by when, and what it has
reported (its latest return on each item)."""

from __future__ import annotations

from collections import defaultdict

from . import escaping
from .escaping import front_matter, markdown
from .indexes import IndexPages
from .listing import Column, Listing, cell
from .pages import MAX_LIST_DEPTH, NOT_SEARCHED, circular_page_path, link
from .tracked import Answer, Tracked, completion
from .tracker import Tracker

DIRECTORY = "directory/index.md"


def org_page_path(org_id: str) -> str:
    return f"directory/{org_id}.md"


class Directory:
    def __init__(self, indexes: IndexPages, tracker: Tracker):
        self.indexes = indexes
        self.tracker = tracker
        self.pages = indexes.pages
        self.registry = self.pages.registry
        self.labels = self.pages.labels
        self.urls = tracker.urls
        self.leaders = self._leaders()
        self.issuers = indexes.issuer_ids()
        # a page for every organization with something to show
        self.with_page = set(tracker.asked) | {o for o in self.leaders if o in self.registry.organizations}

    def _leaders(self) -> dict[str, list[tuple[int, str, list[str]]]]:
        """Organization -> (rank, name, the titles held there) of each ranked member of its leadership."""
        language = self.pages.language
        by_org: dict[str, list[tuple[int, str, list[str]]]] = defaultdict(list)
        for person in self.registry.people.values():
            for org_id in dict.fromkeys(r.org for r in person.roles):
                roles = [r for r in person.roles if r.org == org_id]  # only what they hold there
                rank = min((r.rank for r in roles if r.rank), default=None)
                by_org[org_id].append(
                    (rank or 999, person.name.best(language), [r.title.best(language) for r in roles])
                )
        return {
            org_id: sorted(members)
            for org_id, members in by_org.items()
            if any(rank != 999 for rank, _, _ in members)
        }

    def counts(self, from_path: str, org_id: str, issued: set[str]) -> list[str]:
        """'N 件公文 · N 项工作要求 · 完成率 X%', each linked to where they are listed."""
        labels, parts = self.labels, []
        if org_id in issued:
            count = len(self.indexes.issued_by(org_id))
            parts.append(f"[{count} {labels['circulars']}]({link(from_path, f'issuers/{org_id}.md')})")
        asked = self.tracker.asked.get(org_id, [])
        if asked:
            requirements = len({(t.original.id, t.number) for t, _ in asked})
            rate = self.tracker.rate(completion(a for _, a in asked))
            parts.append(
                f"[{requirements} {labels['requirements']}]({link(from_path, org_page_path(org_id))})"
            )
            if rate:
                parts.append(markdown(rate))
        return parts

    def index(self) -> str:
        labels = self.labels
        issued = self.issuers
        lines = [
            front_matter(title=labels["directory"]),
            f"# {labels['directory']}",
            "",
            f"## {labels['tree']}",
            "",
        ]
        for org, depth in self.registry.tree():  # a loop, not recursion: any depth is fine
            name = markdown(org.name.best(self.pages.language))
            if org.id in self.with_page:
                name = f"[{name}]({link(DIRECTORY, org_page_path(org.id))})"
            parts = [f"**{name}**", *self.counts(DIRECTORY, org.id, issued)]
            lines.append(f"{'    ' * min(depth, MAX_LIST_DEPTH)}- " + " · ".join(parts))
        lines += ["", f"## {labels['leadership']}", ""]
        for org_id, members in self.leaders.items():
            if org_id not in self.registry.organizations:
                continue
            lines += [f"### {markdown(self.pages.org_name(org_id))}", ""]
            lines += self._leader_lines(members)
            lines.append("")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _leader_lines(members) -> list[str]:
        return [f"- **{markdown(name)}**: {markdown('; '.join(titles))}" for _rank, name, titles in members]

    # --- an organization's page -------------------------------------------------------

    def owed_row(self, path: str, item: tuple[Tracked, Answer]) -> str:
        t, answer = item
        html, labels, tracker = escaping.html, self.labels, self.tracker
        page = circular_page_path(t.circular.id)
        metric, goal = tracker.target_of(t, answer)
        latest = answer.latest
        value = tracker.reported_value(t, answer)
        when = latest.date.isoformat() if latest and latest.date else ""
        requirement = (
            f'<a href="{html(self.urls.href(path, page, f"requirement-{t.number}"))}">'
            f"{html(tracker.requirement_label(t))}</a>"
        )
        circular = f'<a href="{html(self.urls.href(path, page))}">{html(tracker.circular_label(t))}</a>'
        return (
            "<tr>"
            + cell(
                labels["deadline"],
                answer.deadline.isoformat() if answer.deadline else html(labels["no_deadline"]),
                "col-deadline",
            )
            + cell(labels["requirement"], requirement, "col-requirement")
            + cell(labels["circular"], circular, "col-circular")
            + cell(labels["targets"], html(f"{metric} {goal}".strip()) or "—", "col-target")
            + cell(labels["returns"], tracker.reported(answer), "col-returns")
            + cell(labels["value"], html(value) or "—", "col-value")
            + cell(labels["reported_on"], when or "—", "col-reported-on")
            + cell(labels["status"], tracker.state(answer.done, answer.due, labels["open"]), "col-state")
            + "</tr>"
        )

    def org_head(self, path: str, org_id: str) -> str:
        """The top of an organization's page: where it stands, its counts, its leadership."""
        labels = self.labels
        org = self.registry.organizations[org_id]
        head = [f"# {markdown(self.pages.org_name(org_id))}", ""]
        facts = []
        if org.parent in self.registry.organizations:
            parent = markdown(self.pages.org_name(org.parent))
            if org.parent in self.with_page:
                parent = f"[{parent}]({link(path, org_page_path(org.parent))})"
            facts.append(f"{labels['under']}: {parent}")
        facts += self.counts(path, org_id, self.issuers)
        head += [" · ".join(facts), ""] if facts else []
        if org_id in self.leaders:
            head += [f"## {labels['leadership']}", "", *self._leader_lines(self.leaders[org_id]), ""]
        if org_id in self.tracker.asked:
            head += [f"## {labels['owes']}", ""]
        return "\n".join(head) + "\n"

    def org_pages(self, org_id: str) -> dict[str, str]:
        labels = self.labels
        path = org_page_path(org_id)
        name = self.pages.org_name(org_id)
        owed = self.tracker.asked.get(org_id, [])

        def page_head(page_path: str, n: int, count: int) -> str:
            title = name if n == 1 else f"{name} ({n}/{count})"
            return front_matter(title=title, **NOT_SEARCHED) + self.org_head(page_path, org_id)

        if not owed:
            return {path: page_head(path, 1, 1)}
        columns = [
            Column("deadline", labels["deadline"]),
            Column("requirement", labels["requirement"]),
            Column("circular", labels["circular"]),
            Column("target", labels["targets"]),
            Column("returns", labels["returns"]),
            Column("value", labels["value"]),
            Column("reported-on", labels["reported_on"]),
            Column("state", labels["status"]),
        ]
        listing = Listing("owed", columns, owed, self.owed_row, labels={"overdue": labels["overdue"]})
        return listing.pages(path, self.urls, labels, page_head)

    def all_pages(self) -> dict[str, str]:
        found = {DIRECTORY: self.index()}
        for org_id in sorted(self.with_page):
            found |= self.org_pages(org_id)
        return found
