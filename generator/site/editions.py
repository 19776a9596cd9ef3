"""When a circular was issued, last changed, came into force and stopped being in force.

The dates come from the YAML alone (`date`, `in_force`, `changes`, and the
circulars that supersede or repeal it), never from the build's clock or git's
history: a fresh or shallow clone builds the same pages, sitemap and feeds.
"""

from __future__ import annotations

from datetime import date

from ..source.model import Circular


def last_changed(circular: Circular) -> date:
    """The date of its latest edition: its last change, or the day it is dated."""
    return circular.changes[-1].date if circular.changes else circular.date


def in_force_from(circular: Circular) -> date:
    return circular.in_force or circular.date


def not_in_force_since(circular: Circular, successors: list[Circular]) -> date | None:
    """For a superseded or repealed circular, the day the first circular that
    replaced it came into force (None if none of them is published)."""
    if circular.status not in ("superseded", "repealed") or not successors:
        return None
    return min(in_force_from(s) for s in successors)


def updated(circular: Circular, successors: list[Circular]) -> date:
    """The last day anything about it changed: an edition, or its going out of force."""
    ended = not_in_force_since(circular, successors)
    return max(last_changed(circular), ended) if ended else last_changed(circular)
