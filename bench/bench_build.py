"""Benchmark: Word documents as users make them, the whole command against docxtpl and pandoc.

    .venv/bin/pip install docxtpl          # for this benchmark only; not a dependency
    .venv/bin/python bench/bench_build.py [--copies 120] [--rounds 3] [--circular sichuan-2024-12]

Makes a temporary project holding COPIES copies of one example circular (each
with its own id and document number) and times, as fresh processes, side by side
in each round:

* `circulars build -j 1 ID...` and `circulars build -j CORES ID...`
  (`python -m generator`): start-up, reading the YAML, rendering and writing;
* one Python process that renders the same texts with docxtpl, loading its
  Word template for each document, as it must (bench_docx.py's template and
  context: the circular's text, requirements, table, signature, closing block);
* `pandoc X.md --reference-doc=... -o X.docx`, one process per document, on
  the Markdown that circulars renders.

The package is compiled to bytecode first (compileall), as pip compiles an
installed tool: an editable install run with PYTHONDONTWRITEBYTECODE set (as
this workplace's shells are) would otherwise compile every module from source
in every process, 0.1–0.2 s that no user pays twice.

Prints milliseconds per document (whole wall time / copies), the ratios, and
where the build's time goes: start-up (interpreter and imports, the wall time
the command's own timers do not cover), load (YAML, model, checks), render
(Jinja), write (Word XML and zip), read from CIRCULARS_TIMINGS=1. Also the
start-up of `circulars --help` and of `circulars check` on a one-circular project.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_docx import REPO, docxtpl_context, docxtpl_template

from generator.render.renderer import Renderer
from generator.source.loading import load_project

CORES = os.cpu_count() or 1

# The docxtpl contender: a process of its own that imports docxtpl and nothing of ours.
DOCXTPL_PROCESS = """
import json, sys
from docxtpl import DocxTemplate
template, contexts, out = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8")), sys.argv[3]
for name, context in contexts.items():
    document = DocxTemplate(template)  # a template renders once: loaded for each document
    document.render(context)
    document.save(f"{out}/{name}.docx")
