"""Reading and writing the zip package of a .docx, reproducibly.

A .docx is a zip of XML parts. Writing the parts in a fixed order with fixed
timestamps and attributes makes the same inputs give byte-identical files, so
the SHA-256 sums in manifests mean something to recipients.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# The earliest date a zip entry can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def read_parts(source: Path | bytes) -> dict[str, bytes]:
    """Every entry of a package, in the order it is stored."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def write_parts(parts: dict[str, bytes]) -> bytes:
    """A zip of the parts, in the given order, byte-identical for identical input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            package.writestr(info, data)
    return buffer.getvalue()
