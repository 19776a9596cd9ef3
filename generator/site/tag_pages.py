"""The tags: one page per tag, and the index that links them, instead of one page listing
every circular under every tag.

Material's tags plugin lists, wherever a page holds `<!-- material/tags -->`, every tagged
page under every tag: at 1,000 circulars with two tags each that one page was 298 KB and
grew with every circular. Each tag gets a page of its own here, whose Material listing
includes that tag only (so the tags shown on a circular's page link there), and the tags
page (site/tags.md) lists the tags with TAGS_MARKER, which the plugin fills with links to
them. A project whose tags page still holds Material's own marker keeps its one page.

Material fills a listing only when it converts the listing's page, from every page's tags
and titles: `circulars serve` and the incremental build convert the tag pages every time
(plugin.py leaves them without a fingerprint), as they do the hand-written tags page.
"""

from __future__ import annotations

import json

from mkdocs.structure.files import Files

from ..source.inline_markup import to_plain
from ..source.model import Circular
from .escaping import front_matter, html, markdown
from .feed import tag_name
from .pages import NOT_SEARCHED, SitePages, link

TAGS_MARKER = "<!-- circulars:tags -->"
TAGS_DIR = "tags"


def asks_for_tag_pages(files: Files) -> bool:
    """Whether one of the project's own pages (site/) lists the tags with TAGS_MARKER."""
    for file in files.documentation_pages():
        if file.generated_by is None and file.abs_src_path:
            with open(file.abs_src_path, encoding="utf-8-sig", errors="replace") as source:
                if TAGS_MARKER in source.read():
                    return True
    return False


def tag_page_path(tag: str) -> str:
    return f"{TAGS_DIR}/{tag_name(tag)}.md"


class TagPages:
    """The tags of the circulars on the site, each with its circulars in the site's order."""

    def __init__(self, pages: SitePages):
        self.tags: dict[str, list[Circular]] = {}
        for circular in pages.circulars:
            for tag in dict.fromkeys(to_plain(t) for t in circular.tags):
                self.tags.setdefault(tag, []).append(circular)
        self.paths = {tag_page_path(tag): tag for tag in self.tags}

    def all_pages(self) -> dict[str, str]:
        """{path: Markdown} of each tag's page: its title and Material's listing of that tag."""
        return {
            path: front_matter(title=tag, **NOT_SEARCHED)
            + f"# {markdown(tag)}\n\n"
            # the tag as the circulars' front matter gives it to Material: escaped for HTML
            # (escaping.front_matter); in JSON, which is YAML, read back as the one string it is
            + f"<!-- material/tags {{ include: [{json.dumps(html(tag), ensure_ascii=False)}] }} -->\n"
            for path, tag in sorted(self.paths.items())
        }

    def index(self, from_path: str) -> str:
        """The list of tags, each linked to its page, with its number of circulars."""
        lines = [
            f"- [{markdown(tag)}]({link(from_path, tag_page_path(tag))}) ({len(self.tags[tag])})"
            for tag in sorted(self.tags)
        ]
        return "\n".join(lines) + "\n" if lines else ""
