"""The theme's files for the site, listed without walking the theme's dot folders.

MkDocs lists every file of every theme folder (Files.add_files_from_theme), then
leaves out any whose path has a part starting with a dot: Material's 14,000 icons
(templates/.icons) were listed and left out again at every build, a tenth of a
second of a one-circular edit. Here the listing does not enter those folders, and
MkDocs does the rest as before; tests/test_theme_files.py checks that the theme's
files are the same.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from mkdocs.structure.files import Files


class _Listing:
    """A theme's Jinja environment as add_files_from_theme uses it: list_templates as
    jinja2's FileSystemLoader lists, but for the dot folders (whose files MkDocs' filter
    leaves out: it drops '.*' and '*/.*')."""

    def __init__(self, environment) -> None:
        self.loader = environment.loader

    def list_templates(self, filter_func: Callable[[str], bool]) -> list[str]:
        found = set()
        for searchpath in self.loader.searchpath:
            for folder, folders, names in os.walk(searchpath, followlinks=self.loader.followlinks):
                folders[:] = [name for name in folders if not name.startswith(".")]
                for name in names:
                    path = os.path.join(folder, name)[len(searchpath) :].strip(os.path.sep)
                    path = path.replace(os.path.sep, "/")
                    found.add(path[2:] if path[:2] == "./" else path)
        return [path for path in sorted(found) if filter_func(path)]


@contextlib.contextmanager
def theme_files_listed_quickly() -> Iterator[None]:
    """MkDocs' builds in the block list the theme's files without its dot folders."""
    original = Files.add_files_from_theme

    def add_files_from_theme(self, env, config) -> None:
        original(self, _Listing(env), config)

    Files.add_files_from_theme = add_files_from_theme
    try:
        yield
    finally:
        Files.add_files_from_theme = original
