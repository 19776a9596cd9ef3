"""Parts of a circular that real ones vary: number series, generated parts switched off or
replaced, recipient groups, times of day, reporting in the circular's own words, the
letter form of a 函, organization kinds; and the errors for each, at file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ORGANIZATIONS, circular_yaml, problems, run, write
from docx_reading import blocks

F = "circulars/2024/panzhihua-2024-07.yaml"

# panzhihua-ftu numbers notices 攀工发 (its prefix), office notices 攀工办发 and
# letters 攀工函, each with its own counter; `staff` writes them another way.
SERIES = """\
    series:
      - {id: office, prefix: {zh: 攀工办发}}
      - {id: letters, prefix: {zh: 攀工函}}
      - {id: staff, prefix: {zh: 攀工人, en: PZH}, pattern: {zh: "{prefix}-{yy}-{number:3}", en: "{prefix}/{number:3}/{yy}"}}
"""


@pytest.fixture
def series_project(project: Path) -> Path:
    orgs = ORGANIZATIONS.replace(
        "    prefix: {zh: 攀工发, en: Panzhihua FTU}\n",
        "    prefix: {zh: 攀工发, en: Panzhihua FTU}\n" + SERIES,
    )
    write(project, "circulars/organizations.yaml", orgs)
    return project


def circular(project: Path, circular_id: str = "panzhihua-2024-07", **changes) -> Path:
    """Write a circular: the test circular with keys replaced (None removes one)."""
    data = yaml.safe_load(circular_yaml(circular_id))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return write(project, f"circulars/2024/{circular_id}.yaml", yaml.safe_dump(data, allow_unicode=True))


def check(project: Path) -> tuple[int, list[str]]:
    result = run(project, "check")
    return result.exit_code, [line for line in result.output.splitlines() if ": error: " in line]


def build(project: Path, tmp_path: Path, circular_id: str = "panzhihua-2024-07") -> list[tuple[str, str]]:
    out = tmp_path / "out"
    result = run(project, "build", circular_id, "-o", str(out))
    assert result.exit_code == 0, result.output
    return [(name, text) for name, text in blocks(out / "docx" / f"{circular_id}.docx") if text.strip()]


def texts(shown: list[tuple[str, str]], style: str) -> list[str]:
    return [text for name, text in shown if name == style]


# --- numbers ------------------------------------------------------------------------


def test_series_number_their_own_and_patterns_write_them(series_project, tmp_path):
    circular(series_project, "office-3", series="office", number=3)
    circular(series_project, "letter-3", series="letters", number=3)
    circular(series_project, "staff-5", series="staff", number=5)
    assert check(series_project) == (0, [])  # 3 in three series (7 in the default) is no clash
    assert texts(build(series_project, tmp_path, "office-3"), "Doc Number") == ["攀工办发〔2024〕3号"]
    assert texts(build(series_project, tmp_path, "staff-5"), "Doc Number") == ["攀工人-24-005"]


def test_a_series_that_does_not_exist(series_project, tmp_path):
    path = circular(series_project, series="notices")
    line = path.read_text(encoding="utf-8").splitlines().index("series: notices") + 1
    code, errors = check(series_project)
    assert code == 1
    assert errors == [
        f"{F}:{line}:9: error: organization 'panzhihua-ftu' has no series 'notices' (its series: office, letters, staff)"
    ]
    result = run(series_project, "build", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and not (tmp_path / "out/docx/panzhihua-2024-07.docx").exists()


def test_a_number_taken_in_its_series(series_project):
    circular(series_project, "office-3", series="office", number=3)
    path = circular(series_project, "office-3b", series="office", number=3)
    line = path.read_text(encoding="utf-8").splitlines().index("number: 3") + 1
    code, errors = check(series_project)
    assert code == 1
    assert errors == [
        f"circulars/2024/office-3b.yaml:{line}:9: error: document number 攀工办发〔2024〕3号 is already used "
        "by circulars/2024/office-3.yaml:" + str(line)
    ]


def test_a_pattern_with_an_unknown_placeholder(series_project):
    orgs = series_project / "circulars/organizations.yaml"
    text = orgs.read_text(encoding="utf-8").replace("{number:3}/{yy}", "{number:3}/{month}")
    orgs.write_text(text, encoding="utf-8")
    code, errors = check(series_project)
    assert code == 1
    # (the registry is then invalid, so people.yaml's reference to the organization fails too)
    assert "unknown placeholder '{month}' in the pattern" in errors[0]
    assert errors[0].startswith("circulars/organizations.yaml:16:")


def test_no_number_for_an_issued_notice(project, tmp_path):
    circular(project, number=None)
    assert check(project) == (0, [])
    shown = build(project, tmp_path)
    assert not [name for name, _ in shown if name.startswith("Doc Number")]
    assert texts(shown, "Organ Mark") == ["攀枝花市总工会文件"]  # the letterhead stays


def test_new_picks_the_next_number_in_the_series(series_project):
    circular(series_project, "office-3", series="office", number=3)
    result = run(
        series_project, "new", "--issuer", "panzhihua-ftu", "--series", "office", "--date", "2024-05-01"
    )
    assert result.exit_code == 0, result.output
    made = yaml.safe_load((series_project / result.stdout.strip()).read_text(encoding="utf-8"))
    assert (made["series"], made["number"]) == ("office", 4)
    result = run(series_project, "new", "--issuer", "panzhihua-ftu", "--no-number", "--date", "2024-05-02")
    made = yaml.safe_load((series_project / result.stdout.strip()).read_text(encoding="utf-8"))
    assert "number" not in made and "series" not in made
    assert run(series_project, "check").exit_code == 0
    wrong = run(series_project, "new", "--issuer", "panzhihua-ftu", "--series", "nope")
    assert wrong.exit_code == 2 and "has no series 'nope'" in wrong.output


# --- generated parts switched off or replaced -------------------------------------


@pytest.mark.parametrize("blank", ["", " ", "\u3000\n"])
def test_a_blank_closing_is_refused_with_the_way_out(project, tmp_path, blank):
    path = circular(project, closing=blank)
    line = (
        path.read_text(encoding="utf-8")
        .splitlines()
        .index(next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("closing:")))
        + 1
    )
    code, errors = check(project)
    assert code == 1 and len(errors) == 1
    assert errors[0].startswith(f"{F}:{line}:10: error: ")
    assert errors[0].endswith("(write false for none)")
    assert run(project, "build", "-o", str(tmp_path / "out")).exit_code == 1


def test_blank_text_anywhere_is_refused(project):
    circular(project, background="  \n ")
    code, errors = check(project)
    assert code == 1 and "is blank: write the text, or leave the key out" in errors[0]


def test_closing_false_own_text_and_default(project, tmp_path):
    circular(project, closing=False)
    shown = build(project, tmp_path)
    assert texts(shown, "Closing") == [] and "{:" not in "".join(text for _, text in shown)
    circular(project, closing="特此函告")
    assert texts(build(project, tmp_path), "Closing") == ["特此函告"]
    circular(project, closing=None)
    assert texts(build(project, tmp_path), "Closing") == ["特此通知。"]


def test_no_imprint_and_no_cc_means_no_closing_block(project, tmp_path):
    circular(project, printing=False)
    shown = build(project, tmp_path)
    assert not [name for name, _ in shown if name in ("CC", "Imprint")]


def test_the_letter_form_of_a_letter(project, tmp_path):
    circular(project, kind="letter", number=2)
    shown = build(project, tmp_path)
    names = [name for name, _ in shown]
    assert names[:4] == ["Organ Mark Letter", "Doc Number Letter", "Title", "Recipients"]
    assert texts(shown, "Organ Mark Letter") == ["攀枝花市总工会"]  # no 文件
    assert texts(shown, "Closing") == ["特此函告。"]
    assert "Imprint" not in names  # the letter form's 版记 has no 印发 line
    assert "Double Rule" in [name for name, _ in blocks(tmp_path / "out/docx/panzhihua-2024-07.docx")]
    circular(project, kind="letter", letterhead="document", printing={"org": "panzhihua-ftu"})
    names = [name for name, _ in build(project, tmp_path)]
    assert "Organ Mark" in names and "Imprint" in names


def test_salutation_close_references_and_signature_lines(project, tmp_path):
    circular(
        project,
        language="en",
        title="Notice",
        references=[{"label": "Our Ref:", "text": "AB/1"}, {"label": "Your Ref:", "text": "CD/2"}],
        salutation="Dear Colleagues,",
        complimentary_close="Yours sincerely,",
    )
    shown = build(project, tmp_path)
    assert texts(shown, "Reference Extra") == ["Our Ref: AB/1", "Your Ref: CD/2"]
    assert texts(shown, "Reference")[0].startswith("Ref. Panzhihua FTU [2024] No. 7\t")
    assert texts(shown, "Salutation") == ["Dear Colleagues,"]
    assert texts(shown, "Complimentary Close") == ["Yours sincerely,"]
    assert texts(shown, "Signature Title") == ["Vice Chairman"]  # under a close: the title alone


# --- recipients ---------------------------------------------------------------------------


def test_recipients_joined_as_gbt9704(project, tmp_path):
    circular(
        project,
        to=[["geliping-park", "coking-union"], {"label": "各基层工会", "in_registry": False}],
        cc=[["sichuan-ftu", {"label": "市委办公室", "in_registry": False}]],
    )
    checked = run(project, "check", "--strict")
    assert problems(checked) == [] and checked.stderr == ""  # by label alone, on purpose: no warning
    shown = build(project, tmp_path)
    assert texts(shown, "Recipients") == [
        "格里坪特色产业园区工会联合会、格里坪焦化有限公司工会，各基层工会："
    ]
    assert texts(shown, "CC") == ["抄送：四川省总工会、市委办公室。"]


LABEL_ONLY = """\
to:
  - geliping-park
  - {label: 各基层工会}
  - {label: 全体职工代表, in_registry: false}
