"""Benchmark: numbered, addressed copies of one circular for N recipients.

    python bench/bench_distribution.py [--n 2000]

A temporary project holds the example registry plus N grassroots unions under
the Geliping park federation, which panzhihua-2024-07 addresses as a group.
Prints, side by side, in one run:

1. copies made by patching one rendering (what `circulars distribute` does),
   in memory and then with every file written and recorded in the register,
   in one process (-j 1) and in two (-j 2);
2. the return forms that go in the bundles (every union answers for one
   requirement), in memory: openpyxl writes each one;
3. copies rendered from scratch (Jinja, Markdown, DOCX for each recipient).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.distribution.copies import CopyMaker, copy_number_text  # noqa: E402
from generator.distribution.register import Register  # noqa: E402
from generator.distribution.run import Distribution  # noqa: E402
from generator.docx.writer import DocxWriter  # noqa: E402
from generator.render.renderer import CopyMarks, Renderer  # noqa: E402
from generator.source.loading import load_project  # noqa: E402

CIRCULAR = "panzhihua-2024-07"


def make_project(folder: Path, n: int) -> None:
    shutil.copytree(REPO / "circulars", folder / "circulars")
    extra = "".join(
        f"\n  - id: bench-union-{i:05d}\n"
        f"    name: {{en: Bench Enterprise No. {i} Trade Union, zh: 园区第{i}号企业工会}}\n"
        "    kind: grassroots-union\n    parent: geliping-park-federation\n"
        f"    email: union{i:05d}@bench.example.org\n"
        for i in range(n)
    )
    organizations = folder / "circulars/organizations.yaml"
    organizations.write_text(organizations.read_text(encoding="utf-8") + extra, encoding="utf-8")


def rate(count: int, seconds: float, one: str = "copy", many: str = "copies") -> str:
    return f"{count / seconds:8.0f} {many}/s   ({seconds * 1000 / count:6.2f} ms per {one})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="grassroots unions added to the registry")
    parser.add_argument("--scratch-sample", type=int, default=200, help="copies rendered from scratch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="circulars-bench-dist-") as scratch:
        root = Path(scratch)
        make_project(root, args.n)
        project = load_project(root)
        assert not project.diagnostics.has_errors(), project.diagnostics.errors[:3]
        register = Register(root / "register.sqlite3")
        distribution = Distribution(project, CIRCULAR, root / "dist", register)
        recipients = distribution.recipients
        print(f"{CIRCULAR} to {len(recipients)} recipients")

        maker: CopyMaker = distribution.maker
        started = time.perf_counter()
        for number, recipient in enumerate(recipients, 1):
            maker.make(number, recipient.org.id, distribution.name_of(recipient))
        patched = time.perf_counter() - started
        print(f"  patching one rendering, in memory           {rate(len(recipients), patched)}")

        owing = [r for r in recipients if distribution.forms.name(r.org.id)]
        started = time.perf_counter()
        for recipient in owing:
            distribution.forms.writer.write(recipient.org.id)
        forms = time.perf_counter() - started
        label = f"return forms ({len(owing)} of them), in memory"
        print(f"  {label:46} {rate(len(owing), forms, 'form', 'forms')}")

        prepared = {}
        for jobs in (1, 2):  # each into a fresh folder and register: every copy written and recorded anew
            run = Distribution(
                project, CIRCULAR, root / f"dist-j{jobs}", Register(root / f"register-j{jobs}.sqlite3")
            )
            run.jobs = jobs
            started = time.perf_counter()
            run.prepare(pdf=False)
            prepared[jobs] = time.perf_counter() - started
            run.register.close()
            label = f"patching, forms, files written and registered, -j {jobs}"
            print(f"  {label:52} {rate(len(recipients), prepared[jobs])}")

        renderer = Renderer(project.root, project.registry)
        writer = DocxWriter(project.root, project.registry)
        circular = distribution.circular
        sample = recipients[: args.scratch_sample]
        started = time.perf_counter()
        for number, recipient in enumerate(sample, 1):
            marks = CopyMarks(copy_number_text(number), distribution.name_of(recipient))
            writer.write(renderer.render(circular, copy=marks))
        from_scratch = time.perf_counter() - started
        print(f"  rendering each copy from scratch ({len(sample)} of them) {rate(len(sample), from_scratch)}")
        print()
        per_copy_patched = patched / len(recipients)
        speedup = from_scratch / len(sample) / per_copy_patched
        print(f"  patching is {speedup:.1f}x faster than rendering each copy from scratch")
        print(
            f"  target: at least 500 copies/s per core; made {len(recipients) / patched:.0f}/s in memory, "
            f"{len(recipients) / prepared[1]:.0f}/s with files and register, "
            f"{len(recipients) / prepared[2]:.0f}/s with -j 2"
        )
        register.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
