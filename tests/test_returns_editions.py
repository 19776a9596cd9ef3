"""Returns that survive corrected editions and translations; reminders that cannot blow up."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run
from return_forms import CIRCULAR, COKING, PARK, TODAY, example_project, fill
from return_forms import make_forms as _make_forms

ENGLISH = f"{CIRCULAR}-en"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    return example_project(tmp_path, monkeypatch)


def make_forms(project: Path, circular: str = CIRCULAR) -> Path:
    """A circular's forms in a folder of their own, forms-<id>: both versions' side by side."""
    return _make_forms(project, circular=circular, folder=f"forms-{circular}")


def circulars(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The command in a process of its own: its exit code is the one a shell sees."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | env,
    )


# --- reminders that cannot blow up -------------------------------------------------------------


def test_a_horizon_past_the_last_date_is_a_message_not_a_traceback(project):
    huge = circulars(project, "remind", CIRCULAR, "--days", "99999999999")
    assert huge.returncode == 2, huge.stderr
    assert "Invalid value for '--days': 99999999999 is not in the range 0<=x<=36500" in huge.stderr
    assert "Traceback" not in huge.stderr

    far = circulars(project, "remind", CIRCULAR, CIRCULARS_TODAY="9999-12-31")
    assert far.returncode == 1, far.stderr
    assert "Traceback" not in far.stderr
    assert f"error: {CIRCULAR}: 7 days after 9999-12-31 is past the last date there is (9999-12-31)" in (
        far.stderr
    )
    # the largest horizon allowed still works on a real today, and finds every item due
    widest = circulars(project, "remind", CIRCULAR, "--days", "36500")
    assert widest.returncode == 0, widest.stderr
    assert "33 organizations with items overdue or due within 36500 days" in widest.stdout


def test_a_template_that_fails_for_one_organization_sends_nothing(project, smtp):
    (project / "templates").mkdir()
    template = (REPO / "templates" / "reminder.txt.j2").read_text(encoding="utf-8")
    # the coking union comes late in the circular's order: 31 reminders would have gone before it
    broken = template.replace(
        "{{ recipient }}：", "{{ recipient }}：{{ (1 / 0) if recipient == '格里坪焦化有限公司工会' else '' }}"
    )
    assert broken != template
    (project / "templates" / "reminder.txt.j2").write_text(broken, encoding="utf-8")
    result = circulars(project, "remind", CIRCULAR, "--send")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "reminder.txt.j2:3: template error: division by zero; nothing was sent" in result.stderr
    assert smtp.messages == []
    with sqlite3.connect(project / "register.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 0


# --- answers that survive a corrected edition ----------------------------------------------------


def imported(project: Path, *files: Path) -> None:
    result = run(project, "returns", "import", *map(str, files))
    assert result.exit_code == 0, result.output


def status(project: Path, circular: str = CIRCULAR) -> dict:
    result = run(project, "returns", "status", circular, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) | {"warnings": result.stderr}


def answer(state: dict, org: str, label: str) -> str | None:
    [found] = [i for i in state["items"] if i["organization"] == org and i["item"] == label]
    return found["status"]


def edit(project: Path, circular: str, change) -> None:
    path = project / "circulars" / "2024" / f"{circular}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


NEW_FIRST = {
    "key": "加强领导",
    "text": "各单位要成立驻点工作专班，明确责任人。\n",
    "responsible": [PARK, COKING],
    "deadline": datetime.date(2024, 9, 30),
}


def test_a_requirement_inserted_at_the_top_moves_no_answer_to_another_requirement(project):
    forms = make_forms(project)
    imported(
        project,
        fill(forms / f"{PARK}.xlsx", project / "in/park.xlsx", {"3": {"F": "进行中"}, "4": {"F": "已完成"}}),
        fill(forms / f"{COKING}.xlsx", project / "in/coking.xlsx", {"4": {"F": "已完成"}}),
    )
    record = yaml.safe_load((project / f"returns/{CIRCULAR}/{COKING}.yaml").read_text(encoding="utf-8"))
    [entry] = record["requirements"][0]["entries"]
    assert entry["asked"]["key"] == "服务职工" and entry["asked"]["text"].startswith("驻点干部要不等不靠")

    # the corrected edition: a new first requirement; the old 1 to 4 are now 2 to 5
    edit(project, CIRCULAR, lambda data: data["requirements"].insert(0, NEW_FIRST))
    state = status(project)
    assert answer(state, COKING, "1") is None  # the new requirement: nobody has answered it
    assert answer(state, COKING, "5") == "done"  # its answer stays with 服务职工
    assert answer(state, PARK, "4") == "in-progress"  # 解决问题, which was 3
    assert answer(state, PARK, "5") == "done"
    assert answer(state, PARK, "1") is None and answer(state, PARK, "3.1") is None
    assert state["unmapped"] == [] and state["warnings"] == ""

    # a later return on the new edition's numbers adds to the same record, and wins
    forms = make_forms(project)
    imported(project, fill(forms / f"{COKING}.xlsx", project / "in/coking-2.xlsx", {"5": {"F": "受阻"}}))
    state = status(project)
    assert answer(state, COKING, "5") == "blocked" and answer(state, COKING, "1") is None

    # so does a return typed by hand, which keeps what it answered as well
    by_hand = project / "in" / "phoned-in.yaml"
    by_hand.write_text(
        f"circular: {CIRCULAR}\norganization: {COKING}\nanswers:\n  - {{requirement: 1, status: 进行中}}\n",
        encoding="utf-8",
    )
    imported(project, by_hand)
    record = yaml.safe_load((project / f"returns/{CIRCULAR}/{COKING}.yaml").read_text(encoding="utf-8"))
    [first] = [r for r in record["requirements"] if r["requirement"] == 1]
    assert first["entries"][0]["asked"] == {
        "key": "加强领导",
        "text": "各单位要成立驻点工作专班，明确责任人。",
    }
    assert answer(status(project), COKING, "1") == "in-progress"


def test_a_corrected_text_or_reordered_targets_keep_their_answers(project):
    forms = make_forms(project)
    imported(
        project,
        fill(forms / f"{PARK}.xlsx", project / "in/park.xlsx", {"2.1": {"F": "已完成"}, "3": {"F": "受阻"}}),
    )

    def correct(data):
        data["requirements"][2]["text"] = data["requirements"][2]["text"].replace("活动阵地", "活动场所")
        data["requirements"][2]["key"] = "解决难题"  # key and text corrected: the text is still close
        data["requirements"][1]["targets"].reverse()  # 建会率 is now target 2

    edit(project, CIRCULAR, correct)
    state = status(project)
    assert answer(state, PARK, "2.2") == "done" and answer(state, PARK, "2.1") is None
    assert answer(state, PARK, "3") == "blocked"
    assert state["unmapped"] == []


def test_an_answer_whose_requirement_was_removed_is_reported_not_moved(project):
    forms = make_forms(project)
    imported(
        project,
        fill(forms / f"{PARK}.xlsx", project / "in/park.xlsx", {"3": {"F": "已完成"}, "4": {"F": "进行中"}}),
    )
    edit(project, CIRCULAR, lambda data: data["requirements"].pop(2))  # 解决问题 is gone; 服务职工 is 3
    result = run(project, "returns", "status", CIRCULAR)
    assert result.exit_code == 0, result.output
    record = f"returns/{CIRCULAR}/{PARK}.yaml"
    assert f"{record}:" in result.stderr and "warning: the answer on item 3 (park.xlsx" in result.stderr
    assert "no requirement of the circular as it is now asks what it answered" in result.stderr
    assert "Not counted: answers that match no item of the circular as it is now" in result.stdout
    state = status(project)
    assert answer(state, PARK, "3") == "in-progress"  # 服务职工's own answer, not 解决问题's 已完成
    [lost] = state["unmapped"]
    assert (lost["organization"], lost["item"], lost["status"]) == (PARK, "3", "done")
    # the tracker leaves it out too, and says so
    tracked, problems = tracker_rows(project)
    assert tracked[(CIRCULAR, 3)][PARK] == "in-progress"
    assert any("the answer on item 3 (park.xlsx" in p.message for p in problems.warnings)


def legacy_record(project: Path, org: str, entries: dict[int, tuple[str, str]]) -> None:
    """A record as the importer wrote it before answers kept what they asked."""
    folder = project / "returns" / CIRCULAR
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "circular": CIRCULAR,
        "organization": org,
        "requirements": [
            {
                "requirement": number,
                "entries": [
                    {"status": state, "source": "phoned-in.yaml", "sha256": "0" * 64, "recorded": recorded}
                ],
            }
            for number, (state, recorded) in entries.items()
        ],
    }
    (folder / f"{org}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_records_written_before_keep_working_unless_a_later_change_may_have_renumbered_them(project):
    legacy_record(project, COKING, {4: ("done", "2024-06-01T08:00:00+00:00")})
    assert answer(status(project), COKING, "4") == "done"

    # a correction listed after the answer came in: its number cannot be trusted, nor shown elsewhere
    def corrected(data):
        data["requirements"].insert(0, NEW_FIRST)
        data["changes"] = [{"date": datetime.date(2024, 7, 1), "note": "增加第一项工作要求"}]

    edit(project, CIRCULAR, corrected)
    state = status(project)
    assert answer(state, COKING, "1") is None and answer(state, COKING, "5") is None
    [lost] = state["unmapped"]
    assert lost["item"] == "4" and "recorded before a change the circular lists" in lost["why"]
    assert f"returns/{CIRCULAR}/{COKING}.yaml:5:5: warning: the answer on item 4" in state["warnings"]

    # said by hand what it answered, it counts again, on the requirement it answered
    path = project / "returns" / CIRCULAR / f"{COKING}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["requirements"][0]["entries"][0]["asked"] = {"key": "服务职工"}
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    state = status(project)
    assert answer(state, COKING, "5") == "done" and state["unmapped"] == []


# --- a circular and its translation count alike -------------------------------------------------


def test_an_answer_on_the_chinese_circular_counts_on_its_translation_and_back(project, smtp):
    forms = make_forms(project)
    imported(project, fill(forms / f"{COKING}.xlsx", project / "in/coking.xlsx", {"4": {"F": "已完成"}}))
    english = status(project, ENGLISH)
    assert answer(english, COKING, "4") == "done" and english["warnings"] == ""
    assert COKING not in run(project, "remind", ENGLISH).stdout
    sent = run(project, "remind", ENGLISH, "--send")
    assert sent.exit_code == 0, sent.output
    assert "union@geliping-coking.example.org" not in {m["To"].addresses[0].addr_spec for m in smtp.messages}
    assert len(smtp.messages) == 32

    # the newer answer wins, whichever version it came on
    en_forms = make_forms(project, ENGLISH)
    recorded_at(
        project, 2030, fill(en_forms / f"{COKING}.xlsx", project / "in/en.xlsx", {"4": {"F": "blocked"}})
    )
    assert answer(status(project, ENGLISH), COKING, "4") == "blocked"
    assert answer(status(project), COKING, "4") == "blocked"
    recorded_at(
        project, 2031, fill(forms / f"{COKING}.xlsx", project / "in/zh-2.xlsx", {"4": {"F": "进行中"}})
    )
    assert answer(status(project), COKING, "4") == "in-progress"
    assert answer(status(project, ENGLISH), COKING, "4") == "in-progress"
    tracked, _problems = tracker_rows(project)
    assert tracked[(CIRCULAR, 4)][COKING] == "in-progress"


def test_a_translation_numbered_otherwise_is_not_counted_and_says_so(project):
    forms = make_forms(project)
    imported(project, fill(forms / f"{COKING}.xlsx", project / "in/coking.xlsx", {"4": {"F": "已完成"}}))
    edit(project, ENGLISH, lambda data: data["requirements"].pop(0))  # the translation lags behind
    english = status(project, ENGLISH)
    assert answer(english, COKING, "3") is None
    assert f"the returns on {CIRCULAR} are not counted on {ENGLISH}" in english["warnings"]


def recorded_at(project: Path, year: int, form: Path) -> None:
    """Import a form as if in `year`: which answer is newer does not hang on timing."""
    from generator.distribution.returns.importing import import_returns
    from generator.source.loading import load_project

    when = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    [outcome] = import_returns(load_project(project), [(form, str(form))], datetime.date(2024, 9, 25), when)
    assert outcome.recorded, outcome.received.problems


def tracker_rows(project: Path):
    """(circular, requirement) -> organization -> latest status, as the site's tracker has it."""
    from generator.site.tracked import tracked_requirements
    from generator.source.diagnostics import Diagnostics
    from generator.source.loading import load_project

    loaded = load_project(project)
    problems = Diagnostics()
    rows = {}
    tracked, _unmapped = tracked_requirements(loaded, loaded.circulars, "zh", problems)
    for t in tracked:
        rows[(t.original.id, t.number)] = {
            a.org: a.latest.status if a.latest else None for a in t.answers if a.target is None
        }
    return rows, problems


