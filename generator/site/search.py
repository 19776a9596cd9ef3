"""The site's full-text search: a Pagefind index per language, which the browser loads in chunks.

Material's own search ships the whole index (15.8 MB at 1,000 circulars) to
every page view, and with two languages set it stems no English word. Pagefind
writes a static index split into small chunks: a search downloads only the
chunks its words need. English pages are indexed with English stemming
("workers" finds "worker").

Chinese is indexed character by character, and search.js looks a Chinese query
up as a phrase of characters: it finds a word wherever it is written, as the
reader typed it. (Pagefind's extended binary segments Chinese into words with
jieba's dictionary, while the browser segments the query with its own, ICU's:
the two disagree, and 找准问题 was not found where it stands.)

Pagefind keeps one index per language and a browser instance reads one index,
picked by the page's language. So each language gets its own bundle
(pagefind/zh/, pagefind/en/), and search.js queries both, from any page. A
language of more than BUNDLE_PAGES pages is split into bundles of about that
many (zh, zh-2, zh-3, …), a page's bundle chosen by its path: Pagefind indexes
a whole bundle each time, and an edit re-indexes only the one holding its page
(at 1,000 circulars, 0.4 s instead of 1.3). search.js merges a language's
bundles into one Pagefind instance (mergeIndex), which shares its WebAssembly.

The plugin hands over each searched page here as MkDocs converts it; Pagefind
indexes them while MkDocs renders the pages, from small documents made for it:
the page's content, with its language, its title and document number as
metadata, and the document number once more, weighted high, so that
川工发〔2024〕12号, 〔2024〕12号 or 12号 finds that circular first.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.pages import Page
from pagefind_bin import get_executable

from ..i18n import _, current_language, use_language
from ..source.model import Circular
from .escaping import html

BUNDLE_DIR = "pagefind"
LANGUAGES = ("zh", "en")
LANGUAGES_FILE = "languages.json"  # the bundles, in order
BUNDLE_PAGES = 150
INPUT_STAMP = ".input"  # bundles/<bundle>.input: the digest of what Pagefind indexed
# The search box and its results (search.js reads the bundles), added to every page.
UI_DIR = Path(__file__).parent / "search_ui"
UI_FILES = {
    "assets/search/search.js": UI_DIR / "search.js",
    "assets/search/search.css": UI_DIR / "search.css",
}
MATERIAL_SEARCH = ("search", "material/search")
# Not part of what a page says: permalinks (¶), the download button and its
# checksum, the tags above a page.
NOT_INDEXED = ".headerlink, .download, .download-facts, .md-tags"
# Chinese characters: each is indexed as a word of its own (search.js splits
# queries with the same ranges). Brackets stay on what they enclose, but apart
# from what follows: 〔2024〕12号 is the words 〔2024〕 12 号, as a query has it.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
# (Two substitutions, not str.translate: a translation table is looked up for every
# character, five times slower on a page's HTML.)
_OPENING, _CLOSING = re.compile("[〔【（「『《〈〖〘〚［]"), re.compile("[〕】）」』》〉〗〙〛］]")


class SearchError(Exception):
    pass


def material_search_left_on(config) -> str | None:
    """The name of Material's search plugin if mkdocs.yml still lists it."""
    return next((name for name in MATERIAL_SEARCH if name in config.plugins), None)


def add_search_box(config) -> None:
    """Our search box and results on every page (the files come from UI_FILES)."""
    for path in UI_FILES:
        scripts = config.extra_javascript if path.endswith(".js") else config.extra_css
        if path not in scripts:
            scripts.append(path)


def characters_apart(text: str) -> str:
    """Text with each Chinese character, and each bracketed part, set apart by spaces.
    Applied to a page's HTML whole, it spaces attribute values too, which only
    Pagefind reads (it indexes text, not them)."""
    spaced = _HAN.sub(lambda run: f" {' '.join(run.group())} ", text)
    return _CLOSING.sub(r"\g<0> ", _OPENING.sub(r" \g<0>", spaced))


