"""What a build keeps beside its output folders for the next one, found by name before
the build's own modules load (they take half a second to import): the record of what
it read and wrote, what the next build starts from, and LibreOffice's profile.

The profile is that of the first LibreOffice run of each conversion (site/pdfs.py),
kept from build to build: LibreOffice starts sooner with a profile it made before
(a new one, it starts twice), and a build on a kept site starts LibreOffice with it
while it reads the project (`libreoffice_ahead`), so that the run converting the
edited documents finds it running and hands them to it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..docx.preview import started_ahead


def state_path(site_dir: Path) -> Path:
    return site_dir.with_name(f".{site_dir.name}.inputs")


def kept_path(site_dir: Path) -> Path:
    """What the next build starts from (megabytes at 1,000 circulars: the pages' search
    entries), apart, so that the look for a change does not read it."""
    return site_dir.with_name(f".{site_dir.name}.kept")


def libreoffice_profile(docx_dir: Path) -> Path:
    return docx_dir.with_name(f".{docx_dir.name}.libreoffice")


def libreoffice_ahead(root: Path, out_dir: Path):
    """LibreOffice started now, before the look for a change, if the last build finished
    and converted PDFs (with the kept profile): of a build on a kept site that converts
    the document or two that changed, LibreOffice's start was the longest wait. When
    the look finds nothing changed, it is stopped unused."""
    profile = libreoffice_profile(out_dir / "docx")
    if state_path(out_dir / "site").is_file() and profile.is_dir():
        return started_ahead(root, profile)
    return contextlib.nullcontext()
