"""Finding registry ids by the names a document writes (for `circulars import`).

An organization is found by its full or short name in either language, a
person by name, a series of numbers by its prefix. Names are compared without
spaces (a letterhead spaces its characters out); a name that is not found but
is close to one that is gets a did-you-mean, never a silent guess.
"""

from __future__ import annotations

import difflib
import re

from .registry import Registry


def _key(name: str) -> str:
    return re.sub(r"[\s\u3000]+", "", name).lower()


class NameIndex:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.organizations: dict[str, str] = {}
        self.people: dict[str, str] = {}
        self.prefixes: dict[str, tuple[str, str | None]] = {}
        for org in registry.organizations.values():
            for localized in (org.name, org.short):
                for value in (localized.zh, localized.en) if localized is not None else ():
                    if value:
                        self.organizations.setdefault(_key(value), org.id)
            for series_id, prefix in [(None, org.prefix), *((s.id, s.prefix) for s in org.series)]:
                for value in (prefix.zh, prefix.en) if prefix is not None else ():
                    if value:
                        self.prefixes.setdefault(_key(value), (org.id, series_id))
        for person in registry.people.values():
            for value in (person.name.zh, person.name.en):
                if value:
                    self.people.setdefault(_key(value), person.id)

    def organization(self, name: str) -> tuple[str | None, str | None]:
        """(id, None) when the name is the registry's; (None, a close name's id) or (None, None)."""
        key = _key(name)
        if key in self.organizations:
            return self.organizations[key], None
        close = difflib.get_close_matches(key, list(self.organizations), n=1, cutoff=0.8)
        return None, self.organizations[close[0]] if close else None

    def person(self, name: str) -> str | None:
        return self.people.get(_key(name))

    def series(self, prefix: str) -> tuple[str, str | None] | None:
        """(organization id, series id or None for its default) of a number's prefix."""
        return self.prefixes.get(_key(prefix))
