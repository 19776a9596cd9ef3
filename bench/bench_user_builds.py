"""Benchmark: the builds a user waits for (issue 24), side by side with the do-it-yourself route.

    python bench/bench_user_builds.py [--n 300] [--keep]

Makes N synthetic circulars (bench_site.py's project: half Chinese, half English,
the shipped registry, mkdocs.yml and site/) and times, each as a fresh process:

1. the first `circulars build` (Word documents, every PDF made by LibreOffice,
   the site), against the do-it-yourself route: a bare mkdocs-material build of
   the same pages (with Material's search) plus one serial `soffice --convert-to
   pdf` run of the same Word documents (run again on those it left out, as a user
   would: at 1,000 documents a run stops part-way); from it, the LibreOffice
   limit in seconds per document per core (its wall time / documents: one
   process uses one core);
2. `circulars build` again with nothing changed, against bare mkdocs;
3. `circulars build` after one circular's title was edited, against bare mkdocs.

2 and 3 are the median of RUNS builds each (3: a different title each time), bare
mkdocs the median of three: one build's time varies by a second on a shared
machine. The PDFs of the first build start from an empty cache of the project's
own. The LibreOffice the builds keep running (docx/resident.py) is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_site import bare_site, capture_pages, make_project, without_pdfs

from generator.docx.preview import PDF_FILTER, soffice
from generator.docx.resident import stop
from generator.site.beside import libreoffice_profile
from generator.site.pdfs import CACHE_ENV
from generator.source.loading import load_project

PYTHON = sys.executable
CHANGED = "bench-00002"
RUNS = 5


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:5])} ... failed:\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout


def serial_soffice(documents: list[Path], out: Path, cwd: Path, env: dict) -> tuple[float, list[int]]:
    """The do-it-yourself conversion: one `soffice --convert-to pdf` of every document,
    run again on those without a PDF as long as a run makes some (at 1,000 documents one
    run stops part-way and still exits 0); its seconds, and how many PDFs each run made."""
    seconds, passes = 0.0, []
    waiting = documents
    while waiting:
        with tempfile.TemporaryDirectory(prefix="soffice-profile-") as profile:
            command = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
            command += ["--convert-to", PDF_FILTER, "--outdir", str(out), *map(str, waiting)]
            elapsed, _ = timed(command, cwd, env)
        seconds += elapsed
        left = [document for document in waiting if not (out / f"{document.stem}.pdf").exists()]
        passes.append(len(waiting) - len(left))
        if len(left) == len(waiting):
            raise SystemExit(f"soffice made no PDF of {len(left)} documents")
        waiting = left
    return seconds, passes


def row(label: str, *figures: str) -> None:
    print(f"  {label:<46}" + "".join(f" {figure:>14}" for figure in figures), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project and print where")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="circulars-user-builds-"))
    # as a user runs them: Python keeps the compiled code of every tool (an installation
    # compiles it; PYTHONDONTWRITEBYTECODE, set on some development machines, would have
    # our editable install compile its 150 modules again in every process)
    dropped = (CACHE_ENV, "PYTHONDONTWRITEBYTECODE")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["NO_MKDOCS_2_WARNING"] = "1"
    try:
        project = scratch / "project"
        make_project(project, args.n)
        # the pages as bare MkDocs gets them, captured from a build without PDFs in a copy
        copy = scratch / "capture"
        shutil.copytree(project, copy)
        config = copy / "mkdocs.yml"
        config.write_text(without_pdfs(config.read_text(encoding="utf-8")), encoding="utf-8")
        captured = capture_pages(load_project(copy), scratch)
        bare = bare_site(project, captured, scratch, search=True)
        documents = sorted((scratch / "captured-docx").glob("*.docx"))
        print(f"{args.n} synthetic circulars, {len(documents)} Word documents, {os.cpu_count()} cores")
        print("(a machine shared with other work: the ratios hold better than the seconds)\n")

        build = [PYTHON, "-m", "generator", "build"]
        first, _ = timed(build, project, env)
        time.sleep(5)  # the LibreOffice kept for the next build starts: a user reads the result
        bare_command = [PYTHON, "-m", "mkdocs", "build", "--quiet"]
        bare_seconds = statistics.median(timed(bare_command, bare, env)[0] for _run in range(3))
        serial, passes = serial_soffice(documents, scratch / "serial-pdf", scratch, env)
        runs_again = [timed(build, project, env) for _run in range(RUNS)]
        again, output_again = statistics.median(seconds for seconds, _ in runs_again), runs_again[-1][1]
        source = next(project.rglob(f"{CHANGED}.yaml"))
        text = source.read_text(encoding="utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title: "))
        runs_edited = []
        for run in range(RUNS):
            source.write_text(text.replace(title, f"{title}（修订{run + 1}）", 1), encoding="utf-8")
            runs_edited.append(timed(build, project, env)[0])
        edited = statistics.median(runs_edited)

        diy = bare_seconds + serial
        row("", "circulars", "do-it-yourself", "ratio", "goal")
        row(
            "first build (Word, PDFs, site)",
            f"{first:.1f} s",
            f"{diy:.1f} s",
            f"{first / diy:.2f}x",
            "<= 1.0x",
        )
        row("  do-it-yourself: bare mkdocs-material", "", f"{bare_seconds:.1f} s")
        runs = "one soffice run" if len(passes) == 1 else f"{len(passes)} soffice runs"
        row(f"  do-it-yourself: {runs}, {len(documents)} docs", "", f"{serial:.1f} s")
        if len(passes) > 1:  # a run that stops part-way exits 0 all the same
            made = ", then ".join(str(count) for count in passes)
            print(f"    (one run stopped part-way: PDFs made by each run {made}; a user runs it again)")
        ratio = again / bare_seconds
        row(
            "build again, nothing changed",
            f"{again:.1f} s",
            f"{bare_seconds:.1f} s",
            f"{ratio:.2f}x",
            "<= 0.2x",
        )
        print(f"    (median of {RUNS}: {', '.join(f'{seconds:.1f}' for seconds, _ in runs_again)} s)")
        ratio = edited / bare_seconds
        row(
            "one circular's title edited",
            f"{edited:.1f} s",
            f"{bare_seconds:.1f} s",
            f"{ratio:.2f}x",
            "<= 0.2x",
        )
        print(f"    (median of {RUNS}: {', '.join(f'{seconds:.1f}' for seconds in runs_edited)} s)")
        print(f"\nLibreOffice limit: {serial / len(documents):.2f} s per document per core (one serial run)")
        if "Nothing the site is built from has changed" not in output_again:
            print(f"(the build with nothing changed built again; it said: {output_again.strip()})")
        if args.keep:
            print(f"kept: {scratch}")
    finally:
        stop(libreoffice_profile(scratch / "project/build/docx"))
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
