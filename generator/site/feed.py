"""Atom feeds, so subordinate unions can subscribe: the whole site's (feed.xml), one per
issuing body (its own circulars and those of the bodies under it) and one per tag.

Written by the site plugin itself: mkdocs-rss-plugin reads only pages that
exist as files, and ours are generated. A circular that is superseded or
repealed stays in the feeds as an updated entry (same id, a later <updated>,
its status in the title and summary), so a subscriber learns that it no longer
applies. Every text in them, from YAML or not, goes through `escaping.xml`;
the titles are plain text (type="text").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.registry import Registry
from .editions import updated
from .escaping import xml
from .labels import LABELS

FEED_SIZE = 50
SITE_FEED = "feed.xml"
PUBLISHED = ("issued", "superseded", "repealed")


def issuer_feed(org_id: str) -> str:
    return f"feeds/issuers/{org_id}.xml"  # ids are [a-z0-9-]


def tag_name(tag: str) -> str:
    """A file name (without suffix) for a tag's feed and page: its words, lower case, joined
    by hyphens, and a short hash of the tag, so that tags differing only in case or
    punctuation get files of their own and a tag's URL never depends on the other tags."""
    plain = to_plain(tag)
    words = re.sub(r"[\W_]+", "-", plain.lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha256(plain.encode("utf-8")).hexdigest()[:8]
    return f"{words}-{digest}" if words else digest


def tag_feed(tag: str) -> str:
    return f"feeds/tags/{tag_name(tag)}.xml"


@dataclass
class Feed:
    path: str
    title: str
    circulars: list[Circular]


class Feeds:
    """Every feed of one build. `successors(c)` lists the published circulars that
    supersede or repeal c; `page_url(id)` a circular page's URL from the site root."""

    def __init__(
        self,
        circulars: list[Circular],
        registry: Registry,
        site_name: str,
        site_url: str | None,
        page_url: Callable[[str], str],
        successors: Callable[[Circular], list[Circular]],
        language: str,
    ):
        self.circulars = [c for c in circulars if c.status in PUBLISHED]
        self.registry = registry
        self.site_name = site_name
        self.base = site_url.rstrip("/") + "/" if site_url else ""
        self.page_url = page_url
        self.successors = successors
        self.language = language

    def all(self) -> list[Feed]:
        feeds = [Feed(SITE_FEED, self.site_name, self.circulars)]
        issuers: dict[str, list[Circular]] = {}
        tags: dict[str, list[Circular]] = {}
        for c in self.circulars:
            for org in dict.fromkeys(
                a for o in c.issuer if o in self.registry.organizations for a in self._and_above(o)
            ):
                issuers.setdefault(org, []).append(c)
            for tag in c.tags:
                tags.setdefault(to_plain(tag), []).append(c)
        for org, members in sorted(issuers.items()):
            name = self.registry.name(org, self.language)
            feeds.append(Feed(issuer_feed(org), f"{self.site_name}: {name}", members))
        for tag, members in sorted(tags.items()):
            feeds.append(Feed(tag_feed(tag), f"{self.site_name}: {tag}", members))
        return feeds

    def _and_above(self, org_id: str) -> list[str]:
        return [org_id, *(a.id for a in self.registry.ancestors(org_id))]

    def render(self, feed: Feed) -> str:
        """The newest entries of a feed as Atom, newest change first."""
        dated = sorted(
            ((updated(c, self.successors(c)), c) for c in feed.circulars),
            key=lambda pair: (pair[0], pair[1].date, pair[1].id),
            reverse=True,
        )[:FEED_SIZE]
        entries = "".join(self._entry(c, when) for when, c in dated)
        newest = f"{dated[0][0].isoformat()}T00:00:00Z" if dated else "1970-01-01T00:00:00Z"
        links = (
            f'<link rel="self" type="application/atom+xml" href="{xml(self.base + feed.path)}"/>'
            f'<link rel="alternate" type="text/html" href="{xml(self.base or "./")}"/>'
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{xml(feed.title)}</title>"
            f"<id>{xml(self.base + feed.path if self.base else 'urn:circulars:' + feed.path)}</id>"
            f"{links}<updated>{newest}</updated>{entries}</feed>\n"
        )

    def _entry(self, c: Circular, when) -> str:
        labels = LABELS[c.language]
        url = self.base + self.page_url(c.id)
        number = document_number(c, self.registry)
        title = to_plain(c.title)
        if c.status != "issued":
            title += f"（{labels[c.status]}）" if c.language == "zh" else f" ({labels[c.status]})"
        authors = "".join(
            f"<author><name>{xml(self.registry.name(org, c.language))}</name></author>" for org in c.issuer
        )
        categories = "".join(f'<category term="{xml(to_plain(tag))}"/>' for tag in c.tags)
        summary = " · ".join(
            x
            for x in (
                labels[c.status] if c.status != "issued" else "",
                number,
                self.registry.name(c.lead_issuer, c.language),
            )
            if x
        )
        return (
            "<entry>"
            f"<title>{xml(title)}</title>"
            f"<id>{xml(url if self.base else 'urn:circulars:' + c.id)}</id>"
            f'<link rel="alternate" type="text/html" href="{xml(url)}"/>'
            f"<updated>{when.isoformat()}T00:00:00Z</updated>"
            f"<published>{c.date.isoformat()}T00:00:00Z</published>"
            f"{authors}{categories}"
            f"<summary>{xml(summary)}</summary>"
            "</entry>"
        )
