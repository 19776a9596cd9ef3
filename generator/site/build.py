"""`circulars build` and `circulars serve`, the site part: MkDocs driven from our CLI.

The site is built into a fresh folder and swapped into place only when the
build succeeds, so a failed build never leaves a half-empty site where a good
one was. The Word documents `circulars build` has just written are handed to
the plugin, so nothing is rendered twice.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from ..docx.build import BuildResult
from ..source.project import Project

CONFIG_FILE = "mkdocs.yml"


class SiteError(Exception):
    pass


def _quiet_libraries() -> None:
    # jieba announces its dictionary on every build; MkDocs' INFO lines are noise here
    try:
        import jieba
    except ImportError:  # search still works, without Chinese segmentation
        pass
    else:
        jieba.setLogLevel(logging.WARNING)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _config(project_root: Path, site_dir: Path, site_url: str | None, drafts: bool, strict: bool):
    overrides = {"site_dir": str(site_dir), "strict": strict}
    if site_url:
        overrides["site_url"] = site_url
    try:
        config = load_config(config_file=str(project_root / CONFIG_FILE), **overrides)
    except MkDocsException as error:
        raise SiteError(f"{CONFIG_FILE}: {error}") from None
    plugin = config.plugins.get("circulars")
    if plugin is None:
        raise SiteError(f"{CONFIG_FILE} does not use the 'circulars' plugin (add it under plugins:)")
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
) -> BuildResult:
    """Build the Word documents into docx_dir and the site into site_dir,
    replacing the site that was there only on success."""
    _quiet_libraries()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    staging.chmod(0o755)  # a web server must be able to read it
    try:
        config, plugin = _config(project.root, staging, site_url, drafts, strict)
        plugin.project = project
        plugin.config.docx_dir = str(docx_dir)
        plugin.config.jobs = jobs
        try:
            build(config)
        except MkDocsException as error:
            raise SiteError(str(error)) from None
        finally:
            if plugin.documents is not None and plugin.result is None:
                plugin.documents.finish()  # the build stopped early: let the writers finish
        old = site_dir.with_name(f".{site_dir.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if site_dir.exists():
            site_dir.rename(old)
        staging.rename(site_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return plugin.result


def serve_site(project_root: Path, dev_addr: str, drafts: bool) -> None:
    """`mkdocs serve` on the project; reloads the browser when YAML or templates change."""
    from mkdocs.commands.serve import serve

    _quiet_libraries()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)  # says where to open it
    if drafts:
        os.environ["CIRCULARS_DRAFTS"] = "1"
    try:
        serve(config_file=str(project_root / CONFIG_FILE), dev_addr=dev_addr, livereload=True)
    except MkDocsException as error:
        raise SiteError(str(error)) from None
