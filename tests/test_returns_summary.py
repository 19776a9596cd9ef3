"""The progress workbook (`returns summary`) and the progress table (`returns status`)."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import run
from return_forms import CIRCULAR, PARK, example_project, fill, make_forms

RED = "00FFC7CE"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    return example_project(tmp_path, monkeypatch)


def answer_park(project: Path, answers: dict[str, dict]) -> None:
    forms = make_forms(project)
    filled = fill(forms / f"{PARK}.xlsx", project / "inbox" / "park.xlsx", answers)
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 0, result.output


def rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]


def test_the_workbook_holds_unions_requirements_and_every_answer_with_overdue_in_red(project):
    answer_park(
        project,
        {
            "2.1": {"F": "已完成", "G": "92%", "I": "NOTE", "J": "张三"},
            "3": {"F": "进行中", "G": "VALUE", "J": "张三"},
        },
    )
    # a record is YAML a secretariat may edit by hand: text that reads as a formula stays text
    record = project / "returns" / CIRCULAR / f"{PARK}.yaml"
    text = record.read_text(encoding="utf-8").replace("NOTE", "'=HYPERLINK(\"http://x\")'")
    record.write_text(text.replace("VALUE", "'=1+1'"), encoding="utf-8")
    result = run(project, "returns", "summary", CIRCULAR, "-o", "汇总表.xlsx")
    assert result.exit_code == 0, result.output
    assert "1 of 40 items done (3%), 1 overdue: 汇总表.xlsx" in result.stdout
    workbook = openpyxl.load_workbook(project / "汇总表.xlsx")
    assert workbook.sheetnames == ["按单位", "按要求", "明细"]
    unions, requirements, details = workbook.worksheets
    assert "落实情况汇总（截至2024-09-25）" in unions["A1"].value
    assert [c.value for c in unions[3]] == ["单位代码", "单位名称", "已完成", "事项数", "完成率", "逾期"]

    by_org = {r[0]: r for r in rows(unions)}
    assert by_org[PARK][1:] == ["格里坪特色产业园区工会联合会", 1, 4, 0.25, 0]
    assert by_org["panzhihua-ftu-stationing-team"][5] == 1  # item 1 was due on 30 April
    assert len(by_org) == len(rows(unions))
    team_row = next(
        r for r in range(4, unions.max_row + 1) if unions.cell(r, 1).value.startswith("panzhihua")
    )
    park_row = next(r for r in range(4, unions.max_row + 1) if unions.cell(r, 1).value == PARK)
    assert unions.cell(team_row, 1).fill.fgColor.rgb == RED
    assert unions.cell(park_row, 1).fill.fgColor.rgb != RED
    assert unions.cell(park_row, 5).number_format == "0%"

    by_item = {r[0]: r for r in rows(requirements)}
    assert list(by_item) == ["1", "2.1", "2.2", "3", "4"]
    assert by_item["2.1"][1].startswith("抓住关键：") and by_item["2.1"][2:4] == ["建会率", "＞90%"]
    assert by_item["2.1"][5:] == [1, 2, 0]  # the park is done, the stationing team is not
    assert by_item["1"][5:] == [0, 1, 1]

    answers = {(r[0], r[2]): r for r in rows(details)}
    assert len(answers) == 40
    done = answers[(PARK, "2.1")]
    assert done[7:12] == ["已完成", "92%", None, '=HYPERLINK("http://x")', "张三"]
    assert answers[(PARK, "3")][7:9] == ["进行中", "=1+1"]
    assert answers[("panzhihua-ftu-stationing-team", "1")][7] == "未报送"
    assert answers[("panzhihua-ftu-stationing-team", "1")][12] == "逾期"
    # what a union typed stays text: no cell of the workbook is a formula
    for sheet in workbook.worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    overdue_rows = [r for r in range(4, details.max_row + 1) if details.cell(r, 13).value == "逾期"]
    assert overdue_rows and all(details.cell(r, 8).fill.fgColor.rgb == RED for r in overdue_rows)
    assert all(
        details.cell(r, 8).fill.fgColor.rgb != RED
        for r in range(4, details.max_row + 1)
        if r not in overdue_rows
    )


def test_the_workbook_is_refused_in_the_sources_and_needs_an_xlsx_name(project):
    result = run(project, "returns", "summary", CIRCULAR, "-o", "circulars/汇总表.xlsx")
    assert result.exit_code != 0 and "cannot write the progress workbook into circulars/" in result.output
    assert not (project / "circulars" / "汇总表.xlsx").exists()
    result = run(project, "returns", "summary", CIRCULAR, "-o", "汇总表.csv")
    assert result.exit_code != 0 and "must end in .xlsx" in result.output
    result = run(project, "returns", "summary", CIRCULAR)
    assert result.exit_code == 0, result.output
    assert (project / "build" / "returns" / f"{CIRCULAR}-progress.xlsx").exists()
    # a circular asking nobody for anything has no progress to keep
    result = run(project, "returns", "summary", "rmt-2015-np-183")
    assert result.exit_code != 0 and "no requirement names a responsible organization" in result.output
    assert not (project / "build" / "returns" / "rmt-2015-np-183-progress.xlsx").exists()


def test_status_shows_each_items_requirement_and_target_and_each_unions_rate(project):
    answer_park(project, {"2.1": {"F": "已完成", "G": "92%", "J": "张三"}})
    result = run(project, "returns", "status", CIRCULAR)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    item = next(x for x in lines if x.startswith("2.1") and PARK in x)
    assert "抓住关键" in item and "建会率 ＞90%" in item and "92%" in item
    union = next(x for x in lines if x.startswith(PARK) and "of 4" in x)
    assert union.split()[1:5] == ["格里坪特色产业园区工会联合会", "1", "of", "4"] and "25%" in union
    assert "1 of 40 items done (3%)" in result.stdout


def test_a_deadline_keeps_its_time_of_day_on_the_form_and_in_the_workbook(project):
    source = project / "circulars" / "2024" / f"{CIRCULAR}.yaml"
    text = source.read_text(encoding="utf-8")
    assert text.count("deadline: 2024-04-30\n") == 1
    source.write_text(
        text.replace("deadline: 2024-04-30\n", "deadline: 2024-04-30 17:00\n"), encoding="utf-8"
    )
    forms = make_forms(project)
    form = openpyxl.load_workbook(forms / "panzhihua-ftu-stationing-team.xlsx").worksheets[0]
    due = form["E6"]
    assert form["A6"].value == "1" and due.value == datetime.datetime(2024, 4, 30, 17, 0)
    assert due.number_format == "yyyy-mm-dd hh:mm"
    assert form["E7"].value == datetime.datetime(2024, 9, 30) and form["E7"].number_format == "yyyy-mm-dd"
    assert run(project, "returns", "summary", CIRCULAR).exit_code == 0
    workbook = openpyxl.load_workbook(project / "build" / "returns" / f"{CIRCULAR}-progress.xlsx")
    first = workbook.worksheets[1]["E4"]
    assert first.value == datetime.datetime(2024, 4, 30, 17, 0) and first.number_format == "yyyy-mm-dd hh:mm"
