"""A LibreOffice kept running between builds, so that an edit's PDFs do not wait for
LibreOffice to start (of a two-second run for one document, its start is one and a half).

A keeper (docx/libreoffice_keeper.py), started detached by a build, keeps one LibreOffice
running with the profile kept beside the Word documents (site/beside.py), a document open
in it: without one, LibreOffice ends after the first conversion it is handed. A run
given that profile (to_pdf) hands its documents to it through LibreOffice's pipe for the
profile, as a second `soffice` does to a running one, and waits for their PDFs. As
Gradle's daemon does, it ends by itself: when no build has used it for
CIRCULARS_KEEP_LIBREOFFICE minutes (30 unless set; 0 keeps none, and a build starts
its own), when the build folder is deleted, and when the fonts configuration or
LibreOffice changes (its key: the PDF cache's, preview.conversion_key).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..i18n import _
from .libreoffice_keeper import MARK
from .preview import PreviewError, process_running, soffice, soffice_environment

KEEP_VARIABLE = "CIRCULARS_KEEP_LIBREOFFICE"
DEFAULT_MINUTES = 30.0
KEEPER = Path(__file__).with_name("libreoffice_keeper.py")


def kept_minutes() -> float:
    """For how long a LibreOffice no build uses is kept running (0: none is kept)."""
    value = os.environ.get(KEEP_VARIABLE, "").strip()
    if not value:
        return DEFAULT_MINUTES
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not 0 <= minutes < float("inf"):
        raise PreviewError(
            _(
                "{variable}='{value}' is not a number of minutes: set it to how long LibreOffice is "
                "kept running between builds, or to 0 to stop keeping it"
            ).format(variable=KEEP_VARIABLE, value=value)
        )
    return minutes


def keeping() -> bool:
    """Whether builds keep a LibreOffice running (the keeper finds its own through /proc)."""
    return sys.platform.startswith("linux") and soffice() is not None and kept_minutes() > 0


def keep(project_root: Path, profile: Path, key: str, warm: Path | None = None) -> None:
    """The LibreOffice kept with `profile` told it is used now (the idle time starts
    again), or started if none runs with this key (and given `warm`, a Word document,
    to convert first: see the keeper)."""
    found = _keeper(profile)
    if found is not None:
        pid, its_key = found
        if its_key == key:
            used(profile)  # if it ended meanwhile, the next build starts one
            return
        _end(pid)  # other fonts or another LibreOffice: its PDFs would differ
    profile.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # left by a keeper that was killed
        (profile / MARK).unlink()
    arguments = [str(profile.resolve()), repr(kept_minutes()), key, soffice()]
    arguments += [str(warm.resolve())] if warm is not None else []
    subprocess.Popen(
        [sys.executable, "-I", "-S", str(KEEPER), *arguments],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=soffice_environment(project_root),
        start_new_session=True,  # not stopped with the build, nor by a Ctrl-C in its terminal
    )


def used(profile: Path) -> None:
    """The LibreOffice kept with `profile`, if any, told it is used now."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(profile / MARK)


def stop(profile: Path) -> None:
    """The LibreOffice kept with `profile` stopped (a run handed to it failed: the next
    build starts another)."""
    found = _keeper(profile)
    if found is not None:
        _end(found[0])


def _keeper(profile: Path) -> tuple[int, str] | None:
    """The pid and key of the keeper named by the profile's mark, if it runs."""
    try:
        pid, key = (profile / MARK).read_text().split()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if str(KEEPER).encode() in command and str(profile.resolve()).encode() in command:
        return int(pid), key
    return None


def _end(pid: int) -> None:
    """The keeper told to end, and waited for: it stops its LibreOffice first, which must
    be gone before another starts with the same profile."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while process_running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
