"""Who receives a circular: its main recipients, then CC, through the union tree (a
selector stands for the organizations under it), each organization once."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..source.model import Circular, Selector
from ..source.project import Project
from ..source.registry_format import Organization
from .edition import DistributionError


@dataclass(frozen=True)
class Recipient:
    org: Organization
    role: str  # "main" or "cc"


def describe(entry: str | Selector) -> str:
    if isinstance(entry, str):
        return f"'{entry}'"
    how = "children_of" if entry.children_of else "all_under"
    kinds = f", kind: {', '.join(entry.kind)}" if entry.kind else ""
    return f"{{{how}: {entry.root}{kinds}}}"


def resolve_recipients(project: Project, circular: Circular) -> list[Recipient]:
    """Main recipients, then CC, each organization once (main wins)."""
    seen: set[str] = set()
    found: list[Recipient] = []
    for role, entries in (("main", circular.main_recipients), ("cc", circular.cc_recipients)):
        for entry in entries:
            organizations = project.registry.resolve(entry)
            if not organizations and (isinstance(entry, str) or entry.root):  # a label alone gets no copy
                if role == "main":
                    message = _("{id}: the main recipient {entry} matches no organization in the registry")
                else:
                    message = _("{id}: the CC recipient {entry} matches no organization in the registry")
                raise DistributionError(message.format(id=circular.id, entry=describe(entry)))
            for org in organizations:
                if org.id not in seen:
                    seen.add(org.id)
                    found.append(Recipient(org, role))
    if not found:
        raise DistributionError(
            _("{id}: the circular has no recipients ('to' and 'cc' are empty)").format(id=circular.id)
        )
    return found
