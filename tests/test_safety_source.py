"""Hostile and careless input to the sources, driven through `circulars check` and `build`.

Each case is refused by `check` with a message pinned to the file (and line and
column where there is one), a non-zero exit and no traceback: secrets are never
attached, nothing under circulars/ is skipped in silence, no file makes the
tool hang or eat memory, deep nesting is a message, and cycles and unsafe link
targets are errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ORGANIZATIONS, add_site, circular_yaml, problems, run, write

F = "circulars/2024/panzhihua-2024-07.yaml"
SECRET = "[smtp]\nhost = 'mail.example.org'\npassword = 'hunter2-secret'\n"


def check(project, *args):
    result = run(project, "check", *args)
    assert "Traceback" not in result.output
    return result.exit_code, problems(result)


def process(project: Path, *args: str, timeout: float = 20):
    """The command in its own process: a hang, a crash or runaway memory cannot take pytest down."""
    done = subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=project if project.is_dir() else None,
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done


def replace_circular(project, old: str, new: str) -> None:
    path = project / F
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def attach(project, *files: str) -> None:
    """Give the circular attachments, one per line from line 13, `file:` at column 23."""
    lines = "".join(f"  - {{title: 附件, file: {file}}}\n" for file in files)
    replace_circular(project, "requirements:", f"attachments:\n{lines}requirements:")


@pytest.fixture
def unreadable(monkeypatch):
    """Make a file or folder unreadable: chmod 000, and for root (who reads anyway) a refusal from the OS calls."""
    made: list[Path] = []

    def make(path: Path) -> Path:
        path.chmod(0)
        made.append(path)
        if os.geteuid() == 0:
            denied = {str(p) for p in made}

            def refuse(call):
                def refused(target, *args, **kwargs):
                    if os.fspath(target) in denied:
                        raise PermissionError(13, "Permission denied", os.fspath(target))
                    return call(target, *args, **kwargs)

                return refused

            monkeypatch.setattr(os, "open", refuse(os.open))
            monkeypatch.setattr(os, "scandir", refuse(os.scandir))
        return path

    yield make
    for path in made:
        path.chmod(0o755)


# --- 1. attachments never publish the project's secrets ------------------------------


def test_attachment_of_the_configuration_file_is_refused_and_nothing_is_built(project):
    write(project, "circulars.toml", SECRET)
    add_site(project)
    attach(project, "../../circulars.toml")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:13:23: error: attachment '../../circulars.toml' is not in an attachments/ folder "
        "under circulars/; only files there are published"
    ]
    result = run(project, "build")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "1 error; nothing done" in result.stderr
    assert not (project / "build").exists()


@pytest.mark.parametrize(
    ("file", "setup", "message"),
    [
        (
            "attachments/list.csv",
            lambda a: (a / "list.csv").symlink_to("../../../circulars.toml"),
            "attachment 'attachments/list.csv' is not in an attachments/ folder under circulars/ "
            "(it leads to circulars.toml); only files there are published",
        ),
        (
            "attachments/passwd.csv",
            lambda a: (a / "passwd.csv").symlink_to("/etc/passwd"),
            "attachment 'attachments/passwd.csv' is outside the project (it leads to /etc/passwd)",
        ),
        (
            "list.csv",
            lambda a: (a.parent / "list.csv").write_text("a,b\n"),
            "attachment 'list.csv' is not in an attachments/ folder under circulars/; "
            "only files there are published",
        ),
        (
            "attachments/.env",
            lambda a: (a / ".env").write_text("PASSWORD=x\n"),
            "attachment 'attachments/.env' is a hidden file, which is never published",
        ),
        (
            "attachments/.private/list.csv",
            lambda a: write(a, ".private/list.csv", "a,b\n"),
            "attachment 'attachments/.private/list.csv' is a hidden file, which is never published",
        ),
        (
            "attachments/smtp.toml",
            lambda a: (a / "smtp.toml").write_text(SECRET),
            "attachment 'attachments/smtp.toml' is a configuration or key file, which is never published",
        ),
        (
            "attachments/pipe.csv",
            lambda a: os.mkfifo(a / "pipe.csv"),
            "attachment file 'attachments/pipe.csv' is a named pipe (FIFO), not a regular file",
        ),
        (
            "attachments/null.csv",
            lambda a: (a / "null.csv").symlink_to("/dev/null"),
            "attachment 'attachments/null.csv' is outside the project (it leads to /dev/null)",
        ),
        (
            "attachments",
            lambda a: None,
            "attachment 'attachments' is not in an attachments/ folder under circulars/; "
            "only files there are published",
        ),
        (
            "attachments/sub",
            lambda a: (a / "sub").mkdir(),
            "attachment file 'attachments/sub' is a folder, not a regular file",
        ),
    ],
    ids=[
        "link-to-config",
        "link-outside",
        "outside-attachments-folder",
        "dotfile",
        "hidden-folder",
        "config-file",
        "fifo",
        "device",
        "the-folder-itself",
        "a-folder",
    ],
)
def test_attachment_rule(project, file, setup, message):
    write(project, "circulars.toml", SECRET)
    folder = project / "circulars/2024/attachments"
    folder.mkdir()
    setup(folder)
    attach(project, file)
    done = process(project, "check")  # a pipe must not hang it
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"{F}:13:23: error: {message}"]


def test_attachment_in_an_attachments_folder_passes(project):
    write(project, "circulars/2024/attachments/list.csv", "a,b\n")
    write(project, "circulars/shared/attachments/form.csv", "a,b\n")
    attach(project, "attachments/list.csv", "../shared/attachments/form.csv")
    assert check(project) == (0, [])


def test_unreadable_attachment_fails_check_not_build(project, unreadable):
    unreadable(write(project, "circulars/2024/attachments/list.csv", "a,b\n"))
    attach(project, "attachments/list.csv")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:13:23: error: attachment file 'attachments/list.csv' is unreadable (Permission denied)"
    ]


def test_two_attachments_with_one_file_name(project):
    write(project, "circulars/2024/attachments/a/list.csv", "a\n")
    write(project, "circulars/2024/attachments/b/list.csv", "b\n")
    attach(project, "attachments/a/list.csv", "attachments/b/list.csv")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:14:23: error: attachment 'attachments/b/list.csv' has the same file name as attachment 1 "
        "('attachments/a/list.csv'), and the two would overwrite each other: rename one"
    ]


# --- 2. nothing under circulars/ is skipped in silence ----------------------------


def test_unreadable_folder_is_an_error_and_nothing_is_published(project, unreadable):
    write(project, "circulars/2025/sichuan-2025-01.yaml", circular_yaml("sichuan-2025-01", 1))
    add_site(project)
    unreadable(project / "circulars/2025")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2025:1:1: error: folder is unreadable (Permission denied); its circulars cannot be read"
    ]
    result = run(project, "build")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (project / "build").exists()


def test_unreadable_data_folder_is_an_error(project, unreadable):
    (project / "circulars/2024/panzhihua-2024-07.yaml").unlink()
    unreadable(project / "circulars")
    code, lines = check(project)
    assert code == 1
    assert (
        "circulars:1:1: error: folder is unreadable (Permission denied); its circulars cannot be read"
        in lines
    )


def test_unreadable_circular_is_an_error(project, unreadable):
    unreadable(project / F)
    code, lines = check(project)
    assert code == 1
    assert lines == [f"{F}:1:1: error: file is unreadable (Permission denied)"]


def test_linked_folders_are_read_inside_the_project_and_refused_outside(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write(elsewhere, "sichuan-2025-02.yaml", circular_yaml("sichuan-2025-02", 2))
    (project / "circulars/outside").symlink_to(elsewhere, target_is_directory=True)
    write(project, "archive/2025/sichuan-2025-01.yaml", circular_yaml("sichuan-2025-01", 1))
    (project / "circulars/2025").symlink_to("../archive/2025", target_is_directory=True)
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"circulars/outside:1:1: error: links to a folder outside the project ({elsewhere}), which is not read"
    ]
    (project / "circulars/outside").unlink()
    listed = run(project, "list", "--json")
    assert listed.exit_code == 0
    assert '"sichuan-2025-01"' in listed.stdout


# --- 3. no file makes check hang, eat memory or take minutes ------------------------


def test_yaml_that_is_a_device_a_pipe_or_too_large(project):
    (project / "circulars/2024/zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(project / "circulars/2024/pipe.yaml")
    big = circular_yaml("panzhihua-2024-08", 8) + ("# padding\n" * 530_000)
    write(project, "circulars/2024/panzhihua-2024-08.yaml", big)
    done = process(project, "check")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "circulars/2024/panzhihua-2024-08.yaml:1:1: error: file is larger than 5 MB, the limit for a YAML file",
        "circulars/2024/pipe.yaml:1:1: error: file is a named pipe (FIFO), not a regular file",
        "circulars/2024/zero.yaml:1:1: error: file is a device, not a regular file",
    ]
    named = process(project, "check", "circulars/2024/pipe.yaml")
    assert named.returncode == 1
    assert named.stdout.splitlines() == [
        "circulars/2024/pipe.yaml:1:1: error: file is a named pipe (FIFO), not a regular file"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "'" + "[" * 100_000 + "'",
        "'" + "[a" * 50_000 + "'",
        "'" + "[a](" * 25_000 + "'",
        "'" + "*" * 100_000 + "'",
        "'" + "**" * 50_000 + "'",
        "'" + "**a " * 25_000 + "'",
        "'" + "*a " * 33_000 + "'",
        '"a' + " \\n" * 50_000 + 'b"',
        '"a' + " " * 100_000 + 'b"',
    ],
    ids=[
        "brackets",
        "open-labels",
        "open-urls",
        "stars",
        "double-stars",
        "strong-starts",
        "em-starts",
        "breaks",
        "spaces",
    ],
)
def test_inline_markup_is_parsed_in_linear_time(project, text):
    replace_circular(project, "    text: 驻点干部到位后要迅速深入职工群众。", f"    text: {text}")
    done = process(project, "check", timeout=20)  # quadratic matching took minutes
    # the whole text is parsed (for its links) before its paragraphs' length is judged
    if "\\n" in text:
        assert (done.returncode, done.stdout) == (
            0,
            "1 circular, 2 registry files, 0 table files checked: no problems\n",
        )
    else:
        assert done.returncode == 1
        assert done.stdout.startswith(f"{F}:14:") and "split it with blank lines" in done.stdout


def test_paragraph_length_is_bounded(project):
    """Python-Markdown's inline pass is quadratic in a paragraph's escapes: 10,000 characters
    of them are the most one paragraph may hold, and blank lines make more paragraphs."""
    longest = "&<*" * 3_333 + "a"
    many = "\\n\\n".join([longest] * 5)
    replace_circular(project, "    text: 驻点干部到位后要迅速深入职工群众。", f'    text: "{many}"')
    assert process(project, "build", "panzhihua-2024-07").returncode == 0
    replace_circular(project, f'"{many}"', f'"{longest}a"')
    done = process(project, "check")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{F}:14:11: error: a paragraph of 10,001 characters: split it with blank lines "
        "(at most 10,000 characters each)"
    ]


# --- 4. messages, not tracebacks ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000, f"{F}:14:72: error: nested too deeply: more than 64 levels of lists and mappings"),
        (
            "[" * 100 + "]" * 100,
            f"{F}:14:72: error: nested too deeply: more than 64 levels of lists and mappings",
        ),
        ("[" * 100, f"{F}:14:72: error: nested too deeply: more than 64 levels of lists and mappings"),
        (
            "\n"
            + "".join(" " * (6 + i) + "x:\n" for i in range(100))
            + " " * 106
            + "!!python/name:os.system",
            f"{F}:76:68: error: nested too deeply: more than 64 levels of lists and mappings",
        ),
        (
            "\n" + "".join(" " * (6 + i) + "x:\n" for i in range(3_000)),
            f"{F}:76:68: error: nested too deeply: more than 64 levels of lists and mappings",
        ),
        (
            "\n" + "".join(" " * (6 + i) + "-\n" for i in range(3_000)),
            f"{F}:76:68: error: nested too deeply: more than 64 levels of lists and mappings",
        ),
    ],
    ids=[
        "flow",
        "flow-closed-100",
        "flow-unclosed-100",
        "block-mappings-100",
        "block-mappings",
        "block-lists",
    ],
)
def test_deep_nesting_is_a_message(project, text, expected):
    replace_circular(project, "    text: 驻点干部到位后要迅速深入职工群众。", f"    text: {text}")
    done = process(project, "check")  # it crashed the interpreter at this depth
    assert done.returncode == 1
    assert done.stdout.splitlines() == [expected]


def test_aliases_nested_inside_one_another_are_a_message(project):
    chain = "x0: &a0 [1]\n" + "".join(f"x{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))
    write(project, "circulars/2024/chain.yaml", chain)
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2024/chain.yaml:64:1: error: nested too deeply: more than 64 levels of lists and mappings"
    ]


def test_organization_tree_1500_deep(project):
    deep = "".join(
        f"  - id: deep-{i}\n    name: {{zh: 深{i}工会}}\n    kind: grassroots-union\n"
        f"    parent: {'coking-union' if i == 0 else f'deep-{i - 1}'}\n"
        for i in range(1_500)
    )
    write(project, "circulars/organizations.yaml", ORGANIZATIONS + deep)
    replace_circular(
        project, "  - geliping-park\n", "  - geliping-park\n  - {all_under: panzhihua-ftu, label: 各级工会}\n"
    )
    add_site(project)
    assert check(project, "--strict") == (0, [])
    built = process(project, "build", timeout=300)
    assert built.returncode == 0, built.stderr
    page = (project / "build/site/directory/index.html").read_text(encoding="utf-8")
    assert "深1499工会" in page


def test_organization_cycle_in_a_long_chain(project):
    deep = "".join(
        f"  - id: deep-{i}\n    name: {{zh: 深{i}工会}}\n    kind: grassroots-union\n    parent: deep-{(i + 1) % 1_500}\n"
        for i in range(1_500)
    )
    write(project, "circulars/organizations.yaml", ORGANIZATIONS + deep)
    code, lines = check(project)
    assert code == 1
    assert len(lines) == 1_500
    assert lines[0] == "circulars/organizations.yaml:26:13: error: organization 'deep-0' is its own ancestor"


def test_missing_project_folder(tmp_path):
    result = run(tmp_path / "nowhere", "check")
    assert result.exit_code == 2
    assert f"Directory '{tmp_path / 'nowhere'}' does not exist" in result.stderr


# --- 5. cycles between circulars and unsafe link targets ---------------------------


def circular(project, circular_id: str, number: int, links: str, status: str = "issued") -> None:
    text = circular_yaml(circular_id, number).replace("status: issued", f"status: {status}")
    write(
        project,
        f"circulars/2024/{circular_id}.yaml",
        text.replace("date: 2024-04-18\n", f"date: 2024-04-18\n{links}"),
    )


def test_supersession_cycle_on_one_date(project):
    circular(project, "panzhihua-2024-07", 7, "supersedes: [panzhihua-2024-08]\n", "superseded")
    circular(project, "panzhihua-2024-08", 8, "supersedes: [panzhihua-2024-07]\n", "superseded")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2024/panzhihua-2024-08.yaml:9:14: error: these circulars link in a cycle: "
        "circulars/2024/panzhihua-2024-07.yaml supersedes circulars/2024/panzhihua-2024-08.yaml, "
        "which supersedes circulars/2024/panzhihua-2024-07.yaml"
    ]


def test_amendment_cycle_through_three_circulars(project):
    circular(project, "panzhihua-2024-07", 7, "amends: [panzhihua-2024-08]\n")
    circular(project, "panzhihua-2024-08", 8, "amends: [panzhihua-2024-09]\n")
    circular(project, "panzhihua-2024-09", 9, "amends: [panzhihua-2024-07]\n")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2024/panzhihua-2024-09.yaml:9:10: error: these circulars link in a cycle: "
        "circulars/2024/panzhihua-2024-07.yaml amends circulars/2024/panzhihua-2024-08.yaml, "
        "which amends circulars/2024/panzhihua-2024-09.yaml, "
        "which amends circulars/2024/panzhihua-2024-07.yaml"
    ]


def test_translation_cycle(project):
    circular(project, "panzhihua-2024-07", 7, "translation_of: panzhihua-2024-07-en\n")
    circular(project, "panzhihua-2024-07-en", 7, "translation_of: panzhihua-2024-07\n")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        "circulars/2024/panzhihua-2024-07-en.yaml:9:17: error: these circulars link in a cycle: "
        "circulars/2024/panzhihua-2024-07.yaml is a translation of circulars/2024/panzhihua-2024-07-en.yaml, "
        "which is a translation of circulars/2024/panzhihua-2024-07.yaml"
    ]


def test_a_chain_without_a_cycle_passes(project):
    circular(project, "panzhihua-2024-07", 7, "", "superseded")
    circular(
        project, "panzhihua-2024-08", 8, "supersedes: [panzhihua-2024-07]\namends: [panzhihua-2024-07]\n"
    )
    circular(project, "panzhihua-2024-08-en", 8, "translation_of: panzhihua-2024-08\n")
    assert check(project) == (0, [])


@pytest.mark.parametrize(
    "url",
    [
        "//host/share/doc.docx",
        "/etc/passwd",
        "../../etc/shadow",
        "docs/../../../etc/shadow",
        "%2e%2e/%2e%2e/etc/shadow",
        "file:///etc/passwd",
        "https:///etc/passwd",
        "javascript:void",
        "data:text/html;base64,PHNjcmlwdD4",
    ],
)
def test_link_targets_that_leave_the_site_are_refused(project, url):
    replace_circular(project, "    text: 驻点干部到位后要迅速深入职工群众。", f"    text: 见[附件]({url})")
    code, lines = check(project)
    assert code == 1
    assert lines == [
        f"{F}:14:11: error: link target '{url}' is not allowed: use http(s)://, mailto: or a relative path"
    ]


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c#d", "mailto:office@example.org", "#top", "docs/guide.pdf#p2"]
)
def test_safe_link_targets_pass(project, url):
    replace_circular(project, "    text: 驻点干部到位后要迅速深入职工群众。", f"    text: 见[附件]({url})")
    assert check(project) == (0, [])


# --- 6. a repealed predecessor is not in force ------------------------------------


@pytest.mark.parametrize(("status", "warned"), [("repealed", False), ("superseded", False), ("issued", True)])
def test_superseding_a_circular_no_longer_in_force_needs_no_status_change(project, status, warned):
    circular(project, "panzhihua-2024-06", 6, "", status)
    circular(project, "panzhihua-2024-07", 7, "supersedes: [panzhihua-2024-06]\n")
    code, lines = check(project, "--strict")
    if not warned:
        assert (code, lines) == (0, [])
    else:
        assert code == 1
        assert lines == [
            f"{F}:9:14: warning: 'panzhihua-2024-06' is superseded by this issued circular; "
            "set its status to superseded"
        ]
