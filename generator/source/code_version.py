"""What the generator's output depends on besides its sources, as digests: the
generator's own code and the libraries it runs on (LOADED_CODE), and folders and files
by their bytes. Built documents (docx/build_record.py), the look for a change
(site/unchanged.py) and the stored reads of circular files (loading.py) are named by
them, so that a new version of the generator makes them again."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
import zlib
from pathlib import Path

# Libraries whose versions can change a document's bytes (parsing, templates,
# Markdown, XML, title breaks, spreadsheets); "circulars" is the package itself.
LIBRARIES = (
    "circulars",
    "jieba",
    "jinja2",
    "lxml",
    "markdown",
    "markupsafe",
    "openpyxl",
    "pydantic",
    "pydantic-core",
    "pyyaml",
)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def folder_digest(digest, folder: Path, skip_suffix: str | None = None) -> None:
    """Every file under folder (links followed once), by relative path and bytes."""
    seen = set()
    for current, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyc") or (skip_suffix and name.endswith(skip_suffix)):
                continue
            path = Path(current) / name
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(bytes_digest(path).encode())


def bytes_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:  # the build reports it; here it only has to differ
        return f"unreadable: {error.strerror}"


def code_digest() -> str:
    digest = hashlib.sha256()
    folder_digest(digest, Path(__file__).resolve().parent.parent)
    versions = [sys.version, zlib.ZLIB_RUNTIME_VERSION] + [f"{n} {_version(n)}" for n in LIBRARIES]
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


LOADED_CODE = code_digest()
