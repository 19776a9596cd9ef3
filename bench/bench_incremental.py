"""Benchmark: rebuilding after one circular of N changes, as a secretariat edits.

    python bench/bench_incremental.py [--n 1000] [--rounds 3] [--keep]

Makes N synthetic circulars (bench_site.py's project: half Chinese, half
English, the shipped registry, mkdocs.yml and site/) and measures, each in a
fresh process as users run it:

1. the Word documents alone (`circulars build ID...` with every id): from
   scratch (--force), again with nothing changed, and after one circular's
   YAML changed;
2. the whole `circulars build` (documents and site, without PDFs so that
   LibreOffice does not dominate): from scratch (--force), and after one
   circular's YAML changed;
3. `circulars serve`: the time from saving one circular's YAML to the moment
   its page, fetched over HTTP, shows the change, and to the moment the
   listing of its year shows it too; once for a change of its text, once for
   a change of its title (which every listing of it shows). A request made
   while serve rebuilds waits for the rebuild, as a browser's does, so this is
   the time a reader sees; serve's log says how long each rebuild took.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench_site import scratch_project, without_pdfs

PYTHON = sys.executable
CHANGED = "bench-00002"  # a Chinese circular of 2021
YEAR_PAGE = "years/2021/"


def circulars(*args: str, cwd: Path, env: dict) -> tuple[float, str]:
    """Seconds one `circulars` command takes in a fresh process, and its output."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"circulars {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout


def written(output: str) -> str:
    found = re.search(r"Wrote (\d+) Word documents? to \S+ \((\d+) up to date\)", output)
    return f"{found[1]} written, {found[2]} up to date" if found else "?"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path} does not say {old!r}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, since: float, limit: float = 120) -> float:
    """Seconds from `since` until the page at url contains text."""
    while time.perf_counter() - since < limit:
        try:
            if text in fetch(url):
                return time.perf_counter() - since
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{url} did not show {text!r} within {limit} s")


def listing_of(base: str, first: str, circular_id: str) -> str:
    """The page of a listing (first, page-2/, …) that lists the circular."""
    for n in range(1, 100):
        url = base + first + ("" if n == 1 else f"page-{n}/")
        if f"circulars/{circular_id}/" in fetch(url):
            return url
    raise SystemExit(f"no page of {first} lists {circular_id}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def row(label: str, *figures: str) -> None:
    print(f"  {label:<58}" + "".join(f" {figure:>24}" for figure in figures))


def measure_serve(project: Path, env: dict, rounds: int) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = project / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [PYTHON, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        started = time.perf_counter()
        page = f"{base}circulars/{CHANGED}/"
        wait_for(page, "<html", started, limit=600)
        row("serve: the first build, until its page is served", f"{time.perf_counter() - started:.1f} s")
        time.sleep(8)  # let the background work of the first build (search) end
        listing = listing_of(base, YEAR_PAGE, CHANGED)
        source = next(project.glob(f"circulars/*/{CHANGED}.yaml"))
        for n in range(rounds):
            text = f"改动{n}"
            edit(source, "各级工会要", f"各级工会{text}要")
            saved = time.perf_counter()
            shown = wait_for(page, text, saved)
            row(f"serve: a text changed, until its page shows it ({n + 1})", f"{shown:.2f} s")
            time.sleep(4)
            title = f"标题{n}"
            edit(source, "基层工作的通知", f"基层工作{title}的通知")
            saved = time.perf_counter()
            shown = wait_for(page, title, saved)
            listed = wait_for(listing, title, saved)
            row(f"serve: the title changed, until its page shows it ({n + 1})", f"{shown:.2f} s")
            row(f"serve: the title changed, until its year's listing shows it ({n + 1})", f"{listed:.2f} s")
            edit(source, f"基层工作{title}的通知", "基层工作的通知")
            edit(source, f"各级工会{text}要", "各级工会要")
            time.sleep(6)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rebuilds = re.findall(r"Documentation built in ([0-9.]+) seconds", log.read_text(encoding="utf-8"))
    print(f"  (serve's rebuilds, as it logged them: {', '.join(rebuilds[1:])} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project and print where")
    parser.add_argument("--serve-only", action="store_true", help="measure `circulars serve` only")
    args = parser.parse_args()
    with scratch_project("circulars-bench-incremental-", args.n, args.keep) as (scratch, project):
        config = project / "mkdocs.yml"
        config.write_text(without_pdfs(config.read_text(encoding="utf-8")), encoding="utf-8")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CIRCULARS_PDF_CACHE": str(scratch / "pdf")}
        ids = sorted(path.stem for path in project.glob("circulars/*/bench-*.yaml"))
        source = next(project.glob(f"circulars/*/{CHANGED}.yaml"))
        print(f"{args.n} synthetic circulars in {project} on {os.cpu_count()} cores")
        if not args.serve_only:
            measure_builds(project, env, source, ids, args.rounds)
        measure_serve(project, env, args.rounds)
    return 0


def measure_builds(project: Path, env: dict, source: Path, ids: list[str], rounds: int) -> None:
    seconds, out = circulars("build", "--force", *ids, cwd=project, env=env)
    row("Word documents, every one written (--force)", f"{seconds:.1f} s", written(out))
    seconds, out = circulars("build", *ids, cwd=project, env=env)
    row("Word documents, nothing changed", f"{seconds:.1f} s", written(out))
    for n in range(rounds):
        edit(source, "各级工会要", f"各级工会改{n}要")
        seconds, out = circulars("build", *ids, cwd=project, env=env)
        row(f"Word documents, one circular changed ({n + 1})", f"{seconds:.1f} s", written(out))
        edit(source, f"各级工会改{n}要", "各级工会要")
    seconds, out = circulars("build", "--force", cwd=project, env=env)
    row("circulars build (site), every document written", f"{seconds:.1f} s", written(out))
    for n in range(rounds):
        edit(source, "各级工会要", f"各级工会再改{n}要")
        seconds, out = circulars("build", cwd=project, env=env)
        row(f"circulars build (site), one circular changed ({n + 1})", f"{seconds:.1f} s", written(out))
        edit(source, f"各级工会再改{n}要", "各级工会要")


if __name__ == "__main__":
    sys.exit(main())
