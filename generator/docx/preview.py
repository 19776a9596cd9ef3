"""Previews: built documents converted to PDF (LibreOffice) and PNG (pdftoppm).

Used by `circulars preview`, by the README's page images and by distribution,
which adds a PDF beside each copy when LibreOffice is installed. The fonts
GB/T 9704 names are mapped to free substitutes through templates/fonts.conf, so
a preview on Linux looks like the document on a secretary's Windows machine.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..i18n import _
from ..source.templates import find_template_file

CONVERT_TIMEOUT = 300  # seconds for one LibreOffice run
# Keep the blank pages LibreOffice inserts so that a section starts on an even page
# (the GB/T 9704 版记 page): its PDF export leaves them out unless told.
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


class PreviewError(Exception):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_environment(project_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    with contextlib.suppress(FileNotFoundError):
        # absolute: LibreOffice does not run in our working directory
        env["FONTCONFIG_FILE"] = str(find_template_file(project_root, "fonts.conf").resolve())
    return env


def conversion_key(project_root: Path) -> str:
    """A digest of what a PDF depends on besides its document: the bytes of the
    fonts.conf LibreOffice is given (to_pdf), and LibreOffice's versionrc, which
    names its build (read beside the program: asking soffice takes seconds)."""
    digest = hashlib.sha256()
    for path in (_fonts_conf(project_root), versionrc()):
        try:
            digest.update(path.read_bytes() if path else b"none")
        except OSError as error:
            digest.update(f"unreadable: {error.strerror}".encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _fonts_conf(project_root: Path) -> Path | None:
    try:
        return find_template_file(project_root, "fonts.conf")
    except FileNotFoundError:
        return None


def versionrc() -> Path | None:
    """LibreOffice's versionrc, beside the program: it names LibreOffice's build."""
    program = soffice()
    return Path(os.path.realpath(program)).parent / "versionrc" if program else None


def to_pdf(
    documents: list[Path],
    out_dir: Path,
    project_root: Path,
    timeout: float = CONVERT_TIMEOUT,
    profile: Path | None = None,
) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice run; returns the PDFs. The run has a
    private profile (runs in parallel never wait on each other's lock): a new one, or
    `profile`, a folder reused by the runs one after another of the same worker, which
    start a second or two sooner than with a profile LibreOffice must first make."""
    program = soffice()
    if program is None:
        raise PreviewError(
            _("LibreOffice is not installed (no 'soffice' command); install libreoffice-writer")
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with _profile(profile) as profile:
        command = [
            program,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(out_dir),
            *map(str, documents),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=soffice_environment(project_root),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise PreviewError(
                _("LibreOffice did not finish within {timeout:.0f} s").format(timeout=timeout)
            ) from None
    pdfs = [out_dir / f"{document.stem}.pdf" for document in documents]
    missing = [pdf.name for pdf in pdfs if not pdf.exists()]
    if done.returncode != 0 or missing:
        raise PreviewError(
            _("LibreOffice could not convert {value}: {stderr}").format(
                value=", ".join(missing) or _("the documents"), stderr=done.stderr.strip()
            )
        )
    return pdfs


@contextlib.contextmanager
def started_ahead(project_root: Path, profile: Path):
    """LibreOffice started now with `profile`, to convert documents not written yet: of a
    run of two seconds for a document or two, one and a half is LibreOffice starting.
    The run given that profile next (to_pdf) hands its documents to it through
    LibreOffice's pipe for the profile (as a second `soffice` does to a running one)
    and waits for their PDFs; LibreOffice ends after that conversion. It is stopped
    when the block ends, and if this process is killed (Linux's parent-death signal:
    elsewhere it is not started)."""
    program = soffice()
    if program is None or not sys.platform.startswith("linux"):
        yield
        return
    process = subprocess.Popen(
        [program, f"-env:UserInstallation=file://{profile.resolve()}", "--headless", "--norestore"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=soffice_environment(project_root),
        preexec_fn=_dying_with_parent(),
    )
    try:
        yield
    finally:
        started = _children(process.pid)  # LibreOffice itself (soffice.bin), under its launcher
        process.terminate()  # its launcher stops LibreOffice with it
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in started:  # ... but one was seen to outlive it
            _end(pid)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def _end(pid: int) -> None:
    """Stop a process that is not our child: SIGTERM, and SIGKILL after ten seconds."""
    deadline = time.monotonic() + 10
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        while process_running(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.02)


def process_running(pid: int) -> bool:
    """Whether it runs (an orphan that ended is a zombie until init reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _dying_with_parent():
    """What the child runs before LibreOffice: PR_SET_PDEATHSIG, since a LibreOffice
    without documents would outlive a killed build forever (the signal follows the
    thread that started it: the CLI's main thread). prctl is looked up here, in the
    parent: a child forked from threads should only call it."""
    prctl = ctypes.CDLL(None).prctl
    return lambda: prctl(1, signal.SIGTERM)


@contextlib.contextmanager
def _profile(reused: Path | None):
    if reused is not None:
        yield str(reused.resolve())
        return
    with tempfile.TemporaryDirectory(prefix="circulars-soffice-") as profile:
        yield profile


def to_png(pdf: Path, out_prefix: Path, first: int = 1, last: int = 1, dpi: int = 60) -> list[Path]:
    """Render pages of a PDF to PNG files named <prefix>-<page>.png."""
    if shutil.which("pdftoppm") is None:
        raise PreviewError(_("pdftoppm is not installed; install poppler-utils"))
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf), str(out_prefix)],
        check=True,
        capture_output=True,
        timeout=CONVERT_TIMEOUT,
    )
    pages = []
    for page in range(first, last + 1):
        # pdftoppm pads page numbers to the width of the page count: -1, -01 or -001
        for padded in (f"{page}", f"{page:02d}", f"{page:03d}"):
            made = out_prefix.parent / f"{out_prefix.name}-{padded}.png"
            if made.exists():
                target = out_prefix.parent / f"{out_prefix.name}-{page}.png"
                made.replace(target)
                pages.append(target)
                break
    return pages
