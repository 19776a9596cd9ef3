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
        self.patterns: list[tuple[re.Pattern, str, str | None, str | None]] = []  # regex, org, series, label
        for org in registry.organizations.values():
            for localized in (org.name, org.short):
                for value in (localized.zh, localized.en) if localized is not None else ():
                    if value:
                        self.organizations.setdefault(_key(value), org.id)
            for series_id, prefix in [(None, org.prefix), *((s.id, s.prefix) for s in org.series)]:
                for value in (prefix.zh, prefix.en) if prefix is not None else ():
                    if value:
                        self.prefixes.setdefault(_key(value), (org.id, series_id))
            for series in org.series:
                for language in ("zh", "en"):
                    pattern = series.pattern.get(language) if series.pattern else None
                    prefix = series.prefix.get(language) if series.prefix else None
                    if pattern:
                        label = series.label.get(language) if series.label else None
                        self.patterns.append(
                            (_pattern_regex(pattern, prefix or ""), org.id, series.id, label)
                        )
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

    def number(self, text: str) -> tuple[str, str | None, int, str | None] | None:
        """(organization, series, number, the series' label) of a number written in a
        series' own pattern (NP/183/15), or None."""
        for regex, org_id, series_id, label in self.patterns:
            if match := regex.fullmatch(text.strip()):
                return org_id, series_id, int(match["number"]), label
        return None


def _pattern_regex(pattern: str, prefix: str) -> re.Pattern:
    """A series' pattern ({prefix}/{number:3}/{yy}) as a regular expression."""
    parts = re.split(r"(\{[^{}]*\})", pattern)
    out = []
    for part in parts:
        if part == "{prefix}":
            out.append(re.escape(prefix))
        elif part.startswith("{number"):
            out.append(r"(?P<number>\d+)")
        elif part == "{year}":
            out.append(r"\d{4}")
        elif part == "{yy}":
            out.append(r"\d{2}")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))
