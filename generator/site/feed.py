"""The Atom feed of issued circulars (feed.xml), so subordinate unions can subscribe.

Written by the site plugin itself: mkdocs-rss-plugin reads only pages that
exist as files, and ours are generated. Every text in it, from YAML or
not, goes through `escaping.xml`; the titles are plain text (type="text").
"""

from __future__ import annotations

from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.registry import Registry
from .escaping import xml

FEED_SIZE = 50


def _when(circular: Circular) -> str:
    return f"{circular.date.isoformat()}T00:00:00Z"


def atom_feed(
    circulars: list[Circular],
    registry: Registry,
    title: str,
    site_url: str | None,
    page_url,
) -> str:
    """The newest issued circulars as Atom. `page_url(id)` gives a page's URL
    relative to the site root; with a site_url the links are absolute."""
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    issued = sorted(
        (c for c in circulars if c.status == "issued"), key=lambda c: (c.date, c.id), reverse=True
    )
    issued = issued[:FEED_SIZE]
    entries = []
    for c in issued:
        url = base + page_url(c.id)
        number = document_number(c, registry)
        authors = "".join(
            f"<author><name>{xml(registry.name(org, c.language))}</name></author>" for org in c.issuer
        )
        categories = "".join(f'<category term="{xml(to_plain(tag))}"/>' for tag in c.tags)
        summary = " · ".join(x for x in (number, registry.name(c.lead_issuer, c.language)) if x)
        entries.append(
            "<entry>"
            f"<title>{xml(to_plain(c.title))}</title>"
            f"<id>{xml(url if base else 'urn:circulars:' + c.id)}</id>"
            f'<link rel="alternate" type="text/html" href="{xml(url)}"/>'
            f"<updated>{_when(c)}</updated>"
            f"<published>{_when(c)}</published>"
            f"{authors}{categories}"
            f"<summary>{xml(summary)}</summary>"
            "</entry>"
        )
    updated = _when(issued[0]) if issued else "1970-01-01T00:00:00Z"
    links = (
        f'<link rel="self" type="application/atom+xml" href="{xml(base + "feed.xml")}"/>'
        f'<link rel="alternate" type="text/html" href="{xml(base or "./")}"/>'
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{xml(title)}</title>"
        f"<id>{xml(base or 'urn:circulars:feed')}</id>"
        f"{links}<updated>{updated}</updated>" + "".join(entries) + "</feed>\n"
    )
