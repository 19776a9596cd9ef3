"""Reading and writing the zip package of a .docx, reproducibly and quickly.

A .docx is a zip of XML parts. Writing the parts in a fixed order with fixed
timestamps makes the same inputs give byte-identical files, so the SHA-256 sums
in manifests mean something to recipients. Most parts (styles, theme, footers)
are the same in every document of a layout: they are compressed once per
process (`Entry`) and copied into each package as they are.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

# 1980-01-01 00:00:00, the earliest time a zip entry can carry, in DOS format
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1
_VERSION = 20  # deflate needs zip version 2.0


@dataclass(frozen=True)
class Entry:
    """One part, compressed with raw deflate."""

    crc: int
    size: int
    compressed: bytes


def compress(data: bytes) -> Entry:
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(zlib.crc32(data), len(data), deflate.compress(data) + deflate.flush())


def read_parts(source: Path | bytes) -> dict[str, bytes]:
    """Every entry of a package, in the order it is stored."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def write_parts(parts: dict[str, bytes | Entry]) -> bytes:
    """A zip of the parts in the given order; identical input, identical bytes."""
    out = io.BytesIO()
    directory = []
    for name, part in parts.items():
        entry = part if isinstance(part, Entry) else compress(part)
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                _VERSION,
                0x0800,  # names are UTF-8
                zipfile.ZIP_DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                entry.crc,
                len(entry.compressed),
                entry.size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(entry.compressed)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                _VERSION,
                _VERSION,
                0x0800,
                zipfile.ZIP_DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                entry.crc,
                len(entry.compressed),
                entry.size,
                len(encoded),
                0,
                0,
                0,
                0,
                0o600 << 16,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in directory:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), size, start, 0))
    return out.getvalue()
