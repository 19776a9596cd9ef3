"""Whether a site build would make what is already there: `circulars build` with
nothing changed costs only the look at what it reads and writes.

After a build that succeeded, a state file beside the site folder
(`.site.inputs`, beside the lock file; `.site.kept` holds what the next build
starts from) records what the build read and wrote:
the name, size, modification time and inode of every file under circulars/,
the templates (the project's and the built-in ones), returns/, editions/ (the
earlier editions whose changes the pages show), the site's own pages
(docs_dir), mkdocs.yml and what it names (INHERIT, the theme's custom_dir),
LibreOffice's versionrc (its build), and every file of the site folder and of
the Word documents' folder (so that a file deleted or altered there is made
again; the tables and attachments a circular names are under circulars/); also
the generator's code and the versions of MkDocs, its theme and plugins; the
options of the build; the date the tracker counts overdue against; and the
environment variables a build reads. When all of it is as recorded, the build
stops there and reports what the recorded build reported; `circulars build` looks
before it reads the project (`unchanged_build`), so that this costs the look
alone, and the state keeps the project's warnings, worded in the language they
were shown in, for it to show them again. Anything else, and
the build runs (the state file is removed first, so that a build killed
part-way is never taken for a finished one); it starts from what the last
build kept (live.py) if that build ran with the same settings and its site is
as it left it, and then writes only what changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from ..docx.build import BuildResult, write_atomically
from ..docx.preview import versionrc
from ..i18n import current_language
from ..source.code_version import LOADED_CODE
from ..source.kept_editions import EDITIONS_DIR
from ..source.names import DATA_DIR
from ..source.returns import RETURNS_DIR
from ..source.templates import template_dirs
from .beside import kept_path, state_path
from .outputs import CONFIG_FILE, SiteBusy, UnsafeOutput, building, check_output, docs_dir

FORMAT = 3  # 2: the kept state named by its digest; 3: pickled, the search's pages set apart
# What a build reads from its environment besides the files (CIRCULARS_TODAY: the date
# the tracker counts against; the PDF cache; the fonts LibreOffice is given).
ENVIRONMENT = ("CIRCULARS_TODAY", "CIRCULARS_PDF_CACHE", "CIRCULARS_CACHE", "FONTCONFIG_FILE", "PATH")
DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "jinja2")


def _versions() -> list[str]:
    found = []
    for name in DISTRIBUTIONS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} none")
    return found


def _walk(folder: Path, into: list[str]) -> None:
    """Each file under folder (the folder itself if it is a file), as name, size,
    modification time and inode; a missing folder as missing."""
    try:
        top = os.stat(folder)
    except OSError:
        into.append(f"{folder}\0missing")
        return
    if not os.path.isdir(folder):
        into.append(f"{folder}\0{top.st_size}\0{top.st_mtime_ns}\0{top.st_ino}")
        return
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        into.append(f"{current}/")
        for name in sorted(files):
            path = os.path.join(current, name)
            try:
                stat = os.stat(path)
            except OSError:
                into.append(f"{path}\0unreadable")
                continue
            into.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}")


def _digest(entries: list[str]) -> str:
    return hashlib.sha256("\n".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class BuildInputs:
    """What a site build reads and writes, and the options it runs with."""

    project_root: Path
    site_dir: Path
    docx_dir: Path
    options: dict
    # the site folder's files, walked once between two changes a build makes (see forget)
    _site_files: list[str] | None = field(default=None, init=False, repr=False)

    def read_folders(self) -> list[Path]:
        root = self.project_root
        folders = [root / DATA_DIR, *template_dirs(root), root / RETURNS_DIR, root / EDITIONS_DIR]
        folders.append(root / CONFIG_FILE)
        libreoffice = versionrc()  # upgraded, it makes other PDFs (their cache's key has it)
        if libreoffice is not None:
            folders.append(libreoffice)
        pages = docs_dir(root)
        if pages is not None:
            folders.append(pages)
        return folders + _configured(root / CONFIG_FILE)

    def settings(self) -> list[str]:
        """What the build runs with: the code, the versions, the options, the environment."""
        return [
            f"format {FORMAT}",
            f"code {LOADED_CODE}",
            *_versions(),
            json.dumps(self.options, sort_keys=True),
            *(f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT),
        ]

    def digest(self) -> str:
        """The digest of everything recorded."""
        entries = [*self.settings(), f"today {datetime.date.today().isoformat()}"]
        for folder in self.read_folders():
            _walk(folder, entries)
        entries += self._site_entries()
        _walk(self.docx_dir, entries)
        return _digest(entries)

    def site_digest(self) -> str:
        """The digest of the settings and of the site folder as the build left it."""
        return _digest([*self.settings(), *self._site_entries()])

    def _site_entries(self) -> list[str]:
        if self._site_files is None:
            self._site_files = []
            _walk(self.site_dir, self._site_files)
        return self._site_files

    def kept_site(self) -> dict | None:
        """What the last build kept for the next (live.py's LiveSite.state), if it ran with
        the same settings and its site is as it left it: the next build then writes only
        what changed."""
        try:
            state = json.loads(state_path(self.site_dir).read_bytes())
            if state.get("format") != FORMAT or state.get("site") != self.site_digest():
                return None
            kept = kept_path(self.site_dir).read_bytes()
            if hashlib.sha256(kept).hexdigest() != state["kept"]:  # of another build
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        try:
            live = pickle.loads(kept)
        except Exception:  # any error unpickling (the digest matched: a bug), build from scratch
            return None
        return live if isinstance(live, dict) else None

    def recorded(self) -> BuildResult | None:
        """What a finished build reported, if nothing it read or wrote changed since."""
        found = self._recorded()
        return found[0] if found else None

    def _recorded(self) -> tuple[BuildResult, dict] | None:
        try:
            state = json.loads(state_path(self.site_dir).read_bytes())
            if state.get("format") != FORMAT or state.get("digest") != self.digest():
                return None
            result = BuildResult(
                warnings=list(state["warnings"]),
                up_to_date=int(state["documents"]),
                drafts_left_off=list(state["drafts_left_off"]),
                site_unchanged=True,
            )
        except (OSError, ValueError, KeyError, TypeError):  # none, or damaged: build
            return None
        return result, state

    def forget(self) -> None:
        """Before a build writes anything: a build killed part-way leaves no state (and the
        site folder is walked again once it is built)."""
        state_path(self.site_dir).unlink(missing_ok=True)
        self._site_files = None

    def keep(self, live: dict) -> str:
        """What the next build starts from (live), written as soon as it is known (while the
        search is indexed); its digest, for `record` to pair the state with it."""
        # pickled: at 1,000 circulars, 17 MB (each page's search text), five times as fast
        # to write and to read as JSON, and written by this tool beside its site
        kept = pickle.dumps(live, protocol=5)
        write_atomically(kept_path(self.site_dir), kept)
        return hashlib.sha256(kept).hexdigest()

    def record(self, result: BuildResult, kept: str, checked: list[str]) -> None:
        """After a build that succeeded: what it read and wrote, what it reported (and
        the check of the project before it, `checked`), and the digest of what it kept
        for the next (`keep`)."""
        state = {
            "format": FORMAT,
            "digest": self.digest(),
            "site": self.site_digest(),
            "kept": kept,
            "warnings": result.warnings,
            "checked": checked,
            "language": current_language(),
            "documents": len(result.documents),
            "drafts_left_off": result.drafts_left_off,
        }
        write_atomically(state_path(self.site_dir), json.dumps(state, ensure_ascii=False).encode("utf-8"))


def build_options(site_url: str | None, drafts: bool, strict: bool) -> dict:
    """The options of `circulars build` that change the site (recorded with it)."""
    return {"site_url": site_url, "drafts": drafts, "strict": strict}


def unchanged_build(root: Path, out_dir: Path, options: dict) -> tuple[list[str], BuildResult] | None:
    """Before the project is read: what the last build of out_dir reported (the project
    check's warnings, then its result), if it built the site with these options and
    nothing it read or wrote changed since; else None, and the build runs (it reports
    an output folder it refuses, a broken mkdocs.yml, a busy lock, a folder it cannot
    write to)."""
    site_dir, docx_dir = out_dir / "site", out_dir / "docx"
    if not (root / CONFIG_FILE).is_file() or not state_path(site_dir).is_file():
        return None
    pages = docs_dir(root)
    try:
        for folder in (out_dir, docx_dir, site_dir):
            check_output(folder, root, pages, "")
        with building(site_dir, root):  # busy: the build says another one is writing
            found = BuildInputs(root, site_dir, docx_dir, options)._recorded()
    except (UnsafeOutput, SiteBusy, OSError):  # OSError: no lock file can be made there
        return None
    if found is None:
        return None
    result, state = found
    checked = state.get("checked")
    if state.get("language") != current_language() or not isinstance(checked, list):
        return None  # its warnings were worded for another reader
    return [str(line) for line in checked], result


def _configured(config_file: Path) -> list[Path]:
    """What mkdocs.yml names besides docs_dir: the file it INHERITs and the theme's
    custom_dir (read as text and YAML: loading the configuration imports every plugin)."""
    try:
        text = config_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    named = [match.group(1).strip("'\"") for match in re.finditer(r"^INHERIT:\s*(\S+)", text, re.M)]
    try:
        theme = (yaml.load(text, Loader=_Lenient) or {}).get("theme")
    except (yaml.YAMLError, AttributeError):
        theme = None
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        named.append(theme["custom_dir"])
    return [config_file.parent / name for name in named]


class _Lenient(yaml.SafeLoader):
    """YAML with MkDocs' tags (!ENV, !relative, Python names) read as nothing."""


_Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
