"""Source checks at their edges, each written for a planted bug that survived the suite
(issue 25): a date on the day of issue, file names that differ only in case, the order
of every change, two-digit years and numbering that starts again each year."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import circular_yaml, run, write

from generator.source.number_series import format_with

F = "circulars/2024/panzhihua-2024-07.yaml"


def circular(project: Path, circular_id: str = "panzhihua-2024-07", year: int = 2024, **changes) -> Path:
    """Write the test circular with keys replaced."""
    data = yaml.safe_load(circular_yaml(circular_id))
    data.update(changes)
    return write(project, f"circulars/{year}/{circular_id}.yaml", yaml.safe_dump(data, allow_unicode=True))


def errors(project: Path) -> tuple[int, list[str]]:
    result = run(project, "check")
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.output.splitlines() if ": error: " in line]


# Catches `when < c.date` turned `<=`: a deadline, a report or an imprint on the day of
# issue itself is allowed; the day before is not.
@pytest.mark.parametrize(
    ("key", "on"),
    [
        ("requirements", lambda day: [{"text": "要求。", "deadline": day}]),
        (
            "requirements",
            lambda day: [
                {"text": "要求。", "targets": [{"metric": "覆盖率", "value": "100%", "deadline": day}]}
            ],
        ),
        ("reporting", lambda day: [{"what": "总结", "due": day}]),
        ("printing", lambda day: {"date": day}),
    ],
)
def test_a_date_on_the_day_of_issue_is_not_before_it(project, key, on):
    circular(project, **{key: on("2024-04-18")})
    assert errors(project) == (0, [])
    circular(project, **{key: on("2024-04-17")})
    code, lines = errors(project)
    assert code == 1
    assert len(lines) == 1 and lines[0].endswith("error: 2024-04-17 is before the date of issue (2024-04-18)")


# Catches the duplicate-name check comparing names case-sensitively: Form.pdf and
# sub/form.pdf are one file on Windows and on a default macOS volume.
def test_attachment_names_that_differ_only_in_case_clash(project):
    write(project, "circulars/2024/attachments/Form.pdf", b"%PDF-1.4\n")
    write(project, "circulars/2024/attachments/sub/form.pdf", b"%PDF-1.4\n")
    circular(
        project,
        attachments=[
            {"title": "表一", "file": "attachments/Form.pdf"},
            {"title": "表二", "file": "attachments/sub/form.pdf"},
        ],
    )
    code, lines = errors(project)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].endswith(
        "error: attachment 'attachments/sub/form.pdf' has the same file name as attachment 1 "
        "('attachments/Form.pdf'), and the two would overwrite each other: rename one"
    )


# Catches the order check comparing only the first change with the date of issue.
def test_every_change_is_compared_with_the_one_before(project):
    circular(
        project, changes=[{"date": "2024-06-01", "note": "一改"}, {"date": "2024-05-01", "note": "二改"}]
    )
    code, lines = errors(project)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].endswith(
        "the change of 2024-05-01 comes before 2024-06-01: list changes oldest first, none before the circular's date"
    )
    circular(
        project, changes=[{"date": "2024-05-01", "note": "一改"}, {"date": "2024-06-01", "note": "二改"}]
    )
    assert errors(project) == (0, [])


# Catches `{yy}` written without its leading zero.
def test_two_digit_year_keeps_its_zero():
    assert format_with("{prefix}/{number:3}/{yy}", "NP", 2005, 53) == "NP/053/05"
    assert format_with("{prefix}-{yy}-{number}", "NP", 2000, 1) == "NP-00-1"


# Catches `circulars new` counting numbers across years: numbers start again each year.
def test_new_numbers_start_again_in_a_new_year(project):
    result = run(project, "new", "--issuer", "panzhihua-ftu", "--date", "2025-01-06")
    assert result.exit_code == 0, result.output
    made = yaml.safe_load((project / result.stdout.strip()).read_text(encoding="utf-8"))
    assert made["number"] == 1  # 2024 has number 7; 2025 has none yet
    result = run(project, "new", "--issuer", "panzhihua-ftu", "--date", "2024-12-30")
    made = yaml.safe_load((project / result.stdout.strip()).read_text(encoding="utf-8"))
    assert made["number"] == 8