def bundle_language(lang: str) -> str:
    """The language whose bundles a page of this language (an HTML lang such as zh-CN)
    goes into."""
    return "zh" if lang.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class _Page:
    language: str  # zh or en (the bundles it goes into are that language's)
    path: str  # its HTML file in the site
    title: str  # HTML
    content: str  # HTML, with the Chinese set apart (characters_apart) for Pagefind
    number: str  # plain text


class SearchIndex:
    """The pages to search, collected as MkDocs converts them, and indexed in another
    process while MkDocs renders the pages (`start`): setting the Chinese apart and
    writing the documents takes a second of Python at 1,000 circulars, then Pagefind
    runs. `finish` waits for it once the site is built."""

    def __init__(self, site_language: str, keep_index_url: bool = False) -> None:
        self.site_language = site_language
        # with use_directory_urls off, links end in index.html, and so must results
        self.keep_index_url = keep_index_url
        self.pages: list[_Page] = []
        self.indexing: ProcessPoolExecutor | None = None
        self.done: Future | None = None
        self.bundles: Path | None = None
        self.names: list[str] = []  # the bundles `start` indexes into

    def add_page(self, page: Page, content: str, circular: Circular | None, number: str) -> None:
        """A page MkDocs has converted (its content, as HTML), searched unless its front matter
        says `search: {exclude: true}`. Its title is HTML already (escaped by the front matter
        of generated pages), and so are its tags, which are searched too. A circular's page
        is in its language, any other in the site's."""
        if (page.meta.get("search") or {}).get("exclude"):
            return
        lang = circular.language if circular is not None else self.site_language
        tags = " · ".join(str(tag) for tag in page.meta.get("tags") or [])
        content += f"<p>{tags}</p>" if tags else ""
        self.add(page.file.dest_uri, lang, page.title or "", content, number)

    def add(self, path: str, lang: str, title: str, content: str, number: str = "") -> None:
        """A page at `path` in the site (its HTML file), in language `lang`, with its
        title and content as HTML and its document number as plain text. The content is
        kept with its Chinese set apart: a build on a kept site gives Pagefind the pages
        it did not convert as the last build kept them (at 1,000 circulars, setting them
        apart again took 0.4 s before Pagefind could start)."""
        self.pages.append(_Page(bundle_language(lang), path, title, characters_apart(content), number))

    def start(self, site_dir: Path) -> None:
        """Index the pages into site_dir/pagefind/<bundle>/, in the background."""
        self.bundles = Path(site_dir).resolve() / BUNDLE_DIR
        if self.bundles.exists():
            shutil.rmtree(self.bundles)
        # a fresh interpreter: a fork would start as big as MkDocs' process is by now
        self.indexing = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        grouped = _bundles(self.pages)
        self.names = list(grouped)
        self.done = self.indexing.submit(
            _index, grouped, self.bundles, self.keep_index_url, current_language()
        )

    def finish(self) -> None:
        """Wait for the index; say which bundles there are, for search.js (Pagefind
        cannot index no pages)."""
        _finished(self.bundles, self.names, self.abandon())

    def abandon(self) -> str | None:
        """Wait for the indexing if it runs; what went wrong, if anything."""
        if self.indexing is None:
            return None
        try:
            return self.done.result()
        except (BrokenProcessPool, OSError) as error:
            return _("the indexing process failed ({error})").format(error=error)
        finally:
            self.indexing.shutdown()
            self.indexing = None


