"""Names where ids belong: which organization or person a name the registry knows stands for.

A clerk writes 攀枝花市总工会 where the YAML wants `panzhihua-ftu`. The YAML keeps
ids (they never change when a name does), so `check` answers a known name with
the id to write; the command line accepts one and says which id it took.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from ..i18n import _
from .registry import Registry
from .registry_format import Organization


def _key(text: str) -> str:
    """A name as compared: spaces and case do not count (`Sichuan FTU`, `sichuan  ftu`)."""
    return "".join(text.split()).casefold()


def organization_names(org: Organization) -> list[str]:
    """Every name an organization goes by: full and short, in each language."""
    return [n for loc in (org.name, org.short) if loc is not None for n in (loc.zh, loc.en) if n]


def organizations_named(registry: Registry, name: str) -> list[str]:
    """The ids of the organizations whose full or short name, in either language, is `name`."""
    wanted = _key(name)
    return [
        org.id
        for org in registry.organizations.values()
        if any(_key(n) == wanted for n in organization_names(org))
    ]


def people_named(registry: Registry, name: str) -> list[str]:
    """The ids of the people whose name, in either language, is `name`."""
    wanted = _key(name)
    return [
        person.id
        for person in registry.people.values()
        if any(_key(n) == wanted for n in (person.name.zh, person.name.en) if n)
    ]


# The keys whose values are ids of people; the others answered here name organizations.
_PERSON_KEYS = frozenset({"signatory", "signer", "author", "person"})
_ORGANIZATION_KEYS = frozenset({"issuer", "to", "cc", "responsible", "children_of", "all_under", "org"})


def name_answers(registry: Registry) -> Callable[[tuple, object], str | None]:
    """For validation: what to say of a value at `loc` that is no valid id, when it is a
    name the registry knows (`to: 攀枝花市总工会 is panzhihua-ftu: write panzhihua-ftu`)."""

    def answer(loc: tuple, value: object) -> str | None:
        key = next((part for part in reversed(loc) if isinstance(part, str)), None)
        if not isinstance(value, str) or key not in _PERSON_KEYS | _ORGANIZATION_KEYS:
            return None
        ids = people_named(registry, value) if key in _PERSON_KEYS else organizations_named(registry, value)
        if not ids:
            return None
        if len(ids) == 1:
            return _("{key}: {name} is {id}: write {id}").format(key=key, name=value, id=ids[0])
        return _("{key}: {name} is the name of {ids}: write the id of the one you mean").format(
            key=key, name=value, ids=", ".join(ids)
        )

    return answer


def closest_organization(registry: Registry, text: str) -> str | None:
    """For an unknown organization: the closest id, or the id of the closest name."""
    by_name = {n: org.id for org in registry.organizations.values() for n in organization_names(org)}
    by_name.update((org_id, org_id) for org_id in registry.organizations)  # an id wins over a name
    hint = difflib.get_close_matches(text, list(by_name), n=1, cutoff=0.6)
    return by_name[hint[0]] if hint else None
