"""`circulars check` on bad input: every problem, exact file:line:col and message, exit 1."""

from __future__ import annotations

import pytest
from conftest import circular_yaml, problems, run, write

F = "circulars/2024/panzhihua-2024-07.yaml"


def check(project, *args):
    result = run(project, "check", *args)
    return result.exit_code, problems(result)


def replace_circular(project, old: str, new: str) -> None:
    path = project / F
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_valid_project_says_what_it_checked(project):
    result = run(project, "check")
    assert result.exit_code == 0
    # one circular, organizations.yaml and people.yaml; the fixture's tables are inline
    assert result.stdout == "1 circular, 2 registry files, 0 table files checked: no problems\n"
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "requirements:",
            "requirments:",
            f"{F}:12:1: error: unknown key 'requirments' (did you mean 'requirements'?)",
        ),
        (
            "    deadline: 2024-09-30",
            "    deadlin: 2024-09-30",
            f"{F}:15:5: error: unknown key 'deadlin' (did you mean 'deadline'?)",
        ),
        (
            "date: 2024-04-18",
            "date: 2024-02-30",
            f"{F}:8:7: error: '2024-02-30' is not a real date (day is out of range for month)",
        ),
        (
            "date: 2024-04-18",
            "date: 18/04/2024",
            f"{F}:8:7: error: '18/04/2024' is not a date: write it as YYYY-MM-DD, like 2024-04-18",
        ),
        (
            "date: 2024-04-18",
            "date: 2024-04-18 10:00:00",
            f"{F}:8:7: error: expected a date without a time, like 2024-04-18",
        ),
        (
            "number: 7",
            "number: seven",
            f"{F}:7:9: error: expected a whole number, got 'seven'",
        ),
        (
            "number: 7",
            "number: 0",
            f"{F}:7:9: error: must be at least 1, got the number 0 (put it in quotes if you mean text)",
        ),
        (
            "    text: 驻点干部到位后要迅速深入职工群众。",
            "    text: true",
            f"{F}:14:11: error: expected text, got true (put it in quotes if you mean text)",
        ),
        (
            "title: 关于驻点干部做到“四个要”的通知",
            "title: false",
            f"{F}:5:8: error: expected text, got false (put it in quotes if you mean text)",
        ),
        (
            "status: issued",
            "status: isued",
            f"{F}:4:9: error: 'isued' is not one of: draft, issued, superseded, repealed (did you mean 'issued'?)",
        ),
        (
            "to:\n  - geliping-park",
            "to: geliping-park",
            f"{F}:10:5: error: expected a list, got 'geliping-park'",
        ),
        (
            "to:\n  - geliping-park",
            "to:\n  - {all_under: panzhihua-ftu, kind: grasroots-union}",
            # kinds are open (organizations.yaml may declare more), so checked against the registry
            f"{F}:11:38: error: unknown kind 'grasroots-union' (did you mean 'grassroots-union'?)",
        ),
        (
            "to:\n  - geliping-park",
            # a label alone is a group the registry does not list (a warning); kinds need a root
            "to:\n  - {kind: grassroots-union, label: 各单位}",
            f"{F}:11:5: error: give one of 'children_of' or 'all_under', "
            "or only a 'label' for a group the registry does not list",
        ),
        (
            "id: panzhihua-2024-07",
            "id: Panzhihua 2024",
            f"{F}:1:5: error: 'Panzhihua 2024' is not a valid id: use lowercase letters, digits and hyphens",
        ),
        (
            "title: 关于驻点干部做到“四个要”的通知\n",
            "",
            f"{F}:1:1: error: missing required key 'title'",
        ),
        (
            "    deadline: 2024-09-30",
            "    deadline: 2024-09-30\n    targets:\n      - {metric: 建会率}",
            f"{F}:17:9: error: missing required key 'value'",
        ),
        (
            "    text: 驻点干部到位后要迅速深入职工群众。",
            "    text: 见[链接](javascript:void)",
            f"{F}:14:11: error: link target 'javascript:void' is not allowed: use http(s)://, mailto: or a relative path",
        ),
    ],
    ids=[
        "unknown-key",
        "nested-unknown-key",
        "impossible-date",
        "date-format",
        "date-with-time",
        "int-from-text",
        "number-range",
        "text-from-number",
        "text-from-bool",
        "enum-suggestion",
        "list-expected",
        "selector-kind",
        "selector-root",
        "bad-id",
        "missing-key",
        "missing-nested-key",
        "unsafe-link",
    ],
)
def test_schema_errors(project, old, new, expected):
    replace_circular(project, old, new)
    code, lines = check(project)
    assert code == 1
    assert lines == [expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "1:1: error: file is empty: expected a mapping of keys"),
        (b"# only a comment\n", "1:1: error: file is empty: expected a mapping of keys"),
        (b"- a\n- b\n", "1:1: error: expected a mapping of keys at the top level, found a list"),
        (b"just text\n", "1:1: error: expected a mapping of keys at the top level, found 'just text'"),
        (
            b"id: x\ntitle: [unclosed\n",
            "3:1: error: YAML syntax error: while parsing a flow sequence: did not find expected ',' or ']'",
        ),
        (
            b"id: x\nto:\n\t- a\n",
            "3:1: error: YAML syntax error: tab character: indent YAML with spaces, not tabs",
        ),
        (b"id: x\ntitle: a\ntitle: b\n", "3:1: error: duplicate key 'title' (first defined on line 2)"),
        (b"id: x\ntitle: a\x01\n", "2:9: error: character U+0001 is not allowed in a YAML file"),
        (b'id: x\ntitle: "\\x01"\n', "2:8: error: character U+0001 cannot appear in a document"),
        (b"id: x\ntitle: caf\xe9\n", "2:11: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"),
        (
            b"id: x\n---\nid: y\n",
            "2:1: error: YAML syntax error: expected a single document in the stream: "
            "but found another document",
        ),
        (
            b"id: x\ntitle: !!python/object:os.system echo\n",
            "2:8: error: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
        (b"base: &b {id: x}\n<<: *b\n", "2:1: error: merge keys (<<) are not supported; write the keys out"),
    ],
    ids=[
        "empty",
        "comment-only",
        "top-level-list",
        "top-level-scalar",
        "syntax",
        "tab",
        "duplicate-key",
        "control-character",
        "escaped-control-character",
        "not-utf8",
        "two-documents",
        "python-tag",
        "merge-key",
    ],
)
def test_unreadable_files(project, content, expected):
    write(project, "circulars/2024/bad.yaml", content)
    code, lines = check(project)
    assert code == 1
    # problems in the YAML itself come with whatever the schema finds in the rest
    assert f"circulars/2024/bad.yaml:{expected}" in lines