def _bundles(pages: list[_Page]) -> dict[str, list[_Page]]:
    """The bundles (zh, zh-2, …, en, …) and their pages: a language's in as many as
    BUNDLE_PAGES pages each need, a page in the one its path's digest picks, so that
    a build from scratch splits them as an incremental one does."""
    found: dict[str, list[_Page]] = {}
    for language in LANGUAGES:
        its = [page for page in pages if page.language == language]
        count = -(-len(its) // BUNDLE_PAGES)
        names = [language, *(f"{language}-{n}" for n in range(2, count + 1))]
        split: dict[str, list[_Page]] = {name: [] for name in names}
        for page in its:
            digest = hashlib.sha256(page.path.encode()).digest()
            split[names[int.from_bytes(digest[:8], "big") % count]].append(page)
        found |= {name: chosen for name, chosen in split.items() if chosen}
    return found


def index_pages(
    pages: list[_Page], bundles: Path, keep_index_url: bool, previous: Path | None = None
) -> None:
    """Index the pages into bundles/<bundle>/, with the list of bundles, in a process
    of its own, and wait for it (`circulars serve` does, in the background: the process
    and Pagefind run at a low priority, so as not to slow the next rebuild).
    A bundle whose pages are what `previous` (the bundles published) indexed is kept,
    linked."""
    spawn = multiprocessing.get_context("spawn")
    grouped = _bundles(pages)
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=_low_priority) as process:
        try:
            problem = process.submit(
                _index, grouped, bundles, keep_index_url, current_language(), previous
            ).result()
        except (BrokenProcessPool, OSError) as error:
            problem = _("the indexing process failed ({error})").format(error=error)
    _finished(bundles, list(grouped), problem)


def _finished(bundles: Path, names: list[str], problem: str | None) -> None:
    """After Pagefind: what went wrong (SearchError), else which bundles there are, for
    search.js (Pagefind cannot index no pages)."""
    if problem:
        raise SearchError(_("Pagefind could not index the search: {problem}").format(problem=problem))
    bundles.mkdir(parents=True, exist_ok=True)
    (bundles / LANGUAGES_FILE).write_text(json.dumps(names), encoding="utf-8")


class Indexing:
    """`circulars build` on a kept site: Pagefind's input written now, in the build's
    thread (Python, which another thread would only slow down), and Pagefind run in
    another thread while MkDocs writes the pages and the build is recorded; `wait` for
    it. A bundle whose pages are what `previous` indexed is kept, linked."""

    def __init__(
        self, pages: list[_Page], bundles: Path, keep_index_url: bool, previous: Path | None
    ) -> None:
        grouped = _bundles(pages)
        self.bundles, self.names = bundles, list(grouped)
        self.input = _Input(grouped, bundles, keep_index_url, previous)
        self.problem: str | None = None
        self.thread = threading.Thread(target=self._run, name="circulars-search")
        self.thread.start()

    def _run(self) -> None:
        try:
            self.problem = self.input.index()
        except OSError as error:
            self.problem = str(error)

    def wait(self) -> None:
        """SearchError if Pagefind failed."""
        self.stop()
        _finished(self.bundles, self.names, self.problem)

    def stop(self) -> None:
        self.thread.join()
        self.input.close()


def _low_priority() -> None:
    if hasattr(os, "nice"):
        os.nice(10)


def _index(
    grouped: dict[str, list[_Page]],
    bundles: Path,
    keep_index_url: bool,
    messages: str,
    previous: Path | None = None,
) -> str | None:
    """In the indexing process: the documents for Pagefind, then Pagefind. What went
    wrong, if anything, in the language of the `messages`."""
    use_language(messages)
    prepared = _Input(grouped, bundles, keep_index_url, previous)
    try:
        return prepared.index()
    finally:
        prepared.close()


