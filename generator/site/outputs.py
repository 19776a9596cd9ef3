"""Where a build may write, and what it may delete.

A build replaces its site folder wholesale, so it must never be pointed at
the project's sources: an output folder that is, contains or lies inside
circulars/, templates/ or the site's hand-written pages (mkdocs' docs_dir),
or that is or contains the project folder itself, is refused.

A site folder the build made holds a marker file (MARKER). A build replaces
only a folder that has it, or an empty one; a folder with anything else in it
is someone's, and is left alone with a message. While a build of a site
folder runs, it holds a lock file beside it; holding it, the build removes the
staging folders that killed builds left behind (`.site-*` with the marker:
nothing else is ever removed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..i18n import _
from ..source.kept_editions import EDITIONS_DIR
from ..source.project import DATA_DIR, Project
from ..source.templates import TEMPLATES_DIR

try:
    import fcntl
except ImportError:  # Windows: builds are not locked, staging folders are not collected
    fcntl = None

CONFIG_FILE = "mkdocs.yml"
MARKER = ".circulars-site"
_MARKER_TEXT = "Made by `circulars build`: the next build replaces this folder.\n"


class SiteError(Exception):
    """The site could not be built: its configuration, or its folder."""


class UnsafeOutput(Exception):
    """An output folder that would overwrite the sources or someone else's files."""


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() or "." if path.is_relative_to(root) else str(path)


def source_folders(root: Path, docs_dir: Path | None) -> list[tuple[Path, str]]:
    """The project's hand-written folders, with how to name them in a message."""
    root = Path(root).resolve()
    folders = [
        (root / DATA_DIR, _("{folder}/ (the circulars and the registry)").format(folder=DATA_DIR)),
        (root / TEMPLATES_DIR, _("{folder}/ (the templates)").format(folder=TEMPLATES_DIR)),
        (root / EDITIONS_DIR, _("{folder}/ (the circulars' earlier editions)").format(folder=EDITIONS_DIR)),
    ]
    if docs_dir is not None:
        docs = Path(docs_dir).resolve()
        pages = _("{folder}/ (the site's own pages, docs_dir in mkdocs.yml)").format(
            folder=_shown(docs, root)
        )
        folders.append((docs, pages))
    return folders


def docs_dir(project_root: Path) -> Path | None:
    """The site's hand-written pages (docs_dir), if the project has a site.

    Read with MkDocs' own YAML loader (its !ENV tags, INHERIT) and resolved as
    MkDocs resolves it, beside mkdocs.yml; the rest of the configuration is not
    validated here: that imports the theme and every plugin, 0.25 s that
    `circulars build ID` spends on nothing else."""
    config_file = project_root / CONFIG_FILE
    if not config_file.exists():
        return None
    from mkdocs.exceptions import MkDocsException
    from mkdocs.utils.yaml import yaml_load

    default = project_root / "docs"  # MkDocs' default; the site build reports a broken file
    try:
        with open(config_file, "rb") as source:
            config = yaml_load(source)
    except (MkDocsException, OSError, ValueError, TypeError):  # TypeError: INHERIT that is not a path
        return default
    value = config.get("docs_dir", "docs") if isinstance(config, dict) else None
    if not isinstance(value, str):
        return default
    return Path(os.path.abspath(os.path.join(project_root, value)))


def check_build_output(project: Project, out_dir: Path, docx_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder (or a folder for the documents or the site in it) that is,
    holds or lies inside the project's sources."""
    pages = docs_dir(project.root)
    for folder, what in (
        (out_dir, _("build output")),
        (docx_dir, _("Word documents")),
        (site_dir, _("site")),
    ):
        check_output(folder, project.root, pages, what)


def check_output(folder: Path, root: Path, docs_dir: Path | None, what: str) -> None:
    """Refuse an output folder that would overwrite or delete the project's sources."""
    folder, root = Path(folder).resolve(), Path(root).resolve()
    shown = _shown(folder, root)
    problem = None
    if folder == root:
        problem = _("it is the project folder itself")
    elif root.is_relative_to(folder):
        problem = _("it contains the project folder {root}").format(root=root)
    else:
        for source, name in source_folders(root, docs_dir):
            if folder == source:
                problem = _("it is {name}").format(name=name)
            elif folder.is_relative_to(source):
                problem = _("it lies inside {name}").format(name=name)
            elif source.is_relative_to(folder):
                problem = _("it contains {name}").format(name=name)
            if problem:
                break
    if problem:
        raise UnsafeOutput(
            _(
                "cannot write the {what} into {shown}/: {problem}, and writing there would overwrite or "
                "delete the sources. Choose a folder of its own (the default is build/)."
            ).format(what=what, shown=shown, problem=problem)
        )


def check_replaceable(site_dir: Path, root: Path, ignore_hidden: bool = False) -> None:
    """Refuse to replace a folder that a build did not make and that is not empty."""
    site_dir = Path(site_dir)
    shown = _shown(site_dir.resolve(), Path(root).resolve())
    if site_dir.is_symlink() or (site_dir.exists() and not site_dir.is_dir()):
        raise UnsafeOutput(_("cannot build the site into {shown}: it is not a folder").format(shown=shown))
    if not site_dir.exists() or (site_dir / MARKER).is_file():
        return
    entries = [e for e in os.listdir(site_dir) if not (ignore_hidden and e.startswith("."))]
    if entries:
        raise UnsafeOutput(
            _(
                "cannot build the site into {shown}/: it holds files that a build did not make (there is no "
                "{marker} in it), and building would delete them. Move them away, or choose another folder."
            ).format(shown=shown, marker=MARKER)
        )


def mark(site_dir: Path) -> None:
    """Mark a folder as made by a build (and so replaceable by the next one). A marker
    there is removed first: it may be a hard link to the published site's (build.py)."""
    (Path(site_dir) / MARKER).unlink(missing_ok=True)
    (Path(site_dir) / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def is_ours(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def remove_ours(folder: Path) -> None:
    """Remove a folder a build made; anything else stays."""
    if is_ours(folder):
        shutil.rmtree(folder, ignore_errors=True)


# The marker goes last: a removal killed part-way leaves a folder still ours, which the
# next build clears (`building`).
_REMOVING = """
import os, shutil, sys
top, marker = sys.argv[1], sys.argv[2]
for entry in os.scandir(top):
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=True)
    elif entry.name != marker:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
try:
    os.unlink(os.path.join(top, marker))
    os.rmdir(top)
except OSError:
    pass
"""


def remove_ours_later(folder: Path, gone: Path) -> None:
    """Remove a folder a build made, after this command: moved to `gone` (a name the next
    build clears if it is still there), then removed by a process of its own. Removing
    the old site (thousands of files) was a sixth of a second of every build."""
    if not is_ours(folder):
        return
    try:
        folder.rename(gone)
        subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _REMOVING, str(gone), MARKER],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        remove_ours(folder if folder.exists() else gone)


class SiteBusy(UnsafeOutput):
    """Another build is writing the same site folder."""


@contextmanager
def building(site_dir: Path, root: Path) -> Iterator[None]:
    """Hold the site folder's lock for a build, and clear what killed builds left."""
    parent = Path(site_dir).parent
    parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    lock_path = parent / f".{Path(site_dir).name}.lock"
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            shown = _shown(Path(site_dir).resolve(), Path(root).resolve())
            raise SiteBusy(
                _("another build is writing {shown}/ right now; run this one when it has finished").format(
                    shown=shown
                )
            ) from None
        try:
            # no other build holds the lock: any staging folder here is a dead one's
            for entry in parent.glob(f".{Path(site_dir).name}-*"):
                remove_ours(entry)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