def test_alias_bomb_is_refused_quickly(project):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    write(project, "circulars/2024/bomb.yaml", "\n".join(levels) + "\n")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2024/bomb.yaml:5:1: error: aliases expand this file beyond 100000 values; write the values out"
    ]


def test_all_errors_of_all_files_sorted(project):
    write(project, "circulars/2024/b.yaml", circular_yaml("b", 8) + "title: again\n")
    write(project, "circulars/2023/a.yaml", "- not a mapping\n")
    replace_circular(project, "status: issued", "status: isued")
    code, lines = check(project)
    assert code == 1
    assert [line.split(": ")[0] for line in lines] == [
        "circulars/2023/a.yaml:1:1",
        "circulars/2024/b.yaml:16:1",
        f"{F}:4:9",
    ]


def test_cross_reference_errors(project):
    replace_circular(project, "issuer: panzhihua-ftu", "issuer: panzhihua-ft")
    replace_circular(project, "signatory: huang-wuming", "signatory: huang-wumin")
    replace_circular(project, "  - geliping-park", "  - geliping-parc\n  - {children_of: nowhere}")
    replace_circular(
        project, "    deadline: 2024-09-30", "    deadline: 2024-01-01\n    responsible: [cokin-union]"
    )
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:6:9: error: unknown organization 'panzhihua-ft' (did you mean 'panzhihua-ftu'?)",
        f"{F}:9:12: error: unknown person 'huang-wumin' (did you mean 'huang-wuming'?)",
        f"{F}:11:5: error: unknown organization 'geliping-parc' (did you mean 'geliping-park'?)",
        f"{F}:12:19: error: unknown organization 'nowhere'",
        f"{F}:16:15: error: 2024-01-01 is before the date of issue (2024-04-18)",
        f"{F}:17:19: error: unknown organization 'cokin-union' (did you mean 'coking-union'?)",
    ]


def test_duplicate_ids_and_numbers(project):
    write(project, "circulars/2024/copy.yaml", circular_yaml("panzhihua-2024-07", 8))
    write(project, "circulars/2024/panzhihua-2024-08.yaml", circular_yaml("panzhihua-2024-08", 7))
    code, lines = check(project)
    assert code == 1
    assert (
        "circulars/2024/copy.yaml:1:5: warning: file name 'copy.yaml' does not match the id; "
        "name it 'panzhihua-2024-07.yaml'" in lines
    )
    assert f"{F}:1:5: error: id 'panzhihua-2024-07' is already used by circulars/2024/copy.yaml:1" in lines
    assert (
        "circulars/2024/panzhihua-2024-08.yaml:7:9: error: document number 攀工发〔2024〕7号 is already used by "
        f"{F}:7" in lines
    )


