"""The registry's own checks: organizations' kinds, series and parents (no cycles), people's
roles, unique ids. Split from checks.py, which checks each circular against the registry."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..i18n import _
from .diagnostics import Position
from .model import BUILTIN_KINDS
from .project import Project


def suggestion(name: str, known: Iterable[str]) -> str:
    """The hint after a name that is not known, when a known one is close: (did you mean 'x'?)."""
    hint = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else ""


def check_registry(project: Project) -> None:
    registry = project.registry
    diagnostics = project.diagnostics
    orgs = project.registry_sources.get("organizations.yaml")
    if orgs is not None:
        _check_unique_ids(project, orgs, "organizations", project.organization_entries)
        cyclic = _in_cycles(registry)
        kinds = {*BUILTIN_KINDS, *registry.kinds}
        for i, org in enumerate(project.organization_entries):
            if org.kind not in kinds:
                diagnostics.error(
                    orgs.path,
                    orgs.at(("organizations", i, "kind")),
                    _(
                        "unknown kind '{kind}'{suggestion}: declare it under 'kinds:' at the top of "
                        "organizations.yaml"
                    ).format(kind=org.kind, suggestion=suggestion(org.kind, kinds)),
                )
            series_ids = [series.id for series in org.series]
            for j, series in enumerate(org.series):
                if series_ids.index(series.id) != j:
                    diagnostics.error(
                        orgs.path,
                        orgs.at(("organizations", i, "series", j, "id")),
                        _("organization '{id}' has two series '{series}'").format(
                            id=org.id, series=series.id
                        ),
                    )
            if org.parent is None:
                continue
            here = orgs.at(("organizations", i, "parent"))
            if org.parent not in registry.organizations:
                known = registry.organizations
                diagnostics.error(
                    orgs.path,
                    here,
                    _("unknown organization '{parent}'{suggestion}").format(
                        parent=org.parent, suggestion=suggestion(org.parent, known)
                    ),
                )
            elif org.id in cyclic:
                diagnostics.error(
                    orgs.path, here, _("organization '{id}' is its own ancestor").format(id=org.id)
                )
    people = project.registry_sources.get("people.yaml")
    if people is not None:
        _check_unique_ids(project, people, "people", project.people_entries)
        for i, person in enumerate(project.people_entries):
            for j, role in enumerate(person.roles):
                if role.org not in registry.organizations:
                    diagnostics.error(
                        people.path,
                        people.at(("people", i, "roles", j, "org")),
                        _("unknown organization '{org}'{suggestion}").format(
                            org=role.org, suggestion=suggestion(role.org, registry.organizations)
                        ),
                    )


def _in_cycles(registry) -> set[str]:
    """The organizations that are their own ancestor, in one pass over the parent links."""
    finished: set[str] = set()
    cyclic: set[str] = set()
    for start in registry.organizations:
        chain: list[str] = []
        on_chain: set[str] = set()
        current = start
        while current in registry.organizations and current not in finished and current not in on_chain:
            chain.append(current)
            on_chain.add(current)
            current = registry.organizations[current].parent
        if current in on_chain:  # the walk came back onto its own chain
            cyclic.update(chain[chain.index(current) :])
        finished.update(chain)
    return cyclic


def _check_unique_ids(project: Project, source, key: str, entries: list) -> None:
    first: dict[str, Position] = {}
    for i, entry in enumerate(entries):
        here = source.at((key, i, "id"))
        if entry.id in first:
            project.diagnostics.error(
                source.path,
                here,
                _("duplicate id '{id}' (first on line {line})").format(
                    id=entry.id, line=first[entry.id].line
                ),
            )
        first.setdefault(entry.id, here)
