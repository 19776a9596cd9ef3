"""`circulars import archive/*.docx`: an archive at once, each file imported or refused
with its reason, a summary, nothing half-written."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.docx.import_batch import (
    ATTENTION,
    IMPORTED,
    REFUSED,
    Outcome,
    Refused,
    import_all,
    refusal,
    summary,
)
from generator.docx.writer import DocxWriter
from generator.render.renderer import Renderer
from generator.source.loading import load_project

REPO = Path(__file__).resolve().parent.parent


def built(circular_id: str) -> bytes:
    project = load_project(REPO)
    rendered = Renderer(project.root, project.registry).render(project.source(circular_id).circular)
    return DocxWriter(project.root, project.registry).write(rendered).data


def without_document(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def damaged(data: bytes) -> bytes:
    """A .docx whose document part's compressed bytes were overwritten (a bad copy)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
    return data[:start] + b"\x00" * 64 + data[start + 64 :]


BAD = {
    "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "an old Word .doc or WPS file"),
    "scan.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF, not a .docx"),
    "renamed-pdf.docx": (b"%PDF-1.4\n1 0 obj\n", "a PDF, not a .docx"),
    "notice.wps": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 100, "an old Word .doc or WPS file"),
    "empty.docx": (b"", "the file is empty"),
    "cut-short.docx": (None, "the .docx is corrupt"),
    "no-document.docx": (None, "this zip holds no Word document"),
    "damaged.docx": (None, "the .docx is corrupt"),
    "text.docx": (b"just some text\n", "not a Word .docx file"),
    "notes.rtf": (b"{\\rtf1\\ansi hello}", "an RTF file"),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    good = built("sysu-2016-12-12-congress-meeting")
    for name, (data, _reason) in BAD.items():
        if name == "cut-short.docx":
            data = good[: len(good) // 2]
        elif name == "no-document.docx":
            data = without_document(good)
        elif name == "damaged.docx":
            data = damaged(good)
        (folder / name).write_bytes(data)
    (folder / "a-folder.docx").mkdir()
    return folder


def test_refusals_name_what_the_file_is(archive: Path):
    for name, (_data, reason) in BAD.items():
        found = refusal(archive / name)
        assert found is not None and reason in found, (name, found)
    assert refusal(archive / "a-folder.docx") == "not a regular file"
    assert refusal(archive / "missing.docx") == "no such file"


def test_a_batch_goes_on_past_refusals_and_failures(archive: Path, tmp_path: Path):
    good = tmp_path / "good.docx"
    good.write_bytes(built("sysu-2016-12-12-congress-meeting"))
    strange = tmp_path / "strange.docx"
    strange.write_bytes(built("panzhihua-2024-07"))
    seen = []

    def import_one(path: Path) -> Outcome:
        seen.append(path.name)
        if path == strange:
            raise KeyError("w:val")  # a reader's bug meets a document: that file is refused, the rest go on
        if path.name == "good.docx":
            return Outcome(path, IMPORTED, "circulars/2016/x.yaml written")
        raise Refused("holds no text")

    paths = [*sorted(archive.iterdir()), good, strange]
    outcomes = import_all(paths, import_one)
    assert seen == ["good.docx", "strange.docx"]  # the bad files never reach the reader
    assert [o.status for o in outcomes].count(REFUSED) == len(BAD) + 2
    assert outcomes[-1].message == "the document could not be read (KeyError: 'w:val')"
    assert summary([*outcomes, Outcome(good, ATTENTION, "")]) == (
        "1 imported, 1 needing attention, 12 refused, of 14 files"
    )
    shutil.rmtree(archive)


def test_import_an_archive_from_the_command_line(archive: Path, tmp_path: Path):
    """The shipped examples as Word files, a copy of one, and the bad files above: each
    example becomes its YAML, the copy and the bad files are refused with their reason,
    a summary closes, and no refused file leaves anything behind."""
    from click.testing import CliRunner

    from generator.cli import main

    project = tmp_path / "project"
    (project / "circulars").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, project / "circulars" / name)
    examples = sorted(p.stem for p in (REPO / "circulars").rglob("*.yaml") if p.parent.name.isdigit())
    for circular_id in examples:
        (archive / f"{circular_id}.docx").write_bytes(built(circular_id))
    (archive / "zz-copy-of-sysu.docx").write_bytes(built("sysu-2016-12-12-congress-meeting"))
    files = sorted(archive.iterdir())
    assert len(files) >= 20 + len(BAD)

    result = CliRunner().invoke(main, ["-C", str(project), "import", *map(str, files)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    written = sorted(p.stem for p in (project / "circulars").rglob("*.yaml") if p.parent.name.isdigit())
    assert written == examples
    lines = result.output.splitlines()
    for name, (_data, reason) in BAD.items():
        line = next(line for line in lines if line.startswith(f"{archive / name}: refused: "))
        assert reason in line, line
    assert any(
        line.startswith(
            f"{archive / 'zz-copy-of-sysu.docx'}: refused: holds circular sysu-2016-12-12-congress-meeting"
        )
        for line in lines
    )
    refused = len(BAD) + 2  # the bad files, the folder, the copy
    assert lines[-1].endswith(f", {refused} refused, of {len(files)} files")
    imported, attention = (
        int(word) for word in re.findall(r"(\d+) (?:imported|needing attention)", lines[-1])
    )
    assert imported + attention == len(examples)
    assert not [p for p in (project / "circulars").rglob("*") if p.name.startswith(".")]  # no temporary left


def test_the_progress_bar_shows_on_a_terminal_only(archive: Path, tmp_path: Path):
    """tqdm draws on stderr when stderr is a terminal (a pseudo-terminal here), and
    nothing of it reaches a pipe or a log."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    project = tmp_path / "project"
    (project / "circulars").mkdir(parents=True)
    shutil.copy(REPO / "circulars" / "organizations.yaml", project / "circulars")
    files = [str(archive / name) for name in ("empty.docx", "scan.pdf", "text.docx")]
    command = [sys.executable, "-m", "generator", "-C", str(project), "import", *files]
    master, slave = pty.openpty()
    # a terminal of 80 columns: a new pseudo-terminal has none, and tqdm draws to the width
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=slave, cwd=REPO, timeout=120)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: all is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert done.returncode == 1
    assert b"0/3 [" in shown and b"file/s" in shown  # the bar, with its count and rate
    piped = subprocess.run(command, capture_output=True, cwd=REPO, timeout=120)
    assert b"file/s" not in piped.stderr and b"/3 [" not in piped.stderr
    assert piped.stdout.decode().endswith("0 imported, 0 needing attention, 3 refused, of 3 files\n")
    assert piped.stderr.decode().count(": refused: ") == 3


def test_a_dry_run_of_an_archive_prints_each_yaml_and_writes_nothing(tmp_path: Path):
    from click.testing import CliRunner

    from generator.cli import main

    project = tmp_path / "project"
    (project / "circulars").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, project / "circulars" / name)
    files = []
    for circular_id in ("sysu-2016-12-12-congress-meeting", "panzhihua-2024-07"):
        files.append(tmp_path / f"{circular_id}.docx")
        files[-1].write_bytes(built(circular_id))
    result = CliRunner().invoke(main, ["-C", str(project), "import", "--dry-run", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert f"{files[0]}: would write circulars/2016/sysu-2016-12-12-congress-meeting.yaml\n" in result.output
    assert "\nid: sysu-2016-12-12-congress-meeting\n" in result.output
    assert "\nid: panzhihua-2024-07\n" in result.output
    assert result.output.endswith("2 imported, 0 needing attention, 0 refused, of 2 files\n")
    assert sorted(p.name for p in (project / "circulars").rglob("*")) == ["organizations.yaml", "people.yaml"]