"""


def make_project(folder: Path, circular_id: str, copies: int) -> list[str]:
    """A project with the registry and `copies` copies of one example; their ids."""
    source = next((REPO / "circulars").rglob(f"{circular_id}.yaml"))
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"^supersedes:\n(?:  - .*\n)+", "", text, flags=re.MULTILINE)  # not in this project
    number = int(re.search(r"^number: (\d+)$", text, re.MULTILINE).group(1))
    data = folder / "circulars"
    (data / "copies").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, data / name)
    ids = []
    for i in range(1, copies + 1):
        copy_id = f"{circular_id}-copy-{i:04d}"
        copy = re.sub(r"^id: .*$", f"id: {copy_id}", text, count=1, flags=re.MULTILINE)
        copy = re.sub(r"^number: .*$", f"number: {number * 10000 + i}", copy, count=1, flags=re.MULTILINE)
        (data / "copies" / f"{copy_id}.yaml").write_text(copy, encoding="utf-8")
        ids.append(copy_id)
    return ids


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall time, and the CPU time of the processes started meanwhile: on a machine
    others share, CPU time moves less than wall time when they get busy."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), children_cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, children_cpu() - self.cpu


def timed(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])} ... failed:\n{done.stdout}{done.stderr}")
    return done


def circulars_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def run_build(root: Path, ids: list[str], jobs: int, out: Path) -> tuple[Clock, dict[str, float]]:
    """Wall and CPU seconds of one `circulars build`, and its own timers; --force, so
    that every round writes every document (else the build keeps those up to date)."""
    env = {**os.environ, "CIRCULARS_TIMINGS": "1"}
    command = circulars_command("-C", str(root), "build", "--force", "-j", str(jobs), "-o", str(out), *ids)
    with Clock() as clock:
        done = timed(command, env=env, cwd=root)
    line = next(line for line in done.stderr.splitlines() if line.startswith("timings: "))
    return clock, json.loads(line.removeprefix("timings: "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=120, help="documents per contender")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of turns (the median is shown)")
    parser.add_argument("--circular", default="sichuan-2024-12", help="the example to copy")
    args = parser.parse_args()
    try:
        import docxtpl  # noqa: F401  (only to say it is missing before any work)
    except ImportError:
        docxtpl_ok = False
        print("docxtpl is not installed (.venv/bin/pip install docxtpl): skipped")
    else:
        docxtpl_ok = True
    compileall.compile_dir(REPO / "generator", quiet=1)  # as an installed tool runs: see the docstring
    pandoc = shutil.which("pandoc")
    if not pandoc:
        print("pandoc is not installed: skipped")

    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        scratch = Path(scratch)
        root, small = scratch / "project", scratch / "one"
        ids = make_project(root, args.circular, args.copies)
        make_project(small, args.circular, 1)

        # The same content for the peers: docxtpl's contexts and the Markdown pandoc reads.
        project = load_project(root)
        if project.diagnostics.has_errors():
            raise SystemExit("\n".join(d.format(root) for d in project.diagnostics.errors))
        circulars = [project.source(i).circular for i in ids]
        template, contexts = scratch / "template.docx", scratch / "contexts.json"
        docxtpl_template(template)
        contexts.write_text(
            json.dumps({c.id: docxtpl_context(project, c) for c in circulars}, ensure_ascii=False),
            encoding="utf-8",
        )
        renderer = Renderer(project.root, project.registry)
        markdown_dir = scratch / "markdown"
        markdown_dir.mkdir()
        for circular in circulars:
            (markdown_dir / f"{circular.id}.md").write_text(
                renderer.render(circular).markdown, encoding="utf-8"
            )
        reference = REPO / "templates" / "gbt9704.docx"

        def docxtpl_run() -> Clock:
            out = scratch / "docxtpl"
            out.mkdir(exist_ok=True)
            with Clock() as clock:
                timed([sys.executable, "-c", DOCXTPL_PROCESS, str(template), str(contexts), str(out)])
            return clock

        def pandoc_run() -> Clock:
            out = scratch / "pandoc"
            out.mkdir(exist_ok=True)
            with Clock() as clock:
                for name in ids:
                    source = markdown_dir / f"{name}.md"
                    timed(
                        [pandoc, str(source), f"--reference-doc={reference}", "-o", str(out / f"{name}.docx")]
                    )
            return clock

        def startup(*command: str) -> Clock:
            with Clock() as clock:
                timed(circulars_command(*command))
            return clock

        clocks: dict[str, list[Clock]] = {}
        timers: dict[str, list[dict[str, float]]] = {}
        builds = {"circulars build -j 1": 1, f"circulars build -j {CORES}": CORES}
        startups = {
            "circulars --help": ("--help",),
            "circulars check (one circular)": ("-C", str(small), "check"),
        }
        for round_number in range(args.rounds):
            for name, jobs in builds.items():
                clock, timings = run_build(root, ids, jobs, scratch / f"out-{jobs}")
                clocks.setdefault(name, []).append(clock)
                timers.setdefault(name, []).append(timings)
            if docxtpl_ok:
                clocks.setdefault("docxtpl, one process", []).append(docxtpl_run())
            if pandoc:
                clocks.setdefault("pandoc, a process per document", []).append(pandoc_run())
            for name, command in startups.items():
                clocks.setdefault(name, []).append(startup(*command))
            print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)

    def median_ms(name: str, what: str, per: int = 1) -> float:
        return statistics.median(getattr(clock, what) for clock in clocks[name]) * 1000 / per

    contenders = [name for name in clocks if name not in startups]
    per_document = {name: median_ms(name, "wall", args.copies) for name in contenders}
    print(
        f"\n{args.copies} copies of {args.circular}, fresh processes, {CORES} cores, median of {args.rounds}:"
    )
    print(f"  {'':<34} {'wall ms/document':>17} {'CPU ms/document':>16}")
    for name in contenders:
        print(f"  {name:<34} {per_document[name]:17.2f} {median_ms(name, 'cpu', args.copies):16.2f}")
    print()
    goals = {"docxtpl, one process": 4, "pandoc, a process per document": 10}
    for name in builds:
        for peer, goal in goals.items():
            if peer in per_document:
                ratio = per_document[peer] / per_document[name]
                print(f"  {peer.split(',')[0]} takes {ratio:5.1f}x the time of {name} (goal: {goal}x)")
    print("\nWhere the build's time goes (ms per document; start-up and load in ms for the whole run):")
    for name in builds:
        runs = sorted(zip(clocks[name], timers[name], strict=True), key=lambda pair: pair[0].wall)
        clock, timings = runs[args.rounds // 2]
        wall = clock.wall
        steps = {
            "start-up": wall - timings["command"],
            "load": timings["load"],
            "render": timings.get("render", 0.0),
            "write": timings.get("write", 0.0),
        }
        steps["other"] = wall - sum(steps.values())
        shown = ", ".join(
            f"{step} {seconds * 1000:.0f} ms ({seconds * 1000 / args.copies:.2f}/doc)"
            for step, seconds in steps.items()
        )
        print(f"  {name}: {shown}")
    print("\nStart-up (the whole process, median):")
    for name in startups:
        print(f"  {name:<34} {median_ms(name, 'wall'):8.0f} ms wall {median_ms(name, 'cpu'):8.0f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
