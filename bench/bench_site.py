"""Benchmark: `circulars build` (Word documents + site) of N synthetic circulars,
against a bare mkdocs-material build of the same Markdown pages without our plugin.

    python bench/bench_site.py [--n 1000] [--keep]

Generates N circulars (half Chinese, half English, 3-4 pages each, issued by
the registry's bodies over several years) in a temporary project with the
shipped registry, mkdocs.yml and site/, then measures, in one run:

1. the full `circulars build` command (a fresh process, as users run it): it
   renders every circular, writes the Word documents in worker processes
   while MkDocs builds the pages, makes their PDFs with LibreOffice, builds
   the site and indexes it with Pagefind; its time and the peak memory of all
   its processes together (proportional set sizes, so that what forked workers
   share counts once). First with every PDF to make, then again with --force
   (every Word document written again), the PDFs of unchanged documents from
   their cache, and once without PDFs (`pdf: false`);
2. the Word documents alone, for reference;
3. `mkdocs build` of a copy of the same pages as plain Markdown files (and the
   same documents and attachments), with the same theme and navigation but
   without the circulars plugin: once with Material's own search plugin, as a
   bare mkdocs-material site has it, and once with no search at all;
4. in Chromium, the bytes a reader downloads to open one circular's page and
   run one search, on our site and on the bare Material one, and how long
   after the page starts loading the results show;
5. the largest page of each site.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from page_weight import MATERIAL, OURS, largest_page, measure

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.docx.build import build_documents  # noqa: E402
from generator.site.build import build_site  # noqa: E402
from generator.site.pdfs import CACHE_ENV as PDF_CACHE  # noqa: E402
from generator.site.plugin import CircularsPlugin  # noqa: E402
from generator.site.search import UI_FILES  # noqa: E402
from generator.source.loading import load_project  # noqa: E402

ZH_SENTENCES = [
    "各级工会要深入贯彻落实党的二十大精神，坚持以职工为中心的工作导向，"
    "把服务职工作为工会工作的出发点和落脚点。",
    "驻点干部要迅速深入职工群众，面对面座谈、心贴心交流，梳理企业和职工群众的急难愁盼问题，列出问题清单。",
    "要健全完善职工代表大会、集体协商、困难帮扶等工作制度，推动解决职工最关心最直接最现实的利益问题。",
    "加强基层工会规范化建设，推进新就业形态劳动者入会工作，扩大工会组织覆盖面，增强基层工会活力。",
    "各单位要加强组织领导，明确责任分工，细化工作措施，确保各项任务落到实处、取得实效。",
    "强化经费保障，将下基层工作专项经费纳入年度预算，多渠道争取党委政府和企业的支持。",
]
EN_SENTENCES = [
    "Trade unions at all levels shall put the workers at the centre of their work.",
    "The stationed cadres shall go deep among the staff and workers and list their urgent needs.",
    "The systems of the workers' congress and collective negotiation shall be improved.",
    "Grassroots unions shall be built to a standard, and workers in new forms of employment enrolled.",
    "Each unit shall strengthen its leadership and make the measures concrete.",
    "Special funds for the work at the grassroots shall be included in the annual budget.",
]
ZH_KEYS = ["找准问题", "抓住关键", "解决问题", "服务职工", "强化保障"]
EN_KEYS = ["find out problems", "grasp the key", "solve problems", "serve the staff", "secure the funding"]
TAGS = ["grassroots", "stationing", "reform", "rights", "training", "funding"]
ISSUERS = ["sichuan-ftu", "panzhihua-ftu", "fujian-ftu", "chemchina-union", "acftu"]


def paragraph(rng: random.Random, zh: bool, sentences: int) -> str:
    pool = ZH_SENTENCES if zh else EN_SENTENCES
    joiner = "" if zh else " "
    return joiner.join(rng.choice(pool) for _ in range(sentences))


def block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.split("\n"))


def synthetic_circular(rng: random.Random, index: int, numbers: dict) -> tuple[str, str, int]:
    zh = index % 2 == 0
    issuer = ISSUERS[index % len(ISSUERS)]
    year = 2019 + index % 7
    numbers[(issuer, year)] = numbers.get((issuer, year), 0) + 1
    number = numbers[(issuer, year)]
    circular_id = f"bench-{index:05d}"
    month, day = 1 + index % 12, 1 + index % 27
    background = "\n\n".join(paragraph(rng, zh, 4) for _ in range(3))
    requirements = []
    metric = "建会率" if zh else "union building rate"
    title = (
        f"关于做好第{index}号基层工作的通知" if zh else f"Notice No. {index} on the Work at the Grassroots"
    )
    for n in range(4):
        requirements.append(
            f"  - key: {(ZH_KEYS if zh else EN_KEYS)[n]}\n"
            f"    text: {block(paragraph(rng, zh, 4), 6)}\n"
            f"    deadline: {year}-12-31\n"
            f"    responsible: [{issuer}]\n"
            + (f"    targets:\n      - {{metric: {metric}, value: '> 90%'}}\n" if n == 1 else "")
        )
    text = (
        f"id: {circular_id}\nkind: notice\nlanguage: {'zh' if zh else 'en'}\nstatus: issued\n"
        f"title: {title}\n"
        f"issuer: {issuer}\nnumber: {number}\ndate: {year}-{month:02d}-{day:02d}\nseal: true\n"
        f"to:\n  - {{children_of: {issuer}}}\n"
        f"background: {block(background, 2)}\n"
        f"requirements:\n{''.join(requirements)}"
        f"funding: {block(paragraph(rng, zh, 3), 2)}\n"
        f"tags: [{', '.join(sorted(rng.sample(TAGS, 2)))}]\n"
    )
    return circular_id, text, year


def without_pdfs(config: str) -> str:
    """The shipped mkdocs.yml with the circulars plugin's PDFs turned off."""
    return config.replace("  - circulars\n", "  - circulars:\n      pdf: false\n")


