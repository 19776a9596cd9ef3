"""The plugin's part in publishing circulars as official publications.

For each build: the files a circular's page offers (its Word document, its PDF,
its attachments, each with format, size and SHA-256), the feeds (site-wide,
per issuing body, per tag), each page's language (a circular's page speaks
its circular's language: `<html lang>`, Material's own words such as the skip
link and the table of contents' title, and ours), the sitemap's dates, and the
metadata in each page's <head>.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from ..docx.build import BuildResult
from ..docx.build_record import registry_digest
from ..i18n import _
from ..source.inline_markup import to_plain
from ..source.model import Circular
from . import escaping
from .circular_page import LANGUAGE_TAGS, CircularPage, Download
from .editions import updated
from .feed import Feeds, issuer_feed
from .labels import LABELS
from .live import GeneratedFile
from .pages import SitePages, circular_folder
from .pdfs import PdfResult, render_pdfs

# Hosts that name no real repository (RFC 2606 and 6761)
PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net")
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test", ".localhost")


def placeholder_repository(config) -> str | None:
    """A warning if repo_url is a placeholder, after removing it: the site then
    links to no repository and shows no "edit this page"."""
    host = (urlsplit(config.repo_url or "").hostname or "").lower()
    if not host or not (
        host in PLACEHOLDER_HOSTS
        or host.endswith(tuple("." + h for h in PLACEHOLDER_HOSTS) + PLACEHOLDER_SUFFIXES)
    ):
        return None
    shown = config.repo_url
    config.repo_url = config.repo_name = config.edit_uri = None
    return _(
        "repo_url {url} is a placeholder: the site links to no repository and has no "
        "'edit this page'. Set repo_url in mkdocs.yml to your repository, or remove it."
    ).format(url=shown)


def _sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class Publication:
    def __init__(self, pages: SitePages, config, use_pdf: bool, remembered: dict | None = None):
        self.pages = pages
        self.config = config
        self.use_pdf = use_pdf
        use_directory_urls = config.use_directory_urls
        self.page_url = lambda cid: (  # a circular's URL from the site root
            f"circulars/{cid}/" if use_directory_urls else f"circulars/{cid}/index.html"
        )
        self.circular_page = CircularPage(pages, config.site_name, config.site_url, self.page_url)
        self.attachments: dict[str, list[Download]] = {}
        self.downloads: dict[str, list[Download]] = {}
        # Material's language for the site, and the one a page is being rendered in
        self.site_language = config.theme.get("language") or "en"
        self.newest = max((self.updated(c) for c in pages.circulars), default=None)
        # serving: circulars' pages (key, Markdown, <head>) of the last build, and this one's
        self.remembered = remembered
        self.made: dict[str, tuple[str, str, str]] = {}
        self.site_key = "\0".join(
            map(str, (registry_digest(pages.registry), config.site_name, config.site_url, use_directory_urls))
        )

    def updated(self, circular: Circular) -> str:
        return updated(circular, self.circular_page.successors(circular)).isoformat()

    # --- files (on_files) -------------------------------------------------------

    def page(self, circular: Circular, body_markdown: str) -> str:
        """The Markdown of its page; serving, the last build's if made from the same."""
        if self.remembered is None:
            return self.circular_page.markdown(circular, body_markdown)
        key = hashlib.sha256(
            "\0".join((self.site_key, self.circular_page.depends_on(circular), body_markdown)).encode()
        ).hexdigest()
        known = self.remembered.get(circular.id)
        if known is None or known[0] != key:
            page = self.circular_page
            known = (key, page.markdown(circular, body_markdown), page.head(circular))
        self.made[circular.id] = known
        return known[1]

    def attachment(self, circular: Circular, site_path: str, title: str, origin: Path) -> None:
        """An attachment the plugin publishes at site_path (relative to the site)."""
        size, sha = _sha256(origin)
        folder = circular_folder(circular.id)
        name = site_path.removeprefix(folder)
        self.attachments.setdefault(circular.id, []).append(Download(name, to_plain(title), size, sha))

    def feeds(self) -> dict[str, str]:
        feeds = Feeds(
            self.pages.circulars,
            self.pages.registry,
            self.config.site_name,
            self.config.site_url,
            self.page_url,
            self.circular_page.successors,
            self.pages.language,
        )
        return {feed.path: feeds.render(feed) for feed in feeds.all()}

    # --- documents written (on_env) ---------------------------------------------

    def documents_written(
        self,
        result: BuildResult,
        files: Files,
        docx_dir: Path,
        project_root: Path,
        convert: bool = True,
        jobs: int | None = None,
        only: set[str] | None = None,
    ) -> PdfResult:
        """Offer each page's Word document and PDF (without convert, only the PDFs
        already made; with it, `jobs` LibreOffice processes at a time), or only those of
        the circulars `only` names; what became of the PDFs, with the warnings to show."""
        published = {c.id: c for c in self.pages.circulars}
        documents = {d.circular_id: d for d in result.documents if d.circular_id in published}
        made = PdfResult()
        if self.use_pdf and documents:
            made = render_pdfs(
                {cid: (d.path, d.sha256) for cid, d in documents.items()},
                docx_dir,
                project_root,
                convert,
                jobs,
            )
        pdfs = made.pdfs
        for circular_id, document in documents.items():
            if only is not None and circular_id not in only:
                continue
            labels = LABELS[published[circular_id].language]
            size, sha = (
                _sha256(document.path) if circular_id in made.settled else (document.size, document.sha256)
            )
            offered = [Download(document.path.name, labels["the_document"], size, sha, "docx")]
            if circular_id in pdfs:
                pdf_name = f"{circular_id}.pdf"
                size, sha = _sha256(pdfs[circular_id])
                offered.append(Download(pdf_name, labels["the_document"], size, sha, "pdf"))
                path = circular_folder(circular_id) + pdf_name
                existing = files.get_file_from_path(path)
                if existing is not None:
                    files.remove(existing)
                files.append(GeneratedFile.generated(self.config, path, abs_src_path=str(pdfs[circular_id])))
            self.downloads[circular_id] = offered + self.attachments.get(circular_id, [])
        return made

    # --- each page ---------------------------------------------------------------

    def circular_of(self, page) -> Circular | None:
        return self._circular_at(page.file.src_uri)

    def _circular_at(self, src: str) -> Circular | None:
        if src.startswith("circulars/") and src.endswith("/index.md"):
            return self.pages.by_id.get(src.split("/")[1])
        return None

    def page_markdown(self, page) -> None:
        """The sitemap's date for the page: when the circular last changed (or, for
        any other page, the newest such date of all), never the build's date."""
        circular = self.circular_of(page)
        when = self.updated(circular) if circular else self.newest
        if when:
            page.update_date = when

    def page_context(self, context, page) -> None:
        """Before the page's template is rendered: its language and its <head>."""
        circular = self.circular_of(page)
        if circular is not None and circular.language != self.site_language.split("-")[0]:
            self.config.theme["language"] = circular.language  # Material's words: skip link, contents…
        head = []
        if circular is not None:
            head.append(self.circular_page.head(circular))
        # "alternate feed", not "alternate" alone: Material fetches a sitemap.xml
        # beside every link[rel=alternate], and there is none beside a feed
        for title, path in self._feeds_of(page.file.src_uri, circular):
            href = get_relative_url(path, page.url)
            head.append(
                f'<link rel="alternate feed" type="application/atom+xml" title="{escaping.html(title)}" '
                f'href="{escaping.html(href)}">\n'
            )
        context["circulars_head"] = "".join(head)

    def page_inputs(self, src_uri: str) -> str:
        """What a page's HTML takes from here besides its Markdown (its files, its <head>,
        its feeds), for `circulars serve` to tell whether the page changed."""
        circular = self._circular_at(src_uri)
        parts = [repr(self._feeds_of(src_uri, circular))]
        if circular is not None:
            made = self.made.get(circular.id)
            head = made[2] if made else self.circular_page.head(circular)
            parts += [repr(self.downloads.get(circular.id)), head]
        return "\0".join(parts)

    def _feeds_of(self, src: str, circular: Circular | None) -> list[tuple[str, str]]:
        if circular is not None:
            return self.circular_page.feeds(circular)
        if src.startswith("issuers/") and src != "issuers/index.md":
            org = src.removeprefix("issuers/").removesuffix(".md").removesuffix("/index")
            if org in self.pages.registry.organizations:
                name = self.pages.org_name(org)
                return [(self.pages.labels["feed_issuer"].format(name=name), issuer_feed(org))]
        return []

    def post_page(self, output: str, page) -> str:
        """The page as written: its files filled in, `<html lang>` its language's tag."""
        self.config.theme["language"] = self.site_language
        circular = self.circular_of(page)
        if circular is not None and circular.id in self.downloads:
            output = self.circular_page.fill(output, circular, self.downloads[circular.id])
        language = circular.language if circular is not None else self.site_language
        tag = LANGUAGE_TAGS.get(language, language)
        start = output.find("<html")
        end = output.find(">", start)
        if start != -1 and end != -1:
            opening = output[start:end]
            lang_at = opening.find(' lang="')
            if lang_at != -1:
                close = opening.index('"', lang_at + 7)
                opening = f'{opening[:lang_at]} lang="{tag}"{opening[close + 1 :]}'
                output = output[:start] + opening + output[end:]
        return output