def test_the_built_tracker_lists_what_it_did_not_count_and_counts_it_nowhere(tmp_path, monkeypatch):
    from lxml import html

    root = tmp_path / "p"
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    monkeypatch.setenv("CIRCULARS_TODAY", TODAY)
    forms = make_forms(root)
    imported(
        root,
        fill(forms / f"{PARK}.xlsx", root / "in/park.xlsx", {"3": {"F": "已完成"}, "4": {"F": "进行中"}}),
    )
    edit(root, CIRCULAR, lambda data: data["requirements"].pop(2))  # 解决问题 is gone; 服务职工 is 3
    built = run(root, "build")
    assert built.exit_code == 0, built.output
    assert f"returns/{CIRCULAR}/{PARK}.yaml" in built.output and "is not counted" in built.output

    doc = html.fromstring((root / "build/site/tracker/index.html").read_text(encoding="utf-8"))
    rows = {}
    for row in doc.cssselect("article table.listing-table tbody tr"):
        found = {
            td.get("class").split()[0]: " ".join(td.text_content().split()) for td in row.cssselect("td")
        }
        rows[found["col-requirement"].replace("¶", "").strip()] = found["col-returns"]
    assert "3. 服务职工" in rows and "格里坪特色产业园区工会联合会 进行中" in rows["3. 服务职工"]
    # 解决问题's answer counts nowhere
    assert not any("格里坪特色产业园区工会联合会 已完成" in returns for returns in rows.values())
    [details] = doc.cssselect("details.unmapped")
    assert "未计入：1 条填报" in details.text_content()
    [listed] = details.cssselect("li")
    assert " ".join(listed.text_content().split()) == (
        f"攀工发〔2024〕7号 格里坪特色产业园区工会联合会: 原第 3 项 已完成 (park.xlsx, {record_day(root)})"
    )


def record_day(project: Path) -> str:
    record = yaml.safe_load((project / f"returns/{CIRCULAR}/{PARK}.yaml").read_text(encoding="utf-8"))
    return record["requirements"][0]["entries"][0]["recorded"][:10]


def test_an_answer_that_two_requirements_match_equally_is_matched_to_neither():
    from generator.source.loading import load_project
    from generator.source.return_matching import Asked, Matcher, asked_of

    circular = load_project(REPO).source(CIRCULAR).circular
    matcher = Matcher(circular)
    assert matcher.match(asked_of(circular, 2, 1)) == (2, 1)
    assert matcher.match(Asked(key=None, text="与本通知无关的另一件事情")) is None
    # a requirement copied: the answer cannot tell which of the two it was, so it goes on neither
    requirements = circular.requirements
    doubled = circular.model_copy(update={"requirements": [requirements[1], *requirements]})
    assert Matcher(doubled).match(asked_of(circular, 2, 1)) is None
    assert Matcher(doubled).match(asked_of(circular, 4, None)) == (5, None)