def test_same_number_in_another_year_is_fine(project):
    text = circular_yaml("panzhihua-2023-07", 7).replace("2024-", "2023-")
    write(project, "circulars/2023/panzhihua-2023-07.yaml", text)
    assert check(project) == (0, [])


def test_translation_shares_the_number(project):
    text = circular_yaml("panzhihua-2024-07-en", 7).replace(
        "language: zh", "language: en\ntranslation_of: panzhihua-2024-07"
    )
    write(project, "circulars/2024/panzhihua-2024-07-en.yaml", text)
    assert check(project) == (0, [])


def test_links_and_their_dates(project):
    replace_circular(project, "status: issued", "status: issued\nsupersedes: [older, panzhihua-2024-07]")
    code, lines = check(project)
    assert lines == [
        f"{F}:5:14: error: unknown circular 'older'",
        f"{F}:5:21: error: a circular cannot supersede itself",
    ]
    later = (
        circular_yaml("panzhihua-2024-09", 9)
        .replace("2024-04-18", "2024-05-01")
        .replace("status: issued", "status: issued\nsupersedes: panzhihua-2024-07")
    )
    replace_circular(project, "status: issued\nsupersedes: [older, panzhihua-2024-07]", "status: issued")
    write(project, "circulars/2024/panzhihua-2024-09.yaml", later)
    code, lines = check(project)
    assert code == 0
    assert lines == [
        "circulars/2024/panzhihua-2024-09.yaml:5:13: warning: 'panzhihua-2024-07' is superseded by this "
        "issued circular; set its status to superseded"
    ]
    replace_circular(project, "status: issued", "status: superseded")
    assert check(project) == (0, [])


def test_schedule_order_and_language_names(project):
    replace_circular(
        project,
        "requirements:",
        "schedule:\n  - {title: 驻点, start: 2024-09-30, end: 2024-04-01}\nrequirements:",
    )
    write(
        project,
        "circulars/organizations.yaml",
        (project / "circulars/organizations.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "name: {en: Geliping Park Trade Union Federation, zh: 格里坪特色产业园区工会联合会}",
            "name: {en: Geliping Park Trade Union Federation}",
        ),
    )
    _code, lines = check(project)
    assert lines == [
        f"{F}:11:5: error: organization 'geliping-park' has no Chinese name (name.zh) for this zh circular",
        f"{F}:13:41: error: the phase ends (2024-04-01) before it starts (2024-09-30)",
    ]


def test_attachments_must_exist_inside_the_project(project):
    replace_circular(
        project,
        "requirements:",
        "attachments:\n  - {title: 清单, file: attachments/list.csv}\n"
        "  - {title: 密码, file: ../../../etc/passwd}\n  - {title: 表, file: attachments/here.csv}\nrequirements:",
    )
    write(project, "circulars/2024/attachments/here.csv", "a,b\n")
    _code, lines = check(project)
    assert lines == [
        f"{F}:13:23: error: attachment file 'attachments/list.csv' not found",
        f"{F}:14:23: error: attachment '../../../etc/passwd' is outside the project",
    ]


def test_registry_errors(project):
    orgs = project / "circulars/organizations.yaml"
    text = orgs.read_text(encoding="utf-8")
    text = text.replace("    parent: geliping-park\n", "    parent: geliping-parc\n")
    text += "  - id: sichuan-ftu\n    name: {en: Again}\n    kind: provincial-federation\n"
    orgs.write_text(text, encoding="utf-8")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/organizations.yaml:21:13: error: unknown organization 'geliping-parc' (did you mean 'geliping-park'?)",
        "circulars/organizations.yaml:23:9: error: duplicate id 'sichuan-ftu' (first on line 2)",
    ]


def test_registry_cycle(project):
    orgs = project / "circulars/organizations.yaml"
    text = orgs.read_text(encoding="utf-8").replace(
        "    kind: provincial-federation\n", "    kind: provincial-federation\n    parent: coking-union\n", 1
    )
    orgs.write_text(text, encoding="utf-8")
    code, lines = check(project)
    assert code == 1
    assert (
        lines[0] == "circulars/organizations.yaml:6:13: error: organization 'sichuan-ftu' is its own ancestor"
    )


def test_warnings_fail_only_with_strict(project):
    replace_circular(project, "    deadline: 2024-09-30\n", "")
    code, lines = check(project)
    assert (code, lines) == (0, [f"{F}:13:5: warning: requirement 1 has no deadline"])
    code, lines = check(project, "--strict")
    assert code == 1