cc:
  - [sichuan-ftu, {label: 市委办公室}]
"""


def test_a_group_by_label_alone_warns_that_nobody_in_it_gets_a_copy(project, tmp_path):
    write(project, F, circular_yaml().replace("to:\n  - geliping-park\n", LABEL_ONLY))
    warned = "has no member in the registry: nobody in it gets a copy (select its members with "
    expected = [
        f"{F}:12:5: warning: the group '各基层工会' {warned}"
        "children_of or all_under, or write in_registry: false to give it by its label alone)",
        f"{F}:15:19: warning: the group '市委办公室' {warned}"
        "children_of or all_under, or write in_registry: false to give it by its label alone)",
    ]
    result = run(project, "check")
    assert result.exit_code == 0 and result.stdout.splitlines() == expected
    assert run(project, "check", "--strict").exit_code == 1
    # build says so too, and builds: a warning, not an error
    built = run(project, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert built.exit_code == 0 and built.stderr.splitlines() == expected
    shown = blocks(tmp_path / "out" / "docx" / "panzhihua-2024-07.docx")
    assert texts(shown, "Recipients") == ["格里坪特色产业园区工会联合会，各基层工会，全体职工代表："]


def test_in_registry_false_is_only_for_a_group_by_label(project):
    for written, expected in [
        (
            "{children_of: geliping-park, label: 园区各企业工会, in_registry: false}",
            f"{F}:11:5: error: 'in_registry' is for a group given by its 'label' alone, not a selector",
        ),
        (
            "{label: 各基层工会, in_registry: true}",
            f"{F}:11:5: error: a group given by its label alone is not in the registry: write "
            "'in_registry: false', or select its members with 'children_of' or 'all_under'",
        ),
    ]:
        write(project, F, circular_yaml().replace("  - geliping-park\n", f"  - {written}\n", 1))
        code, errors = check(project)
        assert code == 1 and len(errors) == 1 and errors[0] == expected, errors


def test_a_selector_without_registered_members_is_a_warning(project):
    circular(project, to=[{"children_of": "coking-union", "label": "各车间工会"}])
    result = run(project, "check")
    assert result.exit_code == 0
    assert "warning: this selector matches no organization in the registry" in result.output


# --- times of day and reporting ------------------------------------------------------------


def test_deadlines_with_a_time_of_day(project, tmp_path):
    circular(
        project,
        requirements=[
            {
                "key": "报名",
                "text": "按时报名。",
                "deadline": "2024-05-10 17:00",
                "responsible": ["geliping-park"],
            }
        ],
        reporting=[{"what": "报名表", "due": "2024-05-10 17:00"}],
    )
    assert check(project) == (0, [])
    shown = build(project, tmp_path)
    assert "完成时限：2024年5月10日17:00" in texts(shown, "Requirement Meta")[0]
    table = [text for name, text in shown if name.startswith("Table")]
    assert table[:3] == ["报送事项", "报送至", "报送时间"]  # 报送至: where reports go, not who sends them
    assert table[3:] == ["报名表", "攀枝花市总工会", "2024年5月10日17:00前"]


@pytest.mark.parametrize(
    "when, message",
    [
        ("2024-05-10 25:00", "'2024-05-10 25:00' is not a real time of day (00:00 to 23:59)"),
        ("2024-05-10 5pm", "'2024-05-10 5pm' is not a date: write it as YYYY-MM-DD or YYYY-MM-DD HH:MM"),
    ],
)
def test_bad_times(project, when, message):
    circular(project, requirements=[{"text": "按时报名。", "deadline": when}])
    code, errors = check(project)
    assert code == 1 and len(errors) == 1 and message in errors[0]


def test_reporting_in_the_circulars_own_words_has_no_table(project, tmp_path):
    duty = "即日起开始报名，3月29日前将报名表送交校工会。"
    circular(project, reporting=[{"text": duty, "due": "2024-04-29", "to": "panzhihua-ftu"}])
    shown = build(project, tmp_path)
    assert texts(shown, "Reporting Duty") == [duty]
    assert not [name for name, _ in shown if name.startswith("Table")]


# --- organization kinds --------------------------------------------------------------------


def test_kinds_declared_in_the_registry(project):
    orgs = project / "circulars/organizations.yaml"
    text = orgs.read_text(encoding="utf-8").replace("kind: grassroots-union", "kind: workshop-union")
    orgs.write_text(text, encoding="utf-8")
    code, errors = check(project)
    assert code == 1
    assert errors[0].startswith("circulars/organizations.yaml:20:11: error: unknown kind 'workshop-union'")
    assert errors[0].endswith("declare it under 'kinds:' at the top of organizations.yaml")
    kinds = "kinds:\n  - {id: workshop-union, name: {zh: 车间工会}, group: {zh: 车间工会}}\n"
    orgs.write_text(kinds + text, encoding="utf-8")
    assert check(project) == (0, [])
    circular(project, to=[{"children_of": "geliping-park", "kind": "workshop-union"}])
    assert check(project) == (0, [])
