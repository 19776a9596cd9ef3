"""The MkDocs plugin that publishes the circulars: `mkdocs build` and `mkdocs serve` just work.

Registered as the `circulars` plugin (an entry point). On each build it loads
the project, writes the Word documents (in parallel), and adds to MkDocs'
files a page per circular, the indexes, the tracker, the directory and the
Atom feed, with each Word document and attachment beside its circular's
page. During `mkdocs serve` it watches the YAML and the templates, so editing
a circular reloads the page.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from ..docx.build import BuildResult, DocumentBuild
from ..i18n import _
from ..source.body_model import every_attachment
from ..source.kept_editions import EDITIONS_DIR
from ..source.loading import load_project
from ..source.project import DATA_DIR, Project
from ..source.returns import RETURNS_DIR
from ..source.templates import TEMPLATES_DIR
from .directory import Directory
from .edition_changes import EditionChanges, changes_markdown
from .escaping import url_path
from .indexes import CIRCULARS_DATA, IndexPages
from .listing import LISTING_UI, Urls, add_listing_ui
from .live import GeneratedFile, LiveSite
from .outputs import UnsafeOutput, check_output, check_replaceable, mark
from .pages import LATEST_MARKER, SitePages, circular_folder, circular_page_path
from .pdfs import convert_pdfs, not_cached
from .publication import Publication, placeholder_repository
from .search import UI_FILES, SearchError, SearchIndex, add_search_box, material_search_left_on
from .tag_pages import TAGS_MARKER, TagPages, asks_for_tag_pages
from .tracker import TRACKER_DATA, Tracker

log = logging.getLogger("mkdocs.plugins.circulars")
# How long a build on a kept site waits for the early conversion to hand its first run to
# LibreOffice before it makes the listings (a few hundredths of a second, unhurried).
HANDING_SECONDS = 2


class CircularsConfig(Config):
    project = config_options.Optional(config_options.Type(str))
    """The project folder (holding circulars/); default: the folder of mkdocs.yml."""
    drafts = config_options.Type(bool, default=False)
    """Publish draft circulars too."""
    docx_dir = config_options.Type(str, default="build/docx")
    """Where the Word documents are written, relative to the project."""
    today = config_options.Optional(config_options.Type(str))
    """The date requirements are overdue against (YYYY-MM-DD); default: the build date."""
    jobs = config_options.Optional(config_options.Type(int))
    """Worker processes for the Word documents; default: one per core."""
    pdf = config_options.Type(bool, default=True)
    """Offer a PDF of each circular (rendered by LibreOffice) beside its Word document."""


class CircularsPlugin(BasePlugin[CircularsConfig]):
    def __init__(self) -> None:
        super().__init__()
        # `circulars build` hands over the project it has already loaded
        self.project: Project | None = None
        self.pages: SitePages | None = None
        self.indexes: IndexPages | None = None
        self.tag_pages: TagPages | None = None
        self.documents: DocumentBuild | None = None
        self.rendered: dict | None = None  # each circular's rendering, until on_files takes it
        self.documents_first = False  # the documents are written before the pages are made
        self.result: BuildResult | None = None
        self.publication: Publication | None = None
        self.search: SearchIndex | None = None
        # `circulars build` reports the documents' warnings itself, from the result
        self.hand_back = False
        self.force = False  # `circulars build --force`: every Word document is built again
        # `circulars serve` hands over what it keeps between rebuilds (live.py)
        self.live: LiveSite | None = None
        self.missing_pdfs: dict = {}
        self.converted: set[str] = set()  # the pages this build converted (their dest_uri)
        self.offered = False  # the documents and PDFs are offered on the pages (_offer_documents)
        # a first build converts the PDFs while MkDocs converts the pages (_documents_then_pdfs)
        self.early_pdfs: threading.Thread | None = None
        self.pdfs_handed = threading.Event()  # the early conversion's first run is LibreOffice's
        self.early_error: Exception | None = None
        # building on a kept site: the circulars whose PDFs were still being converted when
        # the documents were offered (on_files), offered again with them (on_env)
        self.late: set[str] | None = None

    # --- configuration ---------------------------------------------------------

    def on_config(self, config):
        if self.project is None:
            root = Path(self.config.project) if self.config.project else Path(config.config_file_path).parent
            if not root.is_absolute():
                root = Path(config.config_file_path).parent / root
            project = load_project(root, cache=self.live.reads if self.live else None)
            if project.diagnostics.has_errors():
                problems = "\n".join(d.format(project.root) for d in project.diagnostics.errors)
                raise PluginError(_("the circulars have errors:\n{problems}").format(problems=problems))
            self.project = project
        # MkDocs empties site_dir next: never the sources, never someone else's files
        # (it keeps hidden files, such as a .git of a checked-out site)
        root, docs = self.project.root, Path(config.docs_dir)
        try:
            check_output(Path(config.site_dir), root, docs, _("site (site_dir)"))
            check_output(self.docx_dir(), root, docs, _("Word documents (docx_dir)"))
            check_replaceable(Path(config.site_dir), root, ignore_hidden=True)
        except UnsafeOutput as error:
            raise PluginError(str(error)) from None
        add_search_box(config)
        add_listing_ui(config)
        if material_search_left_on(config):
            log.warning(
                _(
                    "mkdocs.yml lists Material's '{material_search_left_on}' plugin: remove it; the "
                    "circulars plugin has its own search (Pagefind), and Material's would load its whole "
                    "index on every page"
                ).format(material_search_left_on=material_search_left_on(config))
            )
        placeholder = placeholder_repository(config)
        if placeholder:
            log.warning(placeholder)
        if not config.site_url:
            log.warning(
                _(
                    "no site_url (in mkdocs.yml, or --site-url): the sitemap lists no pages, and the links "
                    "in the Atom feed are relative, which feed readers may not follow"
                )
            )
        return config

    def docx_dir(self) -> Path:
        docx_dir = Path(self.config.docx_dir)
        return docx_dir if docx_dir.is_absolute() else self.project.root / docx_dir

    def published(self):
        return [c for c in self.project.circulars if self.config.drafts or c.status != "draft"]

    def today(self) -> datetime.date:
        value = self.config.today or os.environ.get("CIRCULARS_TODAY")
        return datetime.date.fromisoformat(value) if value else datetime.date.today()

    # --- files ------------------------------------------------------------------

    def start_documents(self) -> None:
        """Render every circular, write the Word documents and start converting their PDFs:
        from on_files, or before MkDocs starts (`circulars build` on a kept site, so that
        LibreOffice starts while the published site is linked into the new one)."""
        # Every circular gets its Word document, drafts too (build/docx is not
        # published). The Markdown is needed now, for the pages; the documents
        # are written in the background while MkDocs builds the pages (serving,
        # at once: what a page offers decides whether it changed).
        project = self.project
        self.documents = DocumentBuild(project, self.docx_dir(), self.config.jobs, self.force)
        self.rendered = self.documents.render(project.circulars)
        if self.documents.result.errors:
            self.documents.finish()
            # once each: a broken template gave every circular it renders the same message
            raise PluginError("\n".join(dict.fromkeys(self.documents.result.errors)))
        # serving (and building on a kept site), what a page offers decides whether it changed:
        # the documents first; a first build writes them while MkDocs converts the pages
        live = self.live
        self.documents_first = live is not None and not (live.building and live.signature is None)
        self.documents.start_writing(leave_a_core=not self.documents_first)
        if self.documents_first:
            self.result = self.documents.finish()
        if self.config.pdf and (live is None or live.building):
            # LibreOffice converts while the pages and listings are made (serving, after)
            self.early_pdfs = threading.Thread(target=self._documents_then_pdfs, name="circulars-pdfs")
            self.pdfs_handed.clear()
            self.early_pdfs.start()
            if self.documents_first and live.building:
                # an edit's document is handed to LibreOffice before the listings are made:
                # in a thread beside them, its few steps of Python waited a half second
                # for the interpreter, and LibreOffice was the last to finish at 300 circulars
                self.pdfs_handed.wait(timeout=HANDING_SECONDS)

    def on_files(self, files: Files, *, config) -> Files:
        project = self.project
        circulars = self.published()
        if self.rendered is None:  # not started before MkDocs
            self.start_documents()
        rendered, self.rendered = self.rendered, None
        documents_first = self.documents_first
        language = (config.theme.get("language") or "en").split("-")[0]
        self.pages = pages = SitePages(project, circulars, language, self.today())
        remembered = self.live.circular_pages if self.live else None
        self.publication = publication = Publication(pages, config, self.config.pdf, remembered)
        self.search = SearchIndex(language, keep_index_url=not config.use_directory_urls)
        docs_dir = Path(config.docs_dir).resolve()

        # hand-written pages: "edit this page" points into the docs folder
        prefix = _relative(docs_dir, project.root)
        for file in files:
            if file.generated_by is None and prefix:
                file.edit_uri = url_path(f"{prefix}/{file.src_uri}")

        def add(path: str, content=None, source: Path | None = None, in_nav: bool = False) -> File:
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
            if source is not None:
                file = GeneratedFile.generated(config, path, abs_src_path=str(source), inclusion=inclusion)
            else:
                file = GeneratedFile.generated(config, path, content=content, inclusion=inclusion)
            files.append(file)
            return file

        edits = bool(config.edit_uri or config.edit_uri_template)
        self.edition_changes = EditionChanges(project)
        for circular in circulars:
            folder, name = circular_folder(circular.id), f"{circular.id}.docx"
            # written in the background; there by the time MkDocs copies files
            add(folder + name, source=self.documents.out_dir / name)
            changes = self.edition_changes.of(circular)  # only where editions are kept
            for change in changes:
                add(folder + change.file_name, content=change.data)
            page = add(
                circular_page_path(circular.id),
                content=publication.page(circular, rendered[circular.id].markdown)
                + changes_markdown(circular, changes),
            )
            source = project.source(circular.id)
            if edits:  # "edit this page": its YAML (without edit_uri MkDocs shows none)
                edit = _relative(source.path, project.root)
                page.edit_uri = url_path(edit) if edit else None
            for _source, attachment in every_attachment(circular):
                if attachment.file:
                    origin = (source.path.parent / attachment.file).resolve()
                    add(f"{folder}attachments/{origin.name}", source=origin)
                    publication.attachment(
                        circular, f"{folder}attachments/{origin.name}", attachment.title, origin
                    )

        for warning in self.edition_changes.warnings:
            log.warning(warning)
        generated = {}
        urls = Urls(config.use_directory_urls)
        self.indexes = indexes = IndexPages(pages, urls)
        tracker = Tracker(pages, urls)
        if tracker.problems.has_errors():
            # Without the record the tracker would publish that organization as having
            # reported nothing (overdue): the build stops and the previous site stays.
            problems = "\n".join(p.format(project.root) for p in tracker.problems.sorted())
            raise PluginError(
                _(
                    "a return record cannot be read; the tracker would show that organization as having "
                    "reported nothing. Fix the record (returns/ID/ORG.yaml):\n{problems}"
                ).format(problems=problems)
            )
        for problem in tracker.problems.sorted():  # answers no requirement asks for now
            log.warning(problem.format(project.root))
        for part in (
            indexes.by_year(),
            indexes.by_kind(),
            indexes.by_status(),
            indexes.by_issuer(),
            tracker.tracker(),
            Directory(indexes, tracker).all_pages(),
            {CIRCULARS_DATA: indexes.data(), TRACKER_DATA: tracker.data()},
        ):
            generated.update(part)
        generated.update(publication.feeds())
        # only where the tags page asks for them (a project's own tags.md may still hold
        # Material's one listing of every tag), and Material's tags plugin fills them
        wanted = "material/tags" in config.plugins and asks_for_tag_pages(files)
        self.tag_pages = TagPages(pages) if wanted else None
        if self.tag_pages is not None:
            generated.update(self.tag_pages.all_pages())
        for path, source in UI_FILES.items():
            add(path, source=source)
        for path, source in LISTING_UI.items():
            add(path, source=source)
        if files.get_file_from_path("index.md") is None:
            generated["index.md"] = f"# {config.site_name}\n\n{LATEST_MARKER}\n"
        for path, content in generated.items():
            add(path, content=content, in_nav=path.endswith("/index.md") or path == "index.md")
        if documents_first:
            # building on a kept site, the PDFs of the documents that changed are converted
            # meanwhile: their pages, built again anyway, are not waited for here
            converting = self.live.building and self.early_pdfs is not None
            if not converting:
                self._wait_for_pdfs()
            missing = self._offer_documents(files, convert=False if converting else None)
            self.late = set(missing) if converting else None
            self._fingerprint(files, converting=self.late or set())
        return files

    def _documents_then_pdfs(self) -> None:
        """Wait for the Word documents (unless written already), then convert their PDFs
        into the cache while MkDocs converts the pages, rather than after; on_env offers
        them from the cache (converting there what is missing, with the warnings)."""
        try:
            if self.result is None:
                self.result = self.documents.finish()
            published = {c.id for c in self.published()}
            documents = {
                d.circular_id: (d.path, d.sha256) for d in self.result.documents if d.circular_id in published
            }
            if documents and not self.result.errors:
                docx_dir, root = self.docx_dir(), self.project.root
                missing = not_cached(documents, docx_dir, root)
                convert_pdfs(missing, docx_dir, root, self.config.jobs, self.pdfs_handed)
        except Exception as error:  # raised again in the build's own thread (on_env)
            self.early_error = error
        finally:
            self.pdfs_handed.set()  # nothing to convert, or it failed

    def _wait_for_pdfs(self) -> None:
        if self.early_pdfs is not None:
            self.early_pdfs.join()
            self.early_pdfs = None
            if self.early_error is not None:
                raise self.early_error

    def _fingerprint(
        self, files: Files, only: set[str] | None = None, converting: set[str] = frozenset()
    ) -> None:
        """What each generated file is made of, for the next build (only: those of these
        circulars' folders). Those of the circulars whose PDFs LibreOffice is converting
        are marked so: built again, whatever the last build made (on_env fingerprints
        them once their PDFs are offered)."""
        folders = tuple(circular_folder(cid) for cid in only or ())
        pending = tuple(circular_folder(cid) for cid in converting)
        for file in files:
            if only is not None and not file.src_uri.startswith(folders):
                continue
            if self.tag_pages is not None and file.src_uri in self.tag_pages.paths:
                # Material fills a listing from every page and only when it converts the
                # listing's page: a tag's page is built every time, as the tags page is
                continue
            if isinstance(file, GeneratedFile):
                shown = self.publication.page_inputs(file.src_uri) if file.is_documentation_page() else ""
                marked = "\0converting" if pending and file.src_uri.startswith(pending) else ""
                self.live.fingerprint(file, f"{file.edit_uri}\0{shown}{marked}")

    def on_nav(self, nav, *, config, files):
        if self.live is not None:
            self.live.prepare(config, nav, files)
        return nav

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        self.publication.page_markdown(page)
        if LATEST_MARKER in markdown:
            markdown = markdown.replace(LATEST_MARKER, self.indexes.latest(page.file.src_uri))
        if TAGS_MARKER in markdown and self.tag_pages is not None:
            markdown = markdown.replace(TAGS_MARKER, self.tag_pages.index(page.file.src_uri))
        return markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        self.converted.add(page.file.dest_uri)
        src_uri = page.file.src_uri
        circular = self.pages.by_id.get(src_uri.split("/")[1]) if src_uri.startswith("circulars/") else None
        self.search.add_page(page, html, circular, self.pages.number(circular) if circular else "")
        return html

    @event_priority(110)  # before Material's tags plugin (100), which lists every page's tags
    def on_env(self, env, *, config, files):
        """Pages are converted; files are copied next: the documents must be there.
        The search is indexed while MkDocs renders the pages (once the documents' workers
        and LibreOffice are done, to bound the build's memory; building on a kept site,
        while LibreOffice converts the PDFs of what changed, which the search does not
        read). Serving, the pages not converted are read for the tags, and a rebuild of
        some pages leaves the search to the background; the first build (or one of
        everything) is served with its search."""
        if self.live is not None:
            self.live.read_the_rest(env, config, files)
        if self.live is not None and self.live.building and not self.live.full:
            # the pages this build converted are known: their search with them
            searched = {page.path: page for page in self.search.pages}
            site_dir, keep_index_url = Path(config.site_dir), not config.use_directory_urls
            self.live.start_index(site_dir, keep_index_url, self.converted, searched)
        if self.late is not None:  # building on a kept site: the PDFs converted meanwhile
            self._wait_for_pdfs()
            if self.late:  # offered now, with their PDFs
                self._offer_documents(files, only=self.late)
                self.live.written_late(files, self.late)
                self._fingerprint(files, only=self.late)
        elif not self.offered:  # the documents were written while MkDocs converted the pages
            self._wait_for_pdfs()
            self._offer_documents(files)
            if self.live is not None:
                self._fingerprint(files)  # a first build: for the next one
        if self.live is None or self.live.full:
            self.search.start(Path(config.site_dir))
        return env

    def _offer_documents(
        self, files: Files, convert: bool | None = None, only: set[str] | None = None
    ) -> dict:
        """Offer the documents and PDFs on the pages (or those of the circulars `only`
        names), converting the PDFs that are missing (by default when building; serving,
        after the rebuild); those still missing."""
        if self.result is None:
            self.result = self.documents.finish()
        for warning in [] if self.hand_back or self.offered else self.result.warnings:
            log.warning(warning)
        self.offered = True
        made = self.publication.documents_written(
            self.result,
            files,
            self.docx_dir(),
            self.project.root,
            self.live is None or self.live.building if convert is None else convert,
            self.config.jobs,
            only,
        )
        for warning in made.warnings:
            log.warning(warning)
        self.missing_pdfs = made.missing
        return made.missing

    def on_page_context(self, context, *, page, config, nav):
        self.publication.page_context(context, page)
        return context

    def on_post_page(self, output: str, *, page, config) -> str:
        return self.publication.post_page(output, page)

    def on_post_build(self, *, config) -> None:
        site_dir = Path(config.site_dir)
        mark(site_dir)  # the next build may replace this folder
        if self.live is None or self.live.full:
            try:
                self.search.finish()
            except SearchError as error:
                raise PluginError(str(error)) from None
        if self.live is not None:
            self.live.built(self.converted, {page.path: page for page in self.search.pages})
            self.live.circular_pages = self.publication.made
            keep_index_url = not config.use_directory_urls
            docx_dir, root = self.docx_dir(), self.project.root
            index = not self.live.full  # else indexed above
            if not self.live.building:  # building, the search started in on_env (build.py waits)
                self.live.after_build(site_dir, keep_index_url, self.missing_pdfs, docx_dir, root, index)

    def on_build_error(self, *, error) -> None:
        if self.early_pdfs is not None:  # before the build's caller waits for the documents
            self.early_pdfs.join()
        if self.live is not None:
            self.live.failed(str(error))
        if self.search is not None:
            self.search.abandon()

    # --- serving ---------------------------------------------------------------

    def on_serve(self, server, *, config, builder):
        """`mkdocs serve` (which rebuilds everything; `circulars serve` watches these itself)."""
        for folder in (DATA_DIR, TEMPLATES_DIR, RETURNS_DIR, EDITIONS_DIR):
            if (self.project.root / folder).is_dir():
                server.watch(str(self.project.root / folder))
        return server


def _relative(path: Path, root: Path) -> str | None:
    path, root = Path(path).resolve(), Path(root).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else None
