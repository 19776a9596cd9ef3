"""What every command shares: the project it runs on, reporting problems, exit codes.

Loading (pydantic, YAML) is imported when a command loads a project, so that
`circulars --help` does not pay for it: for start-up time only, not for a cycle.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from ..source.diagnostics import ERROR, Diagnostic, Diagnostics
from ..source.names import DATA_DIR, REGISTRY_FILES

if TYPE_CHECKING:
    from ..source.model import Circular
    from ..source.project import Project
    from ..source.registry import Registry

EXIT_INVALID = 1

# Set to 1, a command prints where its time went (bench/bench_build.py reads it).
TIMINGS_VARIABLE = "CIRCULARS_TIMINGS"


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a circulars/ folder."""
    for folder in [start, *start.parents]:
        if (folder / DATA_DIR).is_dir():
            return folder
    return start


class Context:
    def __init__(self, root: Path):
        self.root = root

    def load(self, extra_files: list[Path] = ()) -> Project:
        # lazily: see the module's docstring
        from ..source.loading import StoredReads, load_project

        # The modules a command imports and the project it loads live until it
        # exits: the collector's passes over them (three full ones in a build of
        # 120 documents, a tenth of its time) free nothing. It is off while the
        # project loads, and what is loaded then leaves its sight.
        gc.freeze()
        gc.disable()
        try:
            project = load_project(self.root, list(extra_files), StoredReads())
        finally:
            gc.enable()
        gc.freeze()
        return project


def report(diagnostics: Diagnostics, root: Path, only: list[Path] | None = None) -> tuple[int, int]:
    """Print diagnostics (for `only` paths, if given); return (errors, warnings)."""
    shown = diagnostics.sorted()
    if only:
        wanted = [p.resolve() for p in only]

        def named(path: Path | None) -> bool:
            return path is not None and any(path == w or w in path.parents for w in wanted)

        kept = {
            d
            for d in diagnostics.items
            if (d.path.parent == root / DATA_DIR and d.path.name in REGISTRY_FILES)
            or named(d.path)
            or named(d.origin)
        }
        shown = sorted(kept, key=Diagnostic.sort_key)
    for d in shown:
        click.echo(d.format(root))
    errors = sum(d.severity == ERROR for d in shown)
    return errors, len(shown) - errors


def selected_circulars(project: Project, ids: tuple[str, ...]) -> list[Circular]:
    """The circulars named on the command line (all when none is); an unknown id is a usage error."""
    known = {c.id: c for c in project.circulars}
    for circular_id in ids:
        if circular_id not in known:
            raise click.BadParameter(_("no circular '{id}'").format(id=circular_id), param_hint="ID")
    return [known[i] for i in ids] if ids else sorted(known.values(), key=lambda c: c.id)


def in_project(root: Path, path: Path) -> Path:
    """An output folder given on the command line, relative to the project folder."""
    return path if path.is_absolute() else root / path


def fail_on_errors(project: Project, warnings: bool = False) -> None:
    """For commands that need a valid project: show what is wrong and exit 1; with
    `warnings`, show the check's warnings too (the command goes on)."""
    if warnings:
        for d in project.diagnostics.warnings:
            click.echo(d.format(project.root), err=True)
    if project.diagnostics.has_errors():
        for d in project.diagnostics.errors:
            click.echo(d.format(project.root), err=True)
        count = len(project.diagnostics.errors)
        click.echo(
            ngettext("{count} error; nothing done", "{count} errors; nothing done", count).format(
                count=count
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)


def printable(path: Path) -> str:
    """A file name as given, fit to print and to record: bytes that are not UTF-8 (a
    file unzipped from a Windows archive) are shown as \\xNN, not left as surrogates
    that no terminal or YAML file can take."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def shown_path(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def report_timings(seconds: dict[str, float]) -> None:
    """With CIRCULARS_TIMINGS=1, one line on stderr: `timings: {"load": 0.41, ...}` in seconds."""
    if os.environ.get(TIMINGS_VARIABLE) == "1":
        click.echo(f"timings: {json.dumps({k: round(v, 4) for k, v in seconds.items()})}", err=True)


def organization_id(registry: Registry, text: str, option: str) -> str:
    """The organization an option names, by id or by a name the registry knows (full or
    short, either language: it says which id it took); else a usage error with a hint."""
    from ..source.registry_names import closest_organization, organizations_named  # lazily, as load

    if text in registry.organizations:
        return text
    named = organizations_named(registry, text)
    if len(named) == 1:
        click.echo(_("{option}: {name} is {id}").format(option=option, name=text, id=named[0]), err=True)
        return named[0]
    if named:
        message = _("'{name}' is the name of {ids}: give the id of the one you mean")
        raise click.BadParameter(message.format(name=text, ids=", ".join(named)), param_hint=option)
    closest = closest_organization(registry, text)
    if closest:
        message = _("unknown organization '{name}' (did you mean '{id}'?)").format(name=text, id=closest)
    else:
        message = _("unknown organization '{name}': `circulars registry organizations` lists them").format(
            name=text
        )
    raise click.BadParameter(message, param_hint=option)


def named_or_given(registry: Registry, text: str, option: str) -> str:
    """For filters and records that may hold ids the registry no longer has: the id of the
    organization `text` names (saying so, as organization_id does), else `text` as given."""
    from ..source.registry_names import organizations_named  # lazily, as load

    if text in registry.organizations or not organizations_named(registry, text):
        return text
    return organization_id(registry, text, option)
