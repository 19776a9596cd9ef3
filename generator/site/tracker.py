"""The tracker: every requirement of the issued circulars, with its deadline and who must act."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..source.inline_markup import to_plain
from ..source.model import Circular, Requirement
from .escaping import front_matter, markdown, markdown_plain
from .pages import NOT_SEARCHED, SitePages, circular_page_path, link


class Tracker:
    """The requirements of one build of the site, and the tracker's pages."""

    def __init__(self, pages: SitePages):
        self.pages = pages
        self.registry = pages.registry
        self.labels = pages.labels
        self.today = pages.today
        # every requirement of the issued circulars, and what each organization is asked
        self.tracked = self._tracked()
        self.asked: dict[str, list] = defaultdict(list)
        for item in self.tracked:
            for org_id in item[3]:
                self.asked[org_id].append(item)

    def responsible_orgs(self, requirement: Requirement) -> set[str]:
        found = set()
        for entry in list(requirement.responsible) + [r for t in requirement.targets for r in t.responsible]:
            found.update(o.id for o in self.registry.resolve(entry))
        return found

    def _tracked(self) -> list[tuple[Circular, int, Requirement, set[str]]]:
        items = [
            (c, index, r, self.responsible_orgs(r))
            for c in self.pages.circulars
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
            number = self.pages.number(circular) or to_plain(circular.title)
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
            name = self.pages.org_name(org_id)
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
