"""Reading the project's files without trusting what kind of file they are.

A path under circulars/ may be a symbolic link to /dev/zero, a named pipe, a
folder or a file far too large: reading it blindly would eat memory without
bound or hang forever. Every source file and attachment is opened here, and
only a regular file of a sane size is read; anything else becomes a message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..i18n import _

MAX_YAML_BYTES = 5 * 1024 * 1024
"""The largest YAML file read; the longest real circulars are under 100 KB."""

# Never block on a named pipe swapped in between the stat and the open.
_OPEN_FLAGS = os.O_RDONLY
for _flag in ("O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):
    _OPEN_FLAGS |= getattr(os, _flag, 0)


CACHE_VARIABLE = "CIRCULARS_CACHE"  # a folder for what the tool keeps between runs


def cache_dir() -> Path:
    """Where the tool keeps what it can always make again (jieba's dictionary index,
    compiled templates): $CIRCULARS_CACHE, else the XDG cache, else ~/.cache."""
    chosen = os.environ.get(CACHE_VARIABLE) or os.environ.get("XDG_CACHE_HOME")
    return Path(chosen) / "circulars" if chosen else Path.home() / ".cache" / "circulars"


class FileProblem(Exception):
    """A file that cannot be used; the message follows "file": "is a device, not a regular file"."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor on a regular file (following links), or FileProblem."""
    try:
        # stat first, so that a device is never opened at all
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileProblem(_("not found")) from None
    except OSError as error:
        raise FileProblem(_("is unreadable ({reason})").format(reason=_reason(error))) from None
    if not stat.S_ISREG(mode):
        raise FileProblem(_("is {kind}, not a regular file").format(kind=_kind(mode)))
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise FileProblem(_("is unreadable ({reason})").format(reason=_reason(error))) from None
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):  # replaced since the stat above
        os.close(fd)
        raise FileProblem(_("is {kind}, not a regular file").format(kind=_kind(status.st_mode)))
    return fd, status


def check_readable(path: Path) -> None:
    """Raise FileProblem unless path is a regular file this user can read."""
    fd, _status = open_regular(path)
    os.close(fd)


def read_regular(path: Path, limit: int = MAX_YAML_BYTES, what: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (the limit for `what`), or FileProblem."""
    fd, status = open_regular(path)
    too_large = FileProblem(
        _("is larger than {value} MB, the limit for {what}").format(
            value=limit // (1024 * 1024), what=what or _("a YAML file")
        )
    )
    with os.fdopen(fd, "rb") as file:
        if status.st_size > limit:
            raise too_large
        try:
            data = file.read(limit + 1)  # the size may have grown since the stat
        except OSError as error:
            raise FileProblem(_("is unreadable ({reason})").format(reason=_reason(error))) from None
    if len(data) > limit:
        raise too_large
    return data