class _Input:
    """Pagefind's input: a document per page, written for each bundle whose pages
    changed; `index` runs Pagefind once per bundle, one after the other (two at once
    would add up their memory).

    Each bundle is stamped with a digest of what Pagefind read (bundles/<bundle>.input):
    a bundle whose documents are those of `previous`'s stamp is kept, linked (after an
    edit of one Chinese circular, the English pages and the other Chinese bundles are
    as they were)."""

    def __init__(
        self, grouped: dict[str, list[_Page]], bundles: Path, keep_index_url: bool, previous: Path | None
    ) -> None:
        documents = {name: {page.path: _document(page) for page in its} for name, its in grouped.items()}
        size = sum(len(document) for each in documents.values() for document in each.values())
        self.scratch = tempfile.TemporaryDirectory(prefix="circulars-search-", dir=_scratch(4 * size))
        self.bundles, self.keep_index_url = bundles, keep_index_url
        self.stamps: dict[str, str] = {}
        self.waiting: list[str] = []  # the bundles Pagefind indexes
        for name, its in documents.items():
            self.stamps[name] = _input_digest(its, keep_index_url)
            if not _kept(previous, bundles, name, self.stamps[name]):
                # in the order of their names: Pagefind numbers the pages in the order the
                # folders list them, which on a tmpfs is the order they were written in
                for path, document in sorted(its.items()):
                    target = Path(self.scratch.name) / name / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(document, encoding="utf-8")
                self.waiting.append(name)

    def index(self) -> str | None:
        """Run Pagefind; what went wrong, if anything."""
        for name, stamp in self.stamps.items():
            if name in self.waiting:
                documents = Path(self.scratch.name) / name
                problem = _pagefind(documents, self.bundles / name, self.keep_index_url)
                if problem:
                    return problem
            (self.bundles / f"{name}{INPUT_STAMP}").write_text(stamp, encoding="utf-8")
        return None

    def close(self) -> None:
        self.scratch.cleanup()


# Memory as a file system: Pagefind's input is a folder per page, written once and read
# once (at 1,000 circulars, a thousand folders and files: a second on a disk).
MEMORY = Path("/dev/shm")


def _scratch(needed: int) -> str | None:
    """Where the input is written: in memory if the system offers it with room to spare
    and TMPDIR does not choose; else (None) the temporary folder."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        free = os.statvfs(MEMORY)
    except (OSError, AttributeError):  # none, or not POSIX
        return None
    room = free.f_bavail * free.f_frsize
    return str(MEMORY) if room > needed and os.access(MEMORY, os.W_OK | os.X_OK) else None


def _input_digest(documents: dict[str, str], keep_index_url: bool) -> str:
    """What Pagefind reads for one bundle (its documents, its options and which Pagefind)."""
    digest = hashlib.sha256(f"{get_executable()}\0{keep_index_url}\0".encode())
    for path in sorted(documents):
        digest.update(f"{path}\0{documents[path]}\0".encode())
    return digest.hexdigest()


def _kept(previous: Path | None, bundles: Path, name: str, stamp: str) -> bool:
    """Whether the previous bundle of this name, made from the same input, is now linked
    into bundles (never written: the published site holds the same files)."""
    if previous is None:
        return False
    try:
        if (previous / f"{name}{INPUT_STAMP}").read_text(encoding="utf-8") != stamp:
            return False
        shutil.copytree(previous / name, bundles / name, copy_function=os.link)
    except OSError:  # no stamp, no bundle, another file system: Pagefind indexes it again
        shutil.rmtree(bundles / name, ignore_errors=True)
        return False
    return True


def _document(page: _Page) -> str:
    """What Pagefind reads of a page: its content with the Chinese set apart, its title and
    number as metadata, and the number once more, weighted high."""
    meta = f'<p data-pagefind-meta="title">{page.title}</p>'
    weighted = ""
    if page.number:
        meta += f'<p data-pagefind-meta="number">{html(page.number)}</p>'
        weighted = f'<p data-pagefind-weight="10">{html(characters_apart(page.number))}</p>'
    return (
        f'<!doctype html><html lang="{"zh-CN" if page.language == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{page.title}</title></head><body>'
        # ignored as text, read for the metadata
        f"<div data-pagefind-ignore>{meta}</div>{weighted}{page.content}</body></html>"
    )


def _pagefind(pages: Path, output: Path, keep_index_url: bool) -> str | None:
    """Run Pagefind; what went wrong, if anything."""
    command = [str(get_executable()), "--site", str(pages), "--output-path", str(output)]
    command += ["--exclude-selectors", NOT_INDEXED, "--silent"]
    if keep_index_url:
        command.append("--keep-index-url")
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        return _("cannot run {command} ({error})").format(command=command[0], error=error)
    if done.returncode == 0:
        return None
    return (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