def test_paths_limit_the_report(project):
    write(project, "circulars/2023/broken.yaml", "- x\n")
    code, lines = check(project, str(project / F))
    assert (code, lines) == (0, [])
    code, lines = check(project, str(project / "circulars/2023"))
    assert code == 1
    assert lines == [
        "circulars/2023/broken.yaml:1:1: error: expected a mapping of keys at the top level, found a list"
    ]


def test_a_file_outside_the_project_is_checked_against_it(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "draft.yaml"
    outside.write_text(
        circular_yaml("draft-x", 9).replace("issuer: panzhihua-ftu", "issuer: nobody"), encoding="utf-8"
    )
    code, lines = check(project, str(outside))
    assert code == 1
    assert lines == [
        f"{outside.as_posix()}:1:5: warning: file name 'draft.yaml' does not match the id; name it 'draft-x.yaml'",
        f"{outside.as_posix()}:6:9: error: unknown organization 'nobody'",
    ]


def test_a_signature_seal_needs_one_signatory(project):
    replace_circular(project, "signatory: huang-wuming", "seal: person")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:9:7: error: seal: person is the signatory's own seal: it needs a `signatory` and one "
        "issuer (joint issuers sign with their seals: seal: true)"
    ]
    replace_circular(project, "seal: person", "signatory: huang-wuming\nseal: person")
    assert check(project) == (0, [])
    replace_circular(project, "seal: person", "seal: stamp")
    code, lines = check(project)
    assert code == 1 and lines[0].startswith(f"{F}:10:7: error: ") and "person" in lines[0]


def test_the_summary_counts_the_table_files_read(project):
    write(project, "circulars/2024/attachments/a.csv", "甲,乙\n1,2\n")
    write(project, "circulars/2024/attachments/b.csv", "丙,丁\n3,4\n")
    replace_circular(
        project,
        "requirements:",
        "background_tables:\n  - file: attachments/a.csv\n  - file: attachments/b.csv\n"
        "  - file: attachments/a.csv\nrequirements:",
    )
    result = run(project, "check")
    assert (result.exit_code, result.stdout) == (
        0,
        "1 circular, 2 registry files, 2 table files checked: no problems\n",
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_issued_circular_keeps_no_placeholder_of_new(project, language):
    from generator.source.placeholders import PLACEHOLDERS

    made = run(project, "new", "--issuer", "panzhihua-ftu", "--lang", language, "--date", "2024-05-06")
    path = project / made.stdout.strip()
    assert run(project, "check").exit_code == 0  # a draft may keep them
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    path.write_text(text.replace("status: draft", "status: issued"), encoding="utf-8")
    code, out = check(project)
    assert code == 1
    shown = path.relative_to(project).as_posix()
    expected = []
    for field in ("title", "background", "key", "text"):
        placeholder = PLACEHOLDERS[language][field]
        line = next(i for i, text in enumerate(lines, 1) if placeholder in text)
        if field == "background":  # a `|` block starts at its indicator, on the line above
            line, column = line - 1, lines[line - 2].index("|") + 1
        else:  # where the value starts (a quote, if quoted)
            column = lines[line - 1].index(": ") + 3
        expected.append(
            f"{shown}:{line}:{column}: error: '{placeholder}' is the placeholder `circulars new` wrote: "
            "replace it with the text (the circular is marked issued)"
        )
    assert out == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a key one space too far or too short: the line that is wrong, and the column it belongs at
        (
            "    deadline: 2024-09-30",
            "     deadline: 2024-09-30",
            f"{F}:15:6: error: YAML syntax error: 'deadline' is indented to column 6: "
            "indent it to column 5, like 'text' on line 14",
        ),
        (
            "    deadline: 2024-09-30",
            "   deadline: 2024-09-30",
            f"{F}:15:4: error: YAML syntax error: 'deadline' is indented to column 4: "
            "indent it to column 5, like 'text' on line 14",
        ),
        (
            "language: zh",
            " language: zh",
            f"{F}:3:2: error: YAML syntax error: 'language' is indented to column 2: "
            "indent it to column 1, like 'kind' on line 2",
        ),
        (
            "    text: 驻点干部到位后要迅速深入职工群众。",
            "     text: 驻点干部到位后要迅速深入职工群众。",
            f"{F}:14:6: error: YAML syntax error: 'text' is indented to column 6: "
            "indent it to column 5, like 'key' on line 13",
        ),
        # a block under a key may start at any deeper column: that is not the mistake
        (
            "to:\n  - geliping-park",
            "to:\n      - geliping-park\n  cc: [geliping-park]",
            f"{F}:12:3: error: YAML syntax error: 'cc' is indented to column 3: "
            "indent it to column 1, like 'to' on line 10",
        ),
    ],
)
def test_an_indentation_mistake_names_its_line_and_the_column(project, old, new, expected):
    replace_circular(project, old, new)
    assert check(project) == (1, [expected])
