"""The LibreOffice processes a test started, found in /proc by their profile."""

from __future__ import annotations

import time
from pathlib import Path


def libreoffice_with(profile: Path | str) -> list[int]:
    """The LibreOffice processes (soffice.bin) running with that profile."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # it ended meanwhile
            continue
        if (
            command[0].endswith(b"soffice.bin")
            and f"-env:UserInstallation=file://{profile}".encode() in command
        ):
            found.append(int(entry.name))
    return found


def until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
