"""What `circulars serve` keeps from one rebuild to the next, so that saving a
circular rebuilds what shows it, not the whole site.

Each rebuild still runs MkDocs' build, as a "dirty" build into the served
folder, and the plugin still generates every page's Markdown; what it saves is
the work after that. The circular files are read again only if their bytes
changed (source/loading.py's ReadCache), the Word documents come from the build
record (docx/build_record.py), and MkDocs converts and writes only the pages
that changed:

- A generated file (page, feed, data) is unchanged when its content, and for a
  page what the plugin adds to it later (its downloads, <head> and feeds), are
  those of the last build; it is then neither converted nor written again.
- Hand-written pages are always built again (a few; the home page lists the
  latest circulars and the tags page every circular's tags).
- Everything is built again, into an emptied folder, when anything every page
  shows may have changed: mkdocs.yml, the docs folder (pages, overrides,
  assets), the navigation, or the set of pages (a circular added or removed).
- Material's tags plugin lists every page's tags: the pages not converted are
  read (front matter only) and handed to it as MkDocs would.

Two things follow a rebuild instead of holding it up, each in the background
and each ending in a reload: the PDFs of changed documents (LibreOffice; they
land in the PDF cache, which serve watches, so the pages offering them are
built once more) and the search index (Pagefind over every page, swapped in
whole when ready).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import clean_directory

from ..docx.preview import soffice
from ..i18n import _
from ..render.environment import keep_compiled
from ..source.loading import ReadCache
from .pages import circular_folder
from .pdfs import convert_pdfs
from .search import BUNDLE_DIR, Indexing, SearchError, index_pages
from .search import _Page as SearchedPage  # what the search keeps of a page

log = logging.getLogger("mkdocs.plugins.circulars")
NEXT_BUNDLE = ".pagefind-next"  # hidden: an emptied site folder keeps it
# PDFs made in the background, per LibreOffice run: Ctrl-C waits for one run at most.
PDF_RUN = 10


class _CompiledTemplates(BytecodeCache):
    """The theme's templates, compiled once per serve: MkDocs makes a new Jinja
    environment for every build, and compiling Material's templates again took a
    tenth of a second of each rebuild. Jinja keys each by its name and source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class GeneratedFile(File):
    """A file the plugin generates or publishes (a page, a Word document, a PDF). While
    serving, `unchanged` says that it is what the last build wrote, so that MkDocs'
    dirty build leaves it alone; anything else is written again, whatever the times
    of the files say (a PDF from the cache may be older than the one it replaces)."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _folder_state(folder: Path) -> str:
    """Names, sizes and modification times of every file under folder."""
    state = []
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(current) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            state.append(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(state)


def _nav_shape(items) -> list:
    return [
        (item.title, getattr(item, "url", None), _nav_shape(getattr(item, "children", None) or []))
        for item in items
    ]


class LiveSite:
    """The state of one `circulars serve`, handed to the plugin before each rebuild; or,
    `building`, of `circulars build`, which keeps it from one build to the next (`state`,
    `restore`) and builds into a staging folder of hard links to the published site's
    files: the PDFs and the search are made before the build ends, and any file the
    build writes is unlinked first, so that the published site's stays as it was."""

    def __init__(self, building: bool = False) -> None:
        self.building = building
        self.reads = ReadCache()
        self.signature: str | None = None  # of what every page depends on, at the last build
        self.fingerprints: dict[str, str] = {}  # a generated file's src_uri -> its digest then
        self.outputs: dict[str, str] = {}  # every file's src_uri -> where it was written
        self.searched: dict[str, object] = {}  # a page's path -> what the search indexes of it
        self.full = True  # the build under way rebuilds everything
        self.templates = _CompiledTemplates()
        self.circular_pages: dict[str, tuple[str, str, str]] = {}  # see Publication.page
        self._pending: dict[str, str] = {}
        self._pending_signature: str | None = None
        self._pages: set[str] = set()  # the pages of the build under way, as written (dest_uri)
        self._site_lock = threading.Lock()  # the served folder: emptied, or a bundle swapped in
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="circulars-serve")
        self._generation = 0
        self._closing = threading.Event()
        self.error: str | None = None  # why the last build failed, None when it did not
        self.linking = None  # building: the published site being linked into staging (build.py)
        self.published: Path | None = None  # building: the site folder, kept while staging is built
        self._indexing: Indexing | None = None  # building: the search (start_index)

    # --- kept between `circulars build`s ------------------------------------------

    def state(self, site_dir: Path) -> dict:
        """What the next build starts from, as JSON (the outputs relative to site_dir)."""
        return {
            "signature": self.signature,
            "fingerprints": self.fingerprints,
            "outputs": {src: os.path.relpath(path, site_dir) for src, path in self.outputs.items()},
            "searched": [asdict(page) for page in self.searched.values()],
            "circular_pages": self.circular_pages,
        }

    def restore(self, state: dict, site_dir: Path) -> None:
        """Start from a state a build kept, its outputs now in site_dir."""
        self.signature = state["signature"]
        self.fingerprints = dict(state["fingerprints"])
        self.outputs = {src: str(site_dir / path) for src, path in state["outputs"].items()}
        self.searched = {page["path"]: SearchedPage(**page) for page in state["searched"]}
        self.circular_pages = {cid: tuple(page) for cid, page in state["circular_pages"].items()}

    # --- deciding what to build (on_files, on_nav) ------------------------------

    def fingerprint(self, file: GeneratedFile, extra: str) -> None:
        """Remember a generated file's content and what else its output shows; a file
        copied, which file it is and its size and modification time."""
        if file.abs_src_path is None:
            self._pending[file.src_uri] = _digest(file.content_bytes, extra)
            return
        try:
            stat = os.stat(file.abs_src_path)
        except OSError:  # MkDocs reports it when it copies
            return
        self._pending[file.src_uri] = _digest(
            file.abs_src_path, f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}", extra
        )

    def written_late(self, files: Files, circular_ids: set[str]) -> None:
        """Building: the files of these circulars' folders, offered again once their PDFs
        were converted (after prepare), are outputs too; a PDF offered now is, in staging,
        a link to the published one (see the class), which MkDocs must not write into."""
        folders = tuple(circular_folder(cid) for cid in circular_ids)
        for file in files:
            if file.src_uri.startswith(folders):
                self.outputs[file.src_uri] = file.abs_dest_path
                if not file.is_documentation_page():  # the pages: unlinked by prepare
                    Path(file.abs_dest_path).unlink(missing_ok=True)

    def prepare(self, config, nav, files: Files) -> None:
        """Before MkDocs reads the pages: decide what this build writes."""
        if self.linking is not None:  # every published file linked before any is unlinked
            self.linking.wait()
            self.linking = None
        pages = sorted(f.src_uri for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve))
        docs = Path(config.docs_dir)
        custom = config.theme.custom_dir
        signature = _digest(
            Path(config.config_file_path).read_bytes() if config.config_file_path else b"",
            _folder_state(docs),
            _folder_state(Path(custom)) if custom and not Path(custom).is_relative_to(docs) else "",
            repr(_nav_shape(nav.items)),
            "\n".join(pages),
        )
        self.full = signature != self.signature
        self._pending_signature = signature
        self._generation += 1  # the search of an earlier build is out of date
        site_dir = Path(config.site_dir)
        if self.full:
            with self._site_lock:
                clean_directory(str(site_dir))
            self.fingerprints = {}
            self.templates = _CompiledTemplates()  # the theme, or its settings, may have changed
        current = {file.src_uri: file.abs_dest_path for file in files}
        for src_uri, output in self.outputs.items():
            if src_uri not in current or current[src_uri] != output:
                Path(output).unlink(missing_ok=True)  # a file this build does not write
        for file in files:
            if isinstance(file, GeneratedFile):
                known = self.fingerprints.get(file.src_uri)
                file.unchanged = (
                    not self.full and known is not None and known == self._pending.get(file.src_uri)
                )
                if self.building and not file.unchanged:
                    Path(file.abs_dest_path).unlink(missing_ok=True)  # a hard link: see the class
            elif file.is_documentation_page() and not self.full:
                Path(file.abs_dest_path).unlink(missing_ok=True)  # so that MkDocs builds it again
            elif self.building and not self.full and file.is_modified():
                Path(file.abs_dest_path).unlink(missing_ok=True)
        if self.building and not self.full:  # what MkDocs writes on every build
            for name in [*config.theme.static_templates, *config.extra_templates, "sitemap.xml.gz"]:
                (site_dir / name).unlink(missing_ok=True)
        self.outputs = current
        self._pages = {file.dest_uri for file in files if file.is_documentation_page()}

    def read_the_rest(self, env, config, files: Files) -> None:
        """Hand the pages this build does not convert to the plugins that read every
        page's Markdown (Material's tags), as a full build would; and the theme its
        compiled templates."""
        if self.building:  # a process of its own: the compiled templates kept on disk
            keep_compiled(env)
        else:
            env.bytecode_cache = self.templates
        for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
            page = file.page
            if page is None or page.markdown is not None:
                continue
            page.read_source(config)
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
        _tags_in_build_order(config, files)

    def built(self, converted: set[str], searched: dict[str, object]) -> None:
        """The build succeeded: remember it, and what the search indexes of each page
        (`converted`: the pages this build converted, `searched` what it indexes of them)."""
        self.signature = self._pending_signature
        self.error = None
        self.fingerprints, self._pending = self._pending, {}
        self.searched = self._searched(converted, searched)

    def _searched(self, converted: set[str], searched: dict[str, object]) -> dict[str, object]:
        """What the search indexes of every page once this build is done."""
        kept = {} if self.full else self.searched
        pages = {path: page for path, page in kept.items() if path in self._pages and path not in converted}
        pages.update(searched)
        return pages

    def failed(self, error: str) -> None:
        """The build failed part-way, for `error`: the next one starts afresh."""
        self.error = error
        self.signature = None
        self._pending = {}

    # --- after the build, in the background --------------------------------------

    def after_build(
        self, site_dir: Path, keep_index_url: bool, pdfs: dict, docx_dir: Path, root: Path, index: bool
    ) -> None:
        """Make the missing PDFs, then (with index) index the search: one job at a time,
        each build's search only if no later build has started."""
        generation = self._generation
        pages = list(self.searched.values())

        def job() -> None:
            waiting = list(pdfs.items())
            for start in range(0, len(waiting), PDF_RUN):
                if self._closing.is_set():
                    return
                made = convert_pdfs(dict(waiting[start : start + PDF_RUN]), docx_dir, root)
                for warning in made.warnings:
                    log.warning(warning)
                if not made.converted and soffice() is None:
                    break  # said once
            if index and generation == self._generation and not self._closing.is_set():
                self._index(site_dir, pages, keep_index_url, generation)

        self._background.submit(job)

    def start_index(
        self, site_dir: Path, keep_index_url: bool, converted: set[str], searched: dict[str, object]
    ) -> None:
        """Building: index the search of every page (as `built` will keep them) while MkDocs
        writes the pages and the build is recorded (search.Indexing); finish_index waits
        for it. The language whose pages did not change keeps the published bundle."""
        target = site_dir / NEXT_BUNDLE
        shutil.rmtree(target, ignore_errors=True)
        pages = list(self._searched(converted, searched).values())
        self._indexing = Indexing(pages, target, keep_index_url, (self.published or site_dir) / BUNDLE_DIR)

    def finish_index(self, site_dir: Path) -> None:
        """Wait for the search started by start_index and put it in place (SearchError if it
        failed)."""
        indexing, self._indexing = self._indexing, None
        if indexing is not None:
            indexing.wait()
            self._swap_bundle(site_dir, site_dir / NEXT_BUNDLE, self._generation)

    def stop_index(self) -> None:
        """A build that stopped early: wait for its search, before staging is removed."""
        indexing, self._indexing = self._indexing, None
        if indexing is not None:
            indexing.stop()

    def _index(self, site_dir: Path, pages: list, keep_index_url: bool, generation: int) -> None:
        target = site_dir / NEXT_BUNDLE
        shutil.rmtree(target, ignore_errors=True)
        try:
            index_pages(pages, target, keep_index_url, previous=site_dir / BUNDLE_DIR)
        except SearchError as error:
            log.warning(_("the search was not brought up to date: {error}").format(error=error))
            return
        if self._swap_bundle(site_dir, target, generation):
            log.info(_("The search is up to date."))

    def _swap_bundle(self, site_dir: Path, target: Path, generation: int) -> bool:
        """Put the new search in place, unless a later build has started."""
        with self._site_lock:
            if generation != self._generation:
                shutil.rmtree(target, ignore_errors=True)
                return False
            bundles, old = site_dir / BUNDLE_DIR, site_dir / f"{NEXT_BUNDLE}-old"
            if bundles.exists():
                bundles.rename(old)
            target.rename(bundles)
            shutil.rmtree(old, ignore_errors=True)
        return True

    def settle(self) -> None:
        """Wait for the work after the last build (the PDFs, the search)."""
        self._background.submit(lambda: None).result()

    def close(self) -> None:
        """Stop: what runs in the background ends after its current step."""
        self._closing.set()
        self._background.shutdown(wait=True, cancel_futures=True)


def _tags_in_build_order(config, files: Files) -> None:
    """Material's tags plugin keeps the pages in the order it was handed them, and so
    lists and exports them (tags.json): the pages converted came first, and a build
    from scratch hands every page in the order of the files."""
    tags = config.plugins.get("material/tags")
    mappings = getattr(tags, "mappings", None)
    if mappings is None:
        return
    pages = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    order = {file.page.url: n for n, file in enumerate(pages) if file.page is not None}
    mappings.data = dict(sorted(mappings.data.items(), key=lambda item: order.get(item[0], len(order))))
