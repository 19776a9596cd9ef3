"""The registry: the union tree of organizations and the people in it.

Answers the questions every stage asks of the tree: who is under whom, which
organizations a recipient selector stands for, and how a recipient is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .model import Selector
from .registry_format import Organization, OrganizationKindEntry, Person, Series

# How a selector's group is written when it gives no label, by kind filter.
_KIND_NAMES = {
    "en": {
        "municipal-federation": "municipal federations of trade unions",
        "county-federation": "county federations of trade unions",
        "industrial-union": "industrial unions",
        "enterprise-union": "enterprise unions",
        "enterprise-group-union": "enterprise group unions",
        "park-federation": "park trade union federations",
        "township-federation": "township and street trade unions",
        "grassroots-union": "grassroots unions",
        "department": "departments",
    },
    "zh": {
        "municipal-federation": "市（州）总工会",
        "county-federation": "县（市、区）总工会",
        "industrial-union": "产业工会",
        "enterprise-union": "企业工会",
        "enterprise-group-union": "企业集团工会",
        "park-federation": "园区工会联合会",
        "township-federation": "乡镇（街道）工会",
        "grassroots-union": "基层工会",
        "department": "部门",
    },
}


@dataclass
class Registry:
    organizations: dict[str, Organization] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    kinds: dict[str, OrganizationKindEntry] = field(default_factory=dict)  # declared beside the built-in ones
    _children: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self._children = {}
        for org in self.organizations.values():
            if org.parent is not None:
                self._children.setdefault(org.parent, []).append(org.id)

    def children(self, org_id: str) -> list[Organization]:
        return [self.organizations[c] for c in self._children.get(org_id, [])]

    def descendants(self, org_id: str) -> Iterator[Organization]:
        """Everything under an organization, depth first, in registry order."""
        seen = {org_id}
        stack = list(reversed(self._children.get(org_id, [])))
        while stack:
            child = stack.pop()
            if child in seen:  # a cycle is reported by the checks; never loop on it
                continue
            seen.add(child)
            yield self.organizations[child]
            stack.extend(reversed(self._children.get(child, [])))

    def ancestors(self, org_id: str) -> list[Organization]:
        """From the organization's parent up to the root."""
        chain: list[Organization] = []
        seen = {org_id}
        parent = self.organizations[org_id].parent if org_id in self.organizations else None
        while parent in self.organizations and parent not in seen:
            seen.add(parent)
            chain.append(self.organizations[parent])
            parent = self.organizations[parent].parent
        return chain

    def tree(self) -> Iterator[tuple[Organization, int]]:
        """Every organization reachable from a root, depth first in registry order, with its depth.

        A loop over an explicit stack, not recursion, so a tree of any depth is
        walked (a chain 1,500 levels deep is fine); organizations in a parent
        cycle are reachable from no root and are reported by the checks.
        """
        stack = [(root.id, 0) for root in reversed(self.roots())]
        seen: set[str] = set()
        while stack:
            org_id, depth = stack.pop()
            if org_id in seen:
                continue
            seen.add(org_id)
            yield self.organizations[org_id], depth
            stack.extend((child, depth + 1) for child in reversed(self._children.get(org_id, [])))

    def roots(self) -> list[Organization]:
        return [o for o in self.organizations.values() if o.parent not in self.organizations]

    def select(self, selector: Selector) -> list[Organization]:
        """The organizations a selector stands for, in registry order (none for a label alone)."""
        if not selector.root:
            return []
        if selector.children_of is not None:
            found = self.children(selector.children_of)
        else:
            found = list(self.descendants(selector.all_under or ""))
        if selector.kind:
            found = [o for o in found if o.kind in selector.kind]
        return found

    def resolve(self, recipient: str | Selector) -> list[Organization]:
        """The organizations one recipient entry stands for."""
        if isinstance(recipient, str):
            org = self.organizations.get(recipient)
            return [org] if org else []
        return self.select(recipient)

    def name(self, org_id: str, language: str, short: bool = False) -> str:
        org = self.organizations[org_id]
        if short and org.short is not None:
            return org.short.best(language)
        return org.name.best(language)

    def recipient_label(self, recipient: str | Selector, language: str) -> str:
        """How a recipient is written on the document."""
        if isinstance(recipient, str):
            return self.name(recipient, language)
        if recipient.label:
            return recipient.label
        root = self.name(recipient.root, language, short=True)
        kinds = [self.kind_group(k, language) for k in recipient.kind]
        if language == "zh":
            what = "、".join(kinds) or ("直属单位" if recipient.children_of else "所属单位")
            return f"{root}{'直属' if recipient.children_of and kinds else ''}各{what}"
        what = ", ".join(kinds) or "organizations"
        where = "directly under" if recipient.children_of else "under"
        return f"all {what} {where} {root}"

    def kind_group(self, kind: str, language: str) -> str:
        """How a group of organizations of a kind is written: 高校工会, university unions."""
        declared = self.kinds.get(kind)
        if declared is not None:
            return (declared.group or declared.name).best(language)
        return _KIND_NAMES[language].get(kind, kind)

    def series(self, org_id: str, series_id: str | None) -> Series | None:
        """An organization's series of document numbers by id (None: its default, `prefix`)."""
        org = self.organizations.get(org_id)
        if org is None:
            return None
        if series_id is None:
            if org.prefix is None:
                return None
            return Series(id="default", prefix=org.prefix, pattern=org.pattern)
        return next((s for s in org.series if s.id == series_id), None)

    def person_name(self, person_id: str, language: str) -> str:
        return self.people[person_id].name.best(language)
