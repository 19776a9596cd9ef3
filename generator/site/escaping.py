"""How text from YAML and the registry is escaped for each kind of output the site writes.

One function per output, used for every string that lands there: titles,
tags, labels, organization and people names, document numbers, dates.

- `markdown`: the generated pages' Markdown (and the raw HTML inside it);
- `front_matter`: a page's front matter. MkDocs and Material print its
  values into the page without escaping them (the title in the header, the
  navigation and <title>; the tags on the page, on the tags index and in the
  search results, which Material renders with innerHTML). So every string in
  it is given already escaped for HTML, which also makes the search index
  (built from the titles, tags and pages) hold escaped text only;
- `html`: HTML the plugin writes itself, outside Markdown;
- `xml`: the Atom feed;
- `json_data`: the data the site's scripts read (the listings' JSON files,
  data- attributes); the scripts put its strings into pages as text only;
- `url_path`: paths from the project's files that become links (edit links).

The sitemap holds only URLs that MkDocs escapes itself; the pages' paths are
made of ids, which the checks restrict to [a-z0-9-].
"""

from __future__ import annotations

import html as _html
import json
from urllib.parse import quote

from ..render.markup import escape_markdown
from ..source.inline_markup import to_plain


def markdown(text: str) -> str:
    """Plain text, printed literally by Markdown and HTML."""
    return escape_markdown(text)


def markdown_plain(text: str) -> str:
    """A YAML text field (which may hold **bold**, *italic*, links) without its markup,
    printed literally: for titles, keys and targets in tables and links."""
    return escape_markdown(to_plain(text))


def html(text: str) -> str:
    """Text in HTML, element content or attribute value."""
    return _html.escape(text, quote=True)


def _escaped(value):
    if isinstance(value, str):
        return html(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(item) for item in value]
    return value


def front_matter(**values) -> str:
    """A page's front matter (YAML, written as JSON values), every string in it
    escaped for HTML."""
    return (
        "---\n"
        + "".join(
            f"{key}: {json.dumps(_escaped(value), ensure_ascii=False)}\n" for key, value in values.items()
        )
        + "---\n\n"
    )


def xml(text: str) -> str:
    """Text in XML, element content or a double-quoted attribute value."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def json_data(value) -> str:
    """Compact JSON for the site's scripts; `<` escaped too, so it is inert even inside HTML."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def url_path(path: str) -> str:
    """A relative path as it may appear in a URL."""
    return quote(path, safe="/")
