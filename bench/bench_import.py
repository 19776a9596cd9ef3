"""Benchmark: `circulars import` of an archive of 1,000 Word files, in a fresh process.

    python bench/bench_import.py [--files 1000] [--pandoc-files 100]

The archive is made from the shipped examples: each built to .docx once, then
copied with a new circular id in its document properties, so that every file
imports as a circular of its own (the 23 examples cycle: Chinese and English,
GB/T 9704 and letter layouts, tables, attachments). `circulars import
archive/*.docx` runs as a user runs it, one process for the whole archive, into
a project holding only the registry. Beside it, for scale: python-docx opening
each file and reading its paragraphs and tables (reading alone, no
classification, no YAML), and pandoc converting files to Markdown, one process
per file as it is used. Prints files per second for each.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.docx.writer import DocxWriter  # noqa: E402
from generator.render.renderer import Renderer  # noqa: E402
from generator.source.loading import load_project  # noqa: E402

CUSTOM = "docProps/custom.xml"


def built_examples() -> dict[str, bytes]:
    project = load_project(REPO)
    renderer, writer = Renderer(project.root, project.registry), DocxWriter(project.root, project.registry)
    return {
        c.id: writer.write(renderer.render(c)).data for c in sorted(project.circulars, key=lambda c: c.id)
    }


def with_new_id(data: bytes, old: str, new: str) -> bytes:
    """The same document, carrying another circular id in its properties."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename in (CUSTOM, "docProps/core.xml"):
                text = part.decode("utf-8")
                text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
                part = text.encode("utf-8")
            target.writestr(info, part)
    return out.getvalue()


def make_archive(folder: Path, count: int) -> list[Path]:
    examples = list(built_examples().items())
    folder.mkdir(parents=True)
    files = []
    for n in range(count):
        circular_id, data = examples[n % len(examples)]
        new_id = f"{circular_id}-copy{n:04d}"
        path = folder / f"{n:04d}-{circular_id}.docx"
        path.write_bytes(with_new_id(data, circular_id, new_id))
        files.append(path)
    return files


def fresh_project(folder: Path) -> Path:
    (folder / "circulars").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, folder / "circulars" / name)
    return folder


def time_import(project: Path, files: list[Path]) -> tuple[float, str]:
    command = [sys.executable, "-m", "generator", "-C", str(project), "import", *map(str, files)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-300:]
    return seconds, summary


def time_python_docx(files: list[Path]) -> float:
    script = (
        "import sys, docx\n"
        "for name in sys.argv[1:]:\n"
        "    d = docx.Document(name)\n"
        "    [p.text for p in d.paragraphs]\n"
        "    [c.text for t in d.tables for r in t.rows for c in r.cells]\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *map(str, files)], check=True)
    return time.perf_counter() - started


def time_pandoc(files: list[Path]) -> float | None:
    if shutil.which("pandoc") is None:
        return None
    started = time.perf_counter()
    for path in files:
        subprocess.run(["pandoc", str(path), "-t", "markdown", "-o", "/dev/null"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--pandoc-files", type=int, default=100)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as temporary:
        folder = Path(temporary)
        files = make_archive(folder / "archive", arguments.files)
        project = fresh_project(folder / "project")
        seconds, summary = time_import(project, files)
        written = len(list((project / "circulars").rglob("*.yaml"))) - 2  # less the registry
        reading = time_python_docx(files)
        pandoc = time_pandoc(files[: arguments.pandoc_files])
    print(f"archive: {len(files)} .docx files made from the shipped examples")
    print(
        f"circulars import   {len(files) / seconds:8.1f} files/s  ({seconds:.1f} s, {written} YAML written)"
    )
    print(f"  its summary: {summary}")
    print(f"python-docx read   {len(files) / reading:8.1f} files/s  (open and read text only, no YAML)")
    if pandoc is not None:
        count = min(arguments.pandoc_files, len(files))
        print(f"pandoc → markdown  {count / pandoc:8.1f} files/s  (one process per file, {count} files)")


if __name__ == "__main__":
    main()
