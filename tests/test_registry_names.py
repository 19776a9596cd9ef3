"""A clerk's first day: the registry listed, names where ids belong, did-you-mean on `new`."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import REPO, circular_yaml, problems, run, write

from generator.docx.text_width import display_width

SOURCE = "circulars/2024/panzhihua-2024-07.yaml"


def _json(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _column_starts(line: str, cells: list[str]) -> list[int]:
    """The display column at which each of `cells` starts in `line`, found left to right."""
    starts, at = [], 0
    for cell in cells:
        at = line.index(cell, at)
        starts.append(display_width(line[:at]))
        at += len(cell)
    return starts


# --- the registry command ------------------------------------------------------------------


def test_organizations_lists_the_shipped_registry_with_every_column():
    records = _json(run(REPO, "registry", "organizations", "--json"))
    panzhihua = next(r for r in records if r["id"] == "panzhihua-ftu")
    assert panzhihua["name"]["zh"] == "攀枝花市总工会"
    assert panzhihua["kind"] == "municipal-federation"
    assert panzhihua["parent"] == "sichuan-ftu"
    assert panzhihua["email"].endswith("@panzhihua-ftu.example.org")
    acftu = next(r for r in records if r["id"] == "acftu")
    assert acftu["short"] == {"zh": "全总", "en": "ACFTU"} and acftu["parent"] is None
    listed = [line.split()[0] for line in run(REPO, "registry", "organizations").stdout.splitlines()[1:]]
    assert listed == [r["id"] for r in records]  # the table and the JSON list the same, in order


def test_organizations_filter_by_kind_and_parent():
    grassroots = _json(run(REPO, "registry", "organizations", "--kind", "grassroots-union", "--json"))
    assert grassroots and {r["kind"] for r in grassroots} == {"grassroots-union"}
    under = _json(run(REPO, "registry", "organizations", "--parent", "geliping-park-federation", "--json"))
    assert under and {r["parent"] for r in under} == {"geliping-park-federation"}
    both = _json(
        run(
            REPO,
            "registry",
            "organizations",
            "--kind",
            "grassroots-union",
            "--parent",
            "geliping-park-federation",
            "--json",
        )
    )
    assert [r["id"] for r in both] == [r["id"] for r in under if r["kind"] == "grassroots-union"]
    assert len(both) < len(grassroots)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("攀枝花", "panzhihua-ftu"),  # part of the Chinese name
        ("全总", "acftu"),  # the short name
        ("all-china federation", "acftu"),  # the English name, in any case
        ("PANZHIHUA-FTU", "panzhihua-ftu"),  # the id
    ],
)
def test_organizations_search_ids_names_and_short_names(search, expected):
    found = [r["id"] for r in _json(run(REPO, "registry", "organizations", search, "--json"))]
    assert expected in found
    everything = _json(run(REPO, "registry", "organizations", "--json"))
    assert len(found) < len(everything)


def test_an_unknown_parent_is_a_usage_error_with_a_hint():
    result = run(REPO, "registry", "organizations", "--parent", "panzhihua-ftx")
    assert result.exit_code == 2
    assert "unknown organization 'panzhihua-ftx' (did you mean 'panzhihua-ftu'?)" in result.stderr


def test_a_parent_given_by_name_is_taken_for_its_id():
    result = run(REPO, "registry", "organizations", "--parent", "攀枝花市总工会", "--json")
    assert "--parent: 攀枝花市总工会 is panzhihua-ftu" in result.stderr
    assert {r["parent"] for r in _json(result)} == {"panzhihua-ftu"}


def test_the_table_lines_up_chinese_names():
    result = run(REPO, "registry", "organizations", "--parent", "acftu")
    assert result.exit_code == 0, result.output
    records = _json(run(REPO, "registry", "organizations", "--parent", "acftu", "--json"))
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["ID", "NAME"] and len(lines) == len(records) + 1
    kinds = set()
    for line, record in zip(lines[1:], records, strict=True):
        # the kind column starts at the same display column on every line, after names of
        # different widths in Chinese characters (two columns each)
        starts = _column_starts(line, [record["id"], record["name"]["zh"], record["kind"]])
        kinds.add(starts[2])
    header_kind = _column_starts(lines[0], ["ID", "NAME", "KIND"])[2]
    assert kinds == {header_kind}
    assert len({display_width(r["name"]["zh"]) for r in records}) > 1  # names of several widths


def test_people_by_organization_and_search():
    records = _json(run(REPO, "registry", "people", "--org", "acftu", "--json"))
    assert records and all(p["positions"] for p in records)
    assert {pos["org"] for p in records for pos in p["positions"]} == {"acftu"}
    wang = next(p for p in records if p["id"] == "wang-dongming")
    assert wang["name"]["zh"] == "王东明"
    assert wang["positions"][0]["title"]["zh"] == "主席"
    assert wang["positions"][0]["email"].endswith("acftu.example.org")
    found = _json(run(REPO, "registry", "people", "王东明", "--json"))
    assert [p["id"] for p in found] == ["wang-dongming"]
    table = run(REPO, "registry", "people", "wang-dongming").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "NAME", "POSITION"]
    assert table[1].split()[:4] == ["wang-dongming", "王东明", "主席", "acftu"]


def test_a_reader_that_stops_early_gets_no_message(project):
    many = "".join(
        f"  - id: union-{n}\n    name: {{zh: 攀枝花市第{n}号企业工会联合会有限公司工会委员会}}\n"
        "    kind: grassroots-union\n    parent: geliping-park\n"
        for n in range(1500)
    )
    path = project / "circulars/organizations.yaml"
    path.write_text(path.read_text(encoding="utf-8") + many, encoding="utf-8")
    argv = [sys.executable, "-m", "generator", "-C", str(project), "registry", "organizations"]
    assert len(subprocess.run(argv, capture_output=True, check=True).stdout) > 2**16
    command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = command.stdout.readline()  # as `head -1` does
    command.stdout.close()
    errors = command.stderr.read().decode()
    command.wait(timeout=60)
    assert first.split()[0] == b"ID"
    assert errors == ""


# --- names in the YAML ------------------------------------------------------------------


def _at(project, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of `needle` in the test circular."""
    for number, line in enumerate((project / SOURCE).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_check_answers_a_name_with_its_id_at_its_line_and_column(project):
    text = circular_yaml().replace("  - geliping-park\n", "  - 格里坪特色产业园区工会联合会\n")
    text = text.replace("issuer: panzhihua-ftu", "issuer: 攀枝花市总工会")
    text = text.replace("signatory: huang-wuming", "signatory: 黄武明")
    text += "    responsible: [Sichuan FTU]\ncc: [四川省总工会]\n"
    write(project, SOURCE, text)
    shown = problems(run(project, "check"))
    expected = [
        ("issuer: 攀枝花市总工会", "issuer: 攀枝花市总工会 is panzhihua-ftu: write panzhihua-ftu"),
        ("黄武明", "signatory: 黄武明 is huang-wuming: write huang-wuming"),
        ("格里坪特色", "to: 格里坪特色产业园区工会联合会 is geliping-park: write geliping-park"),
        ("Sichuan FTU", "responsible: Sichuan FTU is sichuan-ftu: write sichuan-ftu"),
        ("四川省总工会", "cc: 四川省总工会 is sichuan-ftu: write sichuan-ftu"),
    ]
    for needle, message in expected:
        line, column = _at(project, needle)
        if needle.startswith("issuer:"):
            column += len("issuer: ")
        assert f"{SOURCE}:{line}:{column}: error: {message}" in shown, shown


def test_a_name_two_organizations_share_lists_both(project):
    orgs = project / "circulars/organizations.yaml"
    orgs.write_text(
        orgs.read_text(encoding="utf-8")
        + "  - id: other-park\n    name: {zh: 其他园区工会}\n    short: {zh: 园区工会}\n"
        "    kind: park-federation\n"
        "  - id: third-park\n    name: {zh: 第三园区工会}\n    short: {zh: 园区工会}\n"
        "    kind: park-federation\n",
        encoding="utf-8",
    )
    write(project, SOURCE, circular_yaml().replace("  - geliping-park\n", "  - 园区工会\n"))
    line, column = _at(project, "园区工会")
    assert (
        f"{SOURCE}:{line}:{column}: error: to: 园区工会 is the name of other-park, third-park: "
        "write the id of the one you mean"
    ) in problems(run(project, "check"))


def test_an_unknown_name_still_gets_a_hint(project):
    write(project, SOURCE, circular_yaml().replace("  - geliping-park\n", "  - geliping-parc\n"))
    assert any(
        line.endswith("error: unknown organization 'geliping-parc' (did you mean 'geliping-park'?)")
        for line in problems(run(project, "check"))
    )


# --- names on the command line ---------------------------------------------------------------


def test_new_takes_an_issuer_by_name_and_writes_its_id(project):
    result = run(project, "new", "--issuer", "攀枝花市总工会", "--date", "2024-05-01")
    assert result.exit_code == 0, result.output
    assert "--issuer: 攀枝花市总工会 is panzhihua-ftu" in result.stderr
    made = project / result.stdout.strip()
    assert "issuer: panzhihua-ftu\n" in made.read_text(encoding="utf-8")


def test_new_gives_did_you_mean_for_an_unknown_issuer(project):
    result = run(project, "new", "--issuer", "panzhihua-ftx")
    assert result.exit_code == 2
    assert "unknown organization 'panzhihua-ftx' (did you mean 'panzhihua-ftu'?)" in result.stderr
    assert not list((project / "circulars").rglob("panzhihua-2024-8.yaml"))
    nothing_close = run(project, "new", "--issuer", "zzzz")
    assert nothing_close.exit_code == 2
    assert "`circulars registry organizations` lists them" in nothing_close.stderr


def test_new_help_names_issuers_that_exist():
    help_text = run(REPO, "new", "--help").stdout
    issuers = re.findall(r"circulars new --issuer (\S+)", help_text)
    assert len(issuers) >= 3
    records = _json(run(REPO, "registry", "organizations", "--json"))
    known = {r["id"] for r in records} | {
        n for r in records for n in (*r["name"].values(), *r["short"].values())
    }
    assert set(issuers) <= known, set(issuers) - known


def test_distribution_ack_takes_a_recipient_by_name(project):
    assert run(project, "distribute", "panzhihua-2024-07", "--no-pdf").exit_code == 0
    result = run(project, "distribution", "ack", "panzhihua-2024-07", "格里坪特色产业园区工会联合会")
    assert result.exit_code == 0, result.output
    assert "RECIPIENT: 格里坪特色产业园区工会联合会 is geliping-park" in result.stderr
    assert result.stdout.strip().endswith("acknowledged by geliping-park.")
    status = _json(run(project, "distribution", "status", "panzhihua-2024-07", "--json"))
    assert next(c for c in status if c["recipient_id"] == "geliping-park")["acknowledged_at"]


def test_serve_answers_a_name_the_registry_learns_while_it_runs(project):
    from generator.source.loading import ReadCache, load_project

    write(project, SOURCE, circular_yaml().replace("  - geliping-park\n", "  - 新园区工会\n"))
    cache = ReadCache()
    before = [d.message for d in load_project(project, cache=cache).diagnostics.errors]
    assert "'新园区工会' is not a valid id: use lowercase letters, digits and hyphens" in before
    orgs = project / "circulars/organizations.yaml"
    orgs.write_text(
        orgs.read_text(encoding="utf-8")
        + "  - id: new-park\n    name: {zh: 新园区工会}\n    kind: park-federation\n",
        encoding="utf-8",
    )
    after = [d.message for d in load_project(project, cache=cache).diagnostics.errors]
    assert after == ["to: 新园区工会 is new-park: write new-park"]


def test_list_and_return_forms_take_organizations_by_name(project, tmp_path):
    listed = run(project, "list", "--issuer", "攀枝花市总工会", "--json")
    assert "--issuer: 攀枝花市总工会 is panzhihua-ftu" in listed.stderr
    assert [c["id"] for c in _json(listed)] == ["panzhihua-2024-07"]
    text = circular_yaml().replace(
        "    deadline: 2024-09-30\n",
        "    deadline: 2024-09-30\n    responsible: [coking-union, geliping-park]\n",
    )
    write(project, SOURCE, text)
    out = tmp_path / "forms"
    result = run(
        project, "returns", "forms", "panzhihua-2024-07", "-o", str(out), "--org", "格里坪焦化有限公司工会"
    )
    assert result.exit_code == 0, result.output
    assert "--org: 格里坪焦化有限公司工会 is coking-union" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["coking-union.xlsx"]


def test_the_registry_lists_while_a_circular_is_broken_but_not_while_it_is(project):
    write(
        project, SOURCE, circular_yaml().replace("  - geliping-park\n", "  - 格里坪特色产业园区工会联合会\n")
    )
    listed = run(project, "registry", "organizations", "格里坪", "--json")
    assert [r["id"] for r in _json(listed)] == ["geliping-park", "coking-union"]
    orgs = project / "circulars/organizations.yaml"
    orgs.write_text(
        orgs.read_text(encoding="utf-8").replace("kind: park-federation", "kind: [park]"), encoding="utf-8"
    )
    broken = run(project, "registry", "organizations")
    assert broken.exit_code == 1 and broken.stdout == ""
    assert "circulars/organizations.yaml:16:11: error: expected text, got a list" in broken.stderr
    assert broken.stderr.splitlines()[-1] == "2 errors in the registry; nothing listed"  # and people.yaml's


def test_no_name_is_cut():
    records = _json(run(REPO, "registry", "organizations", "--json"))
    longest = max((r["name"].get("en") or "" for r in records), key=len)
    assert len(longest) > 60
    shown = run(REPO, "registry", "organizations", "--lang", "en").stdout
    assert all((r["name"].get("en") or r["name"]["zh"]) in shown for r in records)
    assert "…" not in shown


def test_a_name_longer_than_an_id_may_be_is_answered_too(project):
    name = "Mass Work Bureau of the State-owned Assets Supervision and Administration Commission"
    assert len(name) > 80  # past an id's length, which validation reports first
    orgs = project / "circulars/organizations.yaml"
    orgs.write_text(
        orgs.read_text(encoding="utf-8")
        + f"  - id: mass-work-bureau\n    name: {{en: {name}}}\n    kind: department\n",
        encoding="utf-8",
    )
    write(project, SOURCE, circular_yaml() + f"cc: [{name}]\n")
    line, column = _at(project, name)
    assert problems(run(project, "check")) == [
        f"{SOURCE}:{line}:{column}: error: cc: {name} is mass-work-bureau: write mass-work-bureau"
    ]
