"""Benchmark: return forms for N organizations, and the import of N filled forms, on one core.

    python bench/bench_returns.py [--n 2000]

A temporary project holds the example registry plus N grassroots unions under
the Geliping park federation, which panzhihua-2024-07 makes responsible for its
fourth requirement. Prints, side by side, in one run:

1. `circulars returns forms`: every form written (styles, drop-down, protection,
   identity sheet, fixed timestamps) against a plain openpyxl loop writing the
   same cells to the same number of workbooks;
2. `circulars returns import`: every filled form read, checked and recorded in
   returns/ against a plain openpyxl loop reading the same cells.

The goal is within 1.5x of the plain loop.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.distribution.returns.forms import FormWriter, write_forms  # noqa: E402
from generator.distribution.returns.importing import import_returns  # noqa: E402
from generator.distribution.returns.layout import FIRST_ROW, HEADER_ROW, headers  # noqa: E402
from generator.source.loading import load_project  # noqa: E402

CIRCULAR = "panzhihua-2024-07"
TODAY = datetime.date(2024, 9, 25)


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


def plain_forms(writer: FormWriter, organizations: list[str], out_dir: Path) -> None:
    """The same cells, written by a bare openpyxl loop: no styles, validation or protection."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lang = writer.circular.language
    for org in organizations:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.cell(1, 1, writer.circular.title)
        sheet.cell(2, 1, org)
        sheet.cell(3, 1, writer.issuer)
        for column, header in enumerate(headers(lang), 1):
            sheet.cell(HEADER_ROW, column, header)
        items = writer.items(org)
        for row, item in enumerate(items, FIRST_ROW):
            for column, value in enumerate(writer._prefilled(item), 1):
                sheet.cell(row, column, value)
        meta = workbook.create_sheet("circulars")
        for row in [("circular", writer.circular.id), ("edition", writer.edition), ("organization", org)]:
            meta.append(row)
        for row, item in enumerate(items, FIRST_ROW):
            meta.append(("row", row, item.requirement, item.target or 0))
        workbook.save(out_dir / f"{org}.xlsx")


def plain_read(files: list[Path]) -> int:
    """Read the same cells by a bare openpyxl loop."""
    cells = 0
    for path in files:
        workbook = openpyxl.load_workbook(path, read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
        workbook.close()
    return cells


def fill(forms: list[Path], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    filled = []
    for path in forms:
        workbook = openpyxl.load_workbook(path)
        sheet = workbook.worksheets[0]
        for row in range(FIRST_ROW, sheet.max_row + 1):
            sheet[f"F{row}"] = "进行中"
            sheet[f"G{row}"] = "85%"
            sheet[f"H{row}"] = datetime.date(2024, 9, 20)
            sheet[f"J{row}"] = "张三"
        target = out_dir / path.name
        workbook.save(target)
        filled.append(target)
    return filled


def best(rounds: int, function, *args, before=None):
    """The shortest of `rounds` runs (a busy machine only ever makes a run slower)."""
    times, result = [], None
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def line(label: str, count: int, seconds: float, baseline: float | None = None) -> str:
    ratio = f"   {seconds / baseline:4.2f}x the plain loop" if baseline else ""
    return f"  {label:<34} {count / seconds:7.0f}/s   ({seconds * 1000 / count:6.2f} ms each){ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="grassroots unions added to the registry")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="circulars-bench-returns-") as scratch:
        root = Path(scratch)
        make_project(root, args.n)
        project = load_project(root)
        circular = project.source(CIRCULAR).circular
        writer = FormWriter(project, circular)
        organizations = writer.organizations
        count = len(organizations)
        print(f"{CIRCULAR}: {count} organizations with a form (N = {args.n} added)")

        rounds = args.rounds
        print(f"forms out (best of {rounds})")
        plain_s, _ = best(rounds, plain_forms, writer, organizations, root / "plain-forms")
        print(line("plain openpyxl loop", count, plain_s))
        ours_s, written = best(rounds, write_forms, project, circular, root / "forms")
        print(line("circulars returns forms", count, ours_s, plain_s))

        files = fill([path for _, path in written], root / "inbox")
        print(f"returns in (best of {rounds})")
        read_s, _ = best(rounds, plain_read, files)
        print(line("plain openpyxl read loop", count, read_s))
        shown = [(path, path.name) for path in files]

        def forget() -> None:
            shutil.rmtree(root / "returns", ignore_errors=True)

        import_s, outcomes = best(rounds, import_returns, project, shown, TODAY, before=forget)
        refused = [o for o in outcomes if o.received.problems]
        assert not refused, refused[0].received.problems
        assert all(o.recorded for o in outcomes)
        print(line("circulars returns import", count, import_s, read_s))
        again_s, outcomes = best(rounds, import_returns, project, shown, TODAY)
        assert all(o.duplicate for o in outcomes)
        print(line("the same files again (duplicates)", count, again_s, read_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
