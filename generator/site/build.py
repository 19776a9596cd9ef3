"""`circulars build` and `circulars serve`, the site part: MkDocs driven from our CLI.

The site is built into a fresh folder and swapped into place only when the
build succeeds, so a failed build never leaves a half-empty site where a good
one was. The swap removes only a site folder a build made (outputs.py), and
no build writes into the project's sources. The Word documents are written by
the plugin while MkDocs builds the pages, so nothing is rendered twice. A build
of what the last one built, with nothing it reads or writes changed, stops after
looking (unchanged.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from ..docx.build import BuildResult
from ..i18n import _
from ..source.names import DATA_DIR
from ..source.project import Project
from ..source.templates import TEMPLATES_DIR
from .live import LiveSite
from .outputs import (
    CONFIG_FILE,
    MARKER,
    SiteError,
    UnsafeOutput,
    building,
    check_output,
    check_replaceable,
    docs_dir,
    mark,
    remove_ours,
    remove_ours_later,
)
from .search import BUNDLE_DIR, SearchError
from .theme_files import theme_files_listed_quickly
from .unchanged import BuildInputs, build_options


def _quiet_libraries() -> None:
    # jieba (imported as the title breaks import it, without pkg_resources: 0.1 s)
    # announces its dictionary on every build; MkDocs' INFO lines are noise here
    from ..docx.title_words import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


@contextmanager
def _messages() -> Iterator[None]:
    """MkDocs' and the plugin's warnings on stderr, worded like ours ("warning: ...")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _stopped_by(error: Exception) -> str:
    """Why the build stopped. A plugin's error (a template's, in a build from scratch)
    MkDocs shows itself, then stops with "Aborted with a BuildError!", which says
    nothing to a clerk: point at the error shown."""
    if isinstance(error, Abort) and str(error) == "Aborted with a BuildError!":
        return _("correct the error shown above, then build again")
    return str(error)


def _config(project_root: Path, site_dir: Path, site_url: str | None, drafts: bool, strict: bool, **more):
    overrides = {"site_dir": str(site_dir), "strict": strict, **more}
    if site_url:
        overrides["site_url"] = site_url
    try:
        config = load_config(config_file=str(project_root / CONFIG_FILE), **overrides)
    except MkDocsException as error:
        raise SiteError(f"{CONFIG_FILE}: {error}") from None
    except TypeError as error:  # MkDocs does not check INHERIT's type before it joins paths
        raise SiteError(
            _("{config_file}: a value of the wrong type ({error})").format(
                config_file=CONFIG_FILE, error=error
            )
        ) from None
    plugin = config.plugins.get("circulars")
    if plugin is None:
        raise SiteError(
            _("{config_file} does not use the 'circulars' plugin (add it under plugins:)").format(
                config_file=CONFIG_FILE
            )
        )
    if drafts:
        plugin.config.drafts = True
    return config, plugin


