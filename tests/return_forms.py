"""What the returns tests share: the example circular and the unions that answer
it, a copy of the example project on a fixed day, and return forms made by the
command and filled in as a union fills them (open, type, save elsewhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from conftest import REPO, run

CIRCULAR = "panzhihua-2024-07"
PARK = "geliping-park-federation"  # answers for 2.1, 2.2, 3 and 4
COKING = "geliping-coking-union"  # answers for 4 only
TODAY = "2024-09-25"


def example_project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the example project, on 25 September 2024, with no register set."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    monkeypatch.setenv("CIRCULARS_TODAY", TODAY)
    monkeypatch.delenv("CIRCULARS_REGISTER", raising=False)
    return tmp_path


def make_forms(project: Path, *args: str, circular: str = CIRCULAR, folder: str = "forms") -> Path:
    """`circulars returns forms` into project/folder; `args` are the command's options."""
    result = run(project, "returns", "forms", circular, "-o", folder, *args)
    assert result.exit_code == 0, result.output
    return project / folder


def fill(form: Path, out: Path, answers: dict[str, dict], mutate=None) -> Path:
    """Fill a form the way a union does: open it, type into the open cells, save it elsewhere."""
    workbook = openpyxl.load_workbook(form)
    sheet = workbook.worksheets[0]
    rows = {sheet.cell(row, 1).value: row for row in range(6, sheet.max_row + 1)}
    for item, values in answers.items():
        for column, value in values.items():
            sheet[f"{column}{rows[item]}"] = value
    if mutate:
        mutate(workbook)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out
