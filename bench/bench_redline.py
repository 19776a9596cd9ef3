"""Benchmark: a redline of the largest shipped circular against its `circulars build`.

    .venv/bin/python bench/bench_redline.py [--rounds 5] [--circular gz-2023-1930]

Copies the examples into a git repository in a temporary folder, commits them,
then changes the largest circular (by its YAML's size; or --circular) the way a
correction does: a phrase in each of its first paragraphs of text, a moved
deadline, a paragraph added and one removed. Times, as fresh processes, side by
side in each round:

* `circulars build --force ID` (its Word document, written again every time);
* `circulars redline ID --since HEAD` (both editions rendered and written, then
  compared, the redline written).

The package is compiled to bytecode first (compileall), as pip compiles an
installed tool. Prints the median wall time of each and their ratio; the goal
is a redline in at most twice the build's time.
"""

from __future__ import annotations

import argparse
import compileall
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def largest_circular() -> Path:
    files = [p for p in (REPO / "circulars").rglob("*.yaml") if p.parent != REPO / "circulars"]
    return max(files, key=lambda p: p.stat().st_size)


def corrected(text: str) -> str:
    """The text with the edits a correction makes."""
    lines = text.split("\n")
    changed = 0
    for number, line in enumerate(lines):
        stripped = line.strip()
        prose = not re.match(r"\s*(#|-|[\w-]+:)", line)  # a paragraph of a block scalar
        if changed < 5 and len(stripped) > 60 and prose:
            middle = len(line) // 2
            lines[number] = line[:middle] + "（本句已更正）" + line[middle:]
            changed += 1
    text = "\n".join(lines)
    added = r"\1\2\n    新增一段说明文字，以作更正。\n\n"
    text = re.sub(r"(\n  [a-z_]+: \|\n)(    .*\n)\n", added, text, count=1)
    return re.sub(r"(date|deadline|due): (\d{4})-(\d{2})-(\d{2})", r"\1: \2-\3-28", text, count=1)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command[2:])} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--circular", help="an example's id (default: the largest)")
    args = parser.parse_args()
    named = args.circular and next((REPO / "circulars").rglob(f"{args.circular}.yaml"))
    source = named or largest_circular()
    circular_id = source.stem
    compileall.compile_dir(REPO / "generator", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-redline-") as scratch:
        project = Path(scratch)
        shutil.copytree(REPO / "circulars", project / "circulars")
        git = ["git", "-c", "user.email=bench@example.org", "-c", "user.name=bench"]
        subprocess.run([*git, "init", "-q"], cwd=project, check=True)
        subprocess.run([*git, "add", "."], cwd=project, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "examples"], cwd=project, check=True)
        target = project / source.relative_to(REPO)
        target.write_text(corrected(target.read_text(encoding="utf-8")), encoding="utf-8")
        tool = [sys.executable, "-m", "generator"]
        build = [*tool, "build", "--force", "-j", "1", "-o", "out", circular_id]
        redline = [*tool, "redline", circular_id, "--since", "HEAD", "-o", "out/redline.docx"]
        timed(build, project)  # once, to warm the disk cache and jieba's index
        timed(redline, project)
        builds, redlines = [], []
        for _ in range(args.rounds):
            builds.append(timed(build, project))
            redlines.append(timed(redline, project))
        size = (project / "out/redline.docx").stat().st_size
    build_time, redline_time = statistics.median(builds), statistics.median(redlines)
    print(f"{circular_id} ({source.stat().st_size // 1024} KB of YAML), median of {args.rounds} rounds:")
    print(f"  {'circulars build --force ID':<36} {build_time * 1000:8.0f} ms")
    print(f"  {'circulars redline ID --since HEAD':<36} {redline_time * 1000:8.0f} ms  ({size // 1024} KB)")
    print(f"  ratio redline / build: {redline_time / build_time:.2f} (goal: at most 2)")


if __name__ == "__main__":
    main()
