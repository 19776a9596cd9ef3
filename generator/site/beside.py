"""What a build keeps beside its output folders for the next one, found by name before
the build's own modules load (they take half a second to import): the record of what
it read and wrote, what the next build starts from, and LibreOffice's profile.

The profile is that of the first LibreOffice run of each conversion (site/pdfs.py),
kept from build to build: LibreOffice starts sooner with a profile it made before
(a new one, it starts twice). A LibreOffice is kept running with it between builds
(docx/resident.py), so that the run converting an edit's documents hands them to it;
where none is kept, a build on a kept site starts one while it reads the project.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..docx.preview import conversion_key, started_ahead
from ..docx.resident import keep, keeping, stop


def state_path(site_dir: Path) -> Path:
    return site_dir.with_name(f".{site_dir.name}.inputs")


def kept_path(site_dir: Path) -> Path:
    """What the next build starts from (megabytes at 1,000 circulars: the pages' search
    entries), apart, so that the look for a change does not read it."""
    return site_dir.with_name(f".{site_dir.name}.kept")


def libreoffice_profile(docx_dir: Path) -> Path:
    return docx_dir.with_name(f".{docx_dir.name}.libreoffice")


def libreoffice_ahead(root: Path, out_dir: Path):
    """LibreOffice made ready now, before the look for a change, if the last build
    finished and converted PDFs (with the kept profile): of a build on a kept site that
    converts the document or two that changed, LibreOffice's start was the longest wait.
    The one kept running is told it is used (or started, to be kept); where none is
    kept, one is started for this build, and stopped unused if nothing changed."""
    profile = libreoffice_profile(out_dir / "docx")
    if not (state_path(out_dir / "site").is_file() and profile.is_dir()):
        return contextlib.nullcontext()
    if keeping():
        keep(root, profile, conversion_key(root))
        return contextlib.nullcontext()
    stop(profile)  # one kept before CIRCULARS_KEEP_LIBREOFFICE=0 was set
    return started_ahead(root, profile)


def keep_libreoffice(root: Path, out_dir: Path) -> None:
    """After a build that converted PDFs, a LibreOffice kept running for the next one
    (started, if none runs: a first build converts with LibreOffices of its own), and
    warmed with one of the Word documents."""
    profile = libreoffice_profile(out_dir / "docx")
    if profile.is_dir() and keeping():
        keep(root, profile, conversion_key(root), next((out_dir / "docx").glob("*.docx"), None))