def build_site(
    project: Project,
    site_dir: Path,
    docx_dir: Path,
    site_url: str | None = None,
    drafts: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the Word documents into docx_dir (with force, even those up to date)
    and the site into site_dir, replacing the site that was there only on success."""
    _quiet_libraries()
    pages = docs_dir(project.root)  # check before anything is written
    for folder, what in ((site_dir, _("site")), (docx_dir, _("Word documents"))):
        check_output(folder, project.root, pages, what)
    check_replaceable(site_dir, project.root)
    with building(site_dir, project.root), _messages():
        inputs = BuildInputs(project.root, site_dir, docx_dir, build_options(site_url, drafts, strict))
        recorded = None if force else inputs.recorded()
        if recorded is not None:  # nothing it reads or writes changed since the last build
            return recorded
        kept = None if force else inputs.kept_site()
        inputs.forget()
        staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
        staging.chmod(0o755)  # a web server must be able to read it
        mark(staging)  # so that a later build can clear it away if this one is killed
        live = LiveSite(building=True)
        if kept is not None:
            try:
                live.restore(kept, staging)
                _try_link(site_dir / MARKER, staging / f"{MARKER}.linked")
            except (OSError, KeyError, TypeError, ValueError):  # a build from scratch, then
                live = LiveSite(building=True)
        try:
            config, plugin = _config(project.root, staging, site_url, drafts, strict)
            plugin.live = live
            plugin.project = project
            plugin.hand_back = True  # the documents' warnings: we print them with the result
            plugin.config.docx_dir = str(docx_dir)
            plugin.config.jobs = jobs
            plugin.force = force
            logging.getLogger("mkdocs.commands.build").addFilter(NOT_DIRTY)
            linking = None
            try:
                if live.signature is not None:  # the published site is kept: linked into staging
                    # while the documents are written and the listings made; the build waits
                    # for the links before it unlinks what it writes again (live.prepare)
                    linking = live.linking = _Meanwhile(partial(_link_copy, site_dir, staging))
                    live.published = site_dir
                    try:
                        plugin.start_documents()  # the Word documents are written, LibreOffice starts
                    except Exception as error:  # as MkDocs tells the plugin of an error in a build
                        plugin.on_build_error(error=error)
                        raise
                with theme_files_listed_quickly():
                    build(config, dirty=True)  # the plugin decides what is written (live.py)
                # the outputs as written, relative to staging (the site folder next), kept while
                # the search is indexed
                kept = inputs.keep(live.state(staging))
                live.finish_index(staging)
            except (MkDocsException, SearchError) as error:
                raise SiteError(_stopped_by(error)) from None
            finally:
                if plugin.documents is not None and plugin.result is None:
                    plugin.documents.finish()  # the build stopped early: let the writers finish
                if linking is not None:
                    linking.thread.join()  # before staging is removed, if the build failed
                live.stop_index()
            old = _swap(staging, site_dir, project.root)
        finally:
            remove_ours(staging)
            live.close()
        remove_ours_later(old, staging)  # a name of its own, which no other build has
        published = {c.id for c in plugin.published()}
        plugin.result.drafts_left_off = sorted(c.id for c in project.circulars if c.id not in published)
        checked = [d.format(project.root) for d in project.diagnostics.warnings]
        inputs.record(plugin.result, kept, checked)
    return plugin.result


def _try_link(source: Path, probe: Path) -> None:
    """Raise OSError where the published site cannot be hard-linked into staging (a file
    system without hard links): the build then starts from scratch."""
    os.link(source, probe)
    probe.unlink()


class _Meanwhile:
    """Work run in another thread (linking or removing a site: its time is the file
    system's, not Python's); `wait`, or the end of a block it opens, raises its OSError."""

    def __init__(self, work: Callable[[], None]) -> None:
        self.failed: list[OSError] = []
        self.thread = threading.Thread(target=self._run, args=(work,), name="circulars-meanwhile")
        self.thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except OSError as error:
            self.failed.append(error)

    def wait(self) -> None:
        self.thread.join()
        if self.failed:
            raise self.failed.pop()

    def __enter__(self) -> _Meanwhile:
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.thread.join()
        if error is None:
            self.wait()


# The published site's files linked into staging, by a Python process of its own: in a
# thread of the build's, each of its system calls (8,600 at 1,000 circulars) waited for
# the interpreter lock while the build's thread made the listings, and the links took
# 3 s instead of 0.3. Only the standard library: it starts in a few milliseconds.
_LINKING = r"""
import os, sys
source, staging, skipped = sys.argv[1:]
cut = len(source)
try:
    for current, dirs, files in os.walk(source):
        if current == source and skipped in dirs:
            dirs.remove(skipped)
        target = staging + current[cut:]
        for name in dirs:
            try:
                os.mkdir(os.path.join(target, name))
            except FileExistsError:
                pass
        for name in files:
            try:
                os.link(os.path.join(current, name), os.path.join(target, name))
            except FileExistsError:  # the marker mark() wrote: it stays, the folder is ours
                pass
except OSError as error:
    sys.stderr.write(f"{error.errno}\0{error.strerror}\0{error.filename}")
    sys.exit(1)
"""


def _link_copy(site_dir: Path, staging: Path) -> None:
    """The published site's files in staging as hard links (the build unlinks any it writes),
    but for the search's bundles: they are made again, or linked language by language
    from the published site's (live.start_index). OSError as the linking met it."""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _LINKING, str(site_dir), str(staging), BUNDLE_DIR],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.split("\0", 2)
        if len(said) == 3 and said[0].isdigit():
            raise OSError(int(said[0]), said[1], said[2])
        raise OSError(done.stderr.strip() or f"exit status {done.returncode}")  # the interpreter's


def _swap(staging: Path, site_dir: Path, root: Path) -> Path:
    """Put the new site in place of the old one; where the old one went (to be removed:
    only a build's is)."""
    old = site_dir.with_name(f".{site_dir.name}-old")
    remove_ours(old)
    try:
        check_replaceable(site_dir, root)  # again: it may have changed during the build
    except UnsafeOutput as error:
        raise SiteError(str(error)) from None
    if old.exists():
        raise SiteError(_("{old} is in the way, and a build did not make it: move it away").format(old=old))
    if site_dir.exists():
        site_dir.rename(old)
        mark(old)  # an empty folder had no marker; it is ours to remove now
    staging.rename(site_dir)
    return old


# How often serve looks for changed files (seconds): MkDocs' 0.5 would be a quarter
# of the two seconds a change may take to show.
POLLING_INTERVAL = 0.2


class _NotDirty(logging.Filter):
    """On every dirty build MkDocs warns that it may leave pages stale: the plugin
    decides which pages are (live.py), so the warning is noise (and would fail a
    --strict build)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


NOT_DIRTY = _NotDirty()


class LiveBuild:
    """The builds of one `circulars serve`: the first, then each rebuild, into site_dir."""

    def __init__(self, project_root: Path, site_dir: Path, drafts: bool, dev_addr: str):
        from .live import LiveSite

        self.project_root = project_root
        self.site_dir = site_dir
        self.drafts = drafts
        self.dev_addr = dev_addr
        self.live = LiveSite()
        self.url: str | None = None
        self.error: str | None = None  # why the last rebuild failed; None if it did not
        self.server = None  # the LiveServer, once serving
        self._watching: set[Path] = set()
        self._watch_lock = threading.Lock()  # the build loop and the folder watcher both call watch_new
        self.config, self.plugin = self.configure()
        self.host, self.port = self.config.dev_addr
        self.mount = "/" + urlsplit(self.config.site_url or "/").path.strip("/")
        self.url = self.config.site_url = f"http://{self.host}:{self.port}{self.mount.rstrip('/')}/"

    def configure(self):
        """mkdocs.yml, read again for each build (as `mkdocs serve` does)."""
        config, plugin = _config(
            self.project_root, self.site_dir, None, self.drafts, False, dev_addr=self.dev_addr
        )
        plugin.live = self.live
        config.site_url = self.url or config.site_url
        return config, plugin

    def build(self, config=None) -> None:
        """Build (the first time, with the configuration read at start), else rebuild."""
        if config is None:
            try:
                config, self.plugin = self.configure()
            except SiteError as error:  # the server prints it and waits for the next change
                raise Abort(str(error)) from None
        with theme_files_listed_quickly():
            build(config, serve_url=self.url, dirty=True)

    def rebuild(self) -> None:
        """A rebuild for the server: a failure is kept in `error` (shown on every page, logged)
        instead of raised, so that the browsers reload onto it rather than wait for a build."""
        self.live.error = None
        try:
            self.build()
        except MkDocsException as error:  # Abort too; anything else is a bug, and shows as one
            self.error = self.live.error or str(error)
            logging.getLogger("mkdocs").error(_("The site was not rebuilt: {error}").format(error=self.error))
        else:
            self.error = None
        self.watch_new()

    def watch_new(self) -> None:
        """Watch what has appeared since the last look (returns/, made by the first import)."""
        if self.server is None:
            return
        with self._watch_lock:
            for path in self.watched():
                if path not in self._watching:
                    self._watching.add(path)
                    self.server.watch(str(path))

    def watched(self) -> list[Path]:
        """What to watch: the pages, mkdocs.yml, the sources, the templates, the returns, the kept editions,
        and the PDF cache (a PDF made after a rebuild is offered by the next one)."""
        from ..source.kept_editions import EDITIONS_DIR
        from ..source.returns import RETURNS_DIR
        from .pdfs import cache_folder

        watched = [Path(self.config.docs_dir), Path(self.config.config_file_path)]
        watched += [
            self.project_root / folder for folder in (DATA_DIR, TEMPLATES_DIR, RETURNS_DIR, EDITIONS_DIR)
        ]
        if self.plugin.config.pdf:
            pdfs, _prune = cache_folder(self.plugin.docx_dir())
            pdfs.mkdir(parents=True, exist_ok=True)
            watched.append(pdfs)
        return [path for path in watched if path.exists()]

    def close(self) -> None:
        self.live.close()


def serve_site(project_root: Path, dev_addr: str, drafts: bool) -> None:
    """Serve the site from a temporary folder, rebuild what changed when the YAML,
    templates, returns, pages or mkdocs.yml change, and reload the browser.

    As `mkdocs serve` does, with a dirty build in which the plugin decides what is
    stale (live.py), polling for changes more often."""
    from .live_server import LiveServer

    _quiet_libraries()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)  # says where to open it
    logging.getLogger("mkdocs.commands.build").addFilter(NOT_DIRTY)
    site_dir = Path(tempfile.mkdtemp(prefix="circulars-serve-"))
    # stopped by a signal (a service manager, a test), it ends as on Ctrl-C: the folder goes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        builds = LiveBuild(project_root, site_dir, drafts, dev_addr)
        first = builds.config
        first.plugins.on_startup(command="serve", dirty=True)
        try:
            server = builds.server = LiveServer(
                builder=builds.rebuild,
                error=lambda: builds.error,
                host=builds.host,
                port=builds.port,
                root=str(site_dir),
                mount_path=builds.mount,
                polling_interval=POLLING_INTERVAL,
            )
            server.error_handler = lambda code: _error_page(site_dir, code)
            try:
                builds.build(first)
            except MkDocsException as error:
                raise SiteError(str(error)) from None
            builds.watch_new()
            # a folder made later (returns/, by the first import) is watched from then on
            server.on_new_folder(project_root, builds.watch_new)
            try:
                server.serve()
            except KeyboardInterrupt:
                logging.getLogger("mkdocs").info("Shutting down...")
            finally:
                server.shutdown()
        finally:
            first.plugins.on_shutdown()
            builds.close()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
