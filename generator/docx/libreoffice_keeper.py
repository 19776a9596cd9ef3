"""Keeps one LibreOffice running with a build's profile until it has not been used for a
while (docx/resident.py starts it, detached: it outlives the build that started it).

Run as `python -I -S libreoffice_keeper.py PROFILE MINUTES KEY SOFFICE [DOCUMENT]`: the
standard library only, since it runs for half an hour beside builds of other versions.
Once LibreOffice runs, it converts DOCUMENT (a Word document the build wrote) to PDF
through it and throws the PDF away: LibreOffice loads its Word import and PDF export
on its first conversion, which would otherwise be the next build's. It holds
the mark file in the profile ("<its pid> <key>"), whose modification time is the last
use; it stops LibreOffice and itself when that is MINUTES ago, when the mark is gone
(the build folder was deleted) or names another keeper, when LibreOffice ends, and on
SIGTERM or SIGHUP.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARK = "circulars-kept"
# LibreOffice without a document ends after the first conversion handed to it: this one
# stays open in it (LibreOffice names the lock file it keeps beside it .~lock.NAME#)
OPEN = "circulars-kept-open.txt"
STARTING = 5  # seconds LibreOffice is given to start before the first conversion is handed to it


def main(profile: Path, minutes: float, key: str, program: str, document: str | None = None) -> None:
    mark = profile / MARK
    try:  # one keeper per profile: the first to make the mark
        descriptor = os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return
    ours = f"{os.getpid()} {key}\n"
    os.write(descriptor, ours.encode())
    os.close(descriptor)
    opened = profile / OPEN
    opened.write_text("Kept open by Circulars, so that LibreOffice keeps running between builds.\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
    office = subprocess.Popen(
        [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", str(opened)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its launcher and LibreOffice itself, stopped together
        preexec_fn=_dying_with_keeper(),
    )
    idle = minutes * 60
    step = min(5.0, idle / 10)
    try:
        if document is not None:
            _warm(office, profile, program, document)
        while office.poll() is None:
            time.sleep(step)
            try:
                if mark.read_text() != ours or time.time() - mark.stat().st_mtime > idle:
                    break
            except OSError:
                break
    finally:
        _stop(office)
        try:
            if mark.read_text() == ours:
                mark.unlink()
        except OSError:
            pass


def _warm(office: subprocess.Popen, profile: Path, program: str, document: str) -> None:
    """A first conversion handed to LibreOffice once it has started, its PDF thrown away."""
    time.sleep(STARTING)
    if office.poll() is not None:
        return
    with tempfile.TemporaryDirectory(prefix="circulars-warm-") as out:
        command = [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        command += ["--convert-to", "pdf", "--outdir", out, document]
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False)


def _dying_with_keeper():
    """PR_SET_PDEATHSIG for the launcher: a keeper killed outright (SIGKILL runs none of
    its code) would leave LibreOffice running with a document open, for ever."""
    prctl = ctypes.CDLL(None).prctl
    return lambda: prctl(1, signal.SIGTERM)


def _stop(office: subprocess.Popen) -> None:
    """SIGTERM to LibreOffice's launcher and LibreOffice itself (a session of their own),
    SIGKILL after ten seconds."""
    deadline = time.monotonic() + 10
    sent = signal.SIGTERM
    while time.monotonic() < deadline + 2:
        try:
            os.killpg(office.pid, sent)
        except ProcessLookupError:
            return
        office.poll()  # the launcher reaped: as a zombie it would still be in the group
        sent = signal.SIGKILL if time.monotonic() > deadline else 0
        time.sleep(0.1)


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], *sys.argv[5:6])