@contextmanager
def scratch_project(prefix: str, n: int, keep: bool) -> Iterator[tuple[Path, Path]]:
    """A temporary folder holding a project of n synthetic circulars (make_project):
    removed afterwards, unless kept (its place is then printed)."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        project = scratch / "project"
        make_project(project, n)
        yield scratch, project
        if keep:
            print(f"kept: {scratch}")
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def make_project(folder: Path, n: int) -> None:
    (folder / "circulars").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, folder / "circulars" / name)
    shutil.copy(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(REPO / "site", folder / "site")
    rng, numbers = random.Random(1), {}
    for index in range(n):
        circular_id, text, year = synthetic_circular(rng, index, numbers)
        path = folder / "circulars" / str(year) / f"{circular_id}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")


def capture_pages(project, scratch: Path) -> dict[str, object]:
    """The files the plugin generates, captured from a build of the project."""
    captured: dict[str, object] = {}
    original = CircularsPlugin.on_post_page

    def keep(self, output, *, page, config):
        output = original(self, output, page=page, config=config)
        if page.file.generated_by:
            captured[page.file.src_uri] = page.file.content_string
        return output

    def keep_files(self, env, *, config, files):
        for file in files:
            if file.generated_by and not file.src_uri.endswith(".md") and file.src_uri not in UI_FILES:
                captured[file.src_uri] = Path(file.abs_src_path) if file.abs_src_path else file.content_string
        return original_env(self, env, config=config, files=files)

    original_env = CircularsPlugin.on_env
    CircularsPlugin.on_post_page, CircularsPlugin.on_env = keep, keep_files
    try:
        build_site(project, scratch / "captured-site", scratch / "captured-docx")
    finally:
        CircularsPlugin.on_post_page, CircularsPlugin.on_env = original, original_env
    return captured


def _tree_memory(root: int) -> int:
    """Memory of a process and all its descendants, in bytes: the sum of their
    proportional set sizes, so that pages forked processes share count once."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                pss = next(line for line in rollup if line.startswith("Pss:"))
            total += int(pss.split()[1]) * 1024
        except (OSError, StopIteration, IndexError, ValueError):
            pass
    return total


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    """Seconds a command takes, and the peak memory of its processes together (sampled)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_memory(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    elapsed = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    return elapsed, peak


def bare_site(project: Path, captured: dict, scratch: Path, search: bool) -> Path:
    """The captured pages as plain Markdown files, with mkdocs.yml without our plugin."""
    bare = scratch / ("bare-search" if search else "bare")
    docs = bare / "docs"
    shutil.copytree(project / "site", docs)
    for src_uri, content in captured.items():
        target = docs / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content, encoding="utf-8")
    # Material's search, with its defaults, in place of ours
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - circulars\n", "  - search\n" if search else "")
    config = config.replace("docs_dir: site", "docs_dir: docs").replace(
        "custom_dir: site/overrides", "custom_dir: docs/overrides"
    )
    (bare / "mkdocs.yml").write_text(config, encoding="utf-8")
    return bare


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def row(label: str, *figures: str) -> None:
    print(f"  {label:<52}" + "".join(f" {figure:>15}" for figure in figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project and print where")
    args = parser.parse_args()
    with scratch_project("circulars-bench-", args.n, args.keep) as (scratch, project):
        # every build here shares one cache of PDFs, empty at first
        os.environ[PDF_CACHE] = str(scratch / "pdf-cache")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        python = sys.executable
        print(f"{args.n} synthetic circulars in {project} on {os.cpu_count()} cores")

        first, first_memory = timed([python, "-m", "generator", "build"], project, env)
        row("circulars build, first: LibreOffice makes every PDF", f"{first:.1f} s", megabytes(first_memory))
        # --force: every Word document written again, as before incremental builds
        # (without it, an unchanged project's documents are all kept)
        full, full_memory = timed([python, "-m", "generator", "build", "--force"], project, env)
        row("circulars build --force, the PDFs from their cache", f"{full:.1f} s", megabytes(full_memory))
        shipped = (project / "mkdocs.yml").read_text(encoding="utf-8")
        (project / "mkdocs.yml").write_text(without_pdfs(shipped), encoding="utf-8")
        no_pdf, no_pdf_memory = timed([python, "-m", "generator", "build", "--force"], project, env)
        row("circulars build without PDFs (pdf: false)", f"{no_pdf:.1f} s", megabytes(no_pdf_memory))
        (project / "mkdocs.yml").write_text(shipped, encoding="utf-8")
        print(f"  ({len(list(Path(os.environ[PDF_CACHE]).glob('*.pdf')))} PDFs in the cache)")

        # the Word documents alone, and the same pages as plain files for bare MkDocs
        loaded = load_project(project)
        started = time.perf_counter()
        build_documents(loaded, loaded.circulars, scratch / "docx-only")
        row("the Word documents alone (load excluded)", f"{time.perf_counter() - started:.1f} s")
        captured = capture_pages(loaded, scratch)
        bare_builds = {}
        for search in (True, False):
            bare = bare_site(project, captured, scratch, search)
            seconds, memory = timed([python, "-m", "mkdocs", "build", "--quiet"], bare, env)
            bare_builds[search] = (bare, seconds)
            what = "with Material's search" if search else "without search"
            row(f"bare mkdocs-material, {what}", f"{seconds:.1f} s", megabytes(memory))
        print(f"  ({len(captured)} generated files: pages, Word documents, attachments)\n")
        bare, bare_time = bare_builds[True]
        row("rebuild / bare mkdocs-material with its search", f"{full / bare_time:.2f}x", "(target: 1.5x)")
        row("rebuild / bare mkdocs-material without search", f"{full / bare_builds[False][1]:.2f}x")
        row("first build / bare mkdocs-material with its search", f"{first / bare_time:.2f}x")
        row("build without PDFs / bare with its search", f"{no_pdf / bare_time:.2f}x")
        peak = max(first_memory, full_memory, no_pdf_memory)
        row("peak memory of the full builds", megabytes(peak), "(target: 500 MB)")

        ours, theirs = project / "build" / "site", bare / "build" / "site"
        print()
        row("one circular's page, then one search, in Chromium", "ours", "bare Material")
        for circular, query in (("bench-00002", "建会率"), ("bench-00003", "workers")):
            page = f"circulars/{circular}/"
            a, b = measure(ours, page, query, OURS), measure(theirs, page, query, MATERIAL)
            print(f"  {circular}, searching {query}:")
            row("  the page", megabytes(a.page), megabytes(b.page))
            row("  one search", megabytes(a.search), megabytes(b.search))
            row("  in all (target: 1 MB)", megabytes(a.page + a.search), megabytes(b.page + b.search))
            row("  results listed", str(a.results), str(b.results))
            row("  results shown, from the start of loading", f"{a.seconds:.1f} s", f"{b.seconds:.1f} s")
        print()
        for name, site in (("ours", ours), ("bare Material", theirs)):
            path, size = largest_page(site)
            row(f"largest page, {name}", f"{size / 1e3:.0f} KB", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
