"""The CLI as scripts and people use it: output, exit codes, help, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
import yaml
from conftest import REPO, circular_yaml, run, write

from generator.cli import main


def test_list_table_and_json(project):
    write(
        project,
        "circulars/2023/panzhihua-2023-03.yaml",
        circular_yaml("panzhihua-2023-03", 3).replace("2024-", "2023-"),
    )
    result = run(project, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NUMBER", "DATE", "STATUS", "TITLE"]
    assert lines[1].split() == [
        "panzhihua-2023-03",
        "攀工发〔2023〕3号",
        "2023-04-18",
        "issued",
        "关于驻点干部做到“四个要”的通知",
    ]
    assert lines[2].startswith("panzhihua-2024-07  攀工发〔2024〕7号")
    # the Chinese number column is padded by display width, so titles line up
    assert lines[1].index("2023-04-18") == lines[2].index("2024-04-18")

    records = json.loads(run(project, "list", "--json").stdout)
    assert [r["id"] for r in records] == ["panzhihua-2023-03", "panzhihua-2024-07"]
    assert records[1] == {
        "id": "panzhihua-2024-07",
        "number": "攀工发〔2024〕7号",
        "date": "2024-04-18",
        "status": "issued",
        "kind": "notice",
        "language": "zh",
        "issuer": ["panzhihua-ftu"],
        "title": "关于驻点干部做到“四个要”的通知",
        "path": "circulars/2024/panzhihua-2024-07.yaml",
    }
    filtered = json.loads(run(project, "list", "--json", "--year", "2023").stdout)
    assert [r["id"] for r in filtered] == ["panzhihua-2023-03"]


def test_list_refuses_a_partial_answer(project):
    write(project, "circulars/2024/broken.yaml", "id: [\n")
    result = run(project, "list", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "circulars/2024/broken.yaml:2:1: error: YAML syntax error" in result.stderr


def test_new_picks_the_next_number_and_never_overwrites(project):
    result = run(
        project,
        "new",
        "--issuer",
        "panzhihua-ftu",
        "--date",
        "2024-05-01",
        "--title",
        'Notice: "quoted" # text',
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "circulars/2024/panzhihua-ftu-2024-08.yaml"
    made = project / "circulars/2024/panzhihua-ftu-2024-08.yaml"
    text = made.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../site/schema/circular.schema.json\n")
    data = yaml.safe_load(text)
    assert data["number"] == 8
    assert data["language"] == "zh"  # the issuer has a Chinese prefix
    assert data["title"] == 'Notice: "quoted" # text'
    assert data["date"] == date(2024, 5, 1)
    # the new file is valid as written (a draft)
    assert run(project, "check").exit_code == 0

    again = run(project, "new", "--issuer", "panzhihua-ftu", "--date", "2024-05-02", "--lang", "en")
    assert again.stdout.strip() == "circulars/2024/panzhihua-ftu-2024-09.yaml"
    assert yaml.safe_load((project / again.stdout.strip()).read_text(encoding="utf-8"))["language"] == "en"

    before = made.read_bytes()
    clash = run(
        project, "new", "--issuer", "panzhihua-ftu", "--date", "2024-05-03", "--id", "panzhihua-ftu-2024-08"
    )
    assert clash.exit_code == 1
    assert "already exists; not overwriting" in clash.stderr
    assert made.read_bytes() == before


def test_new_counts_numbers_claimed_by_broken_files(project):
    write(
        project,
        "circulars/2024/broken.yaml",
        circular_yaml("broken", 15).replace("status: issued", "status: ???"),
    )
    result = run(project, "new", "--issuer", "panzhihua-ftu", "--date", "2024-06-01")
    assert result.stdout.strip() == "circulars/2024/panzhihua-ftu-2024-16.yaml"


def test_new_usage_errors(project):
    result = run(project, "new", "--issuer", "nobody")
    assert result.exit_code == 2
    assert "unknown organization 'nobody'" in result.stderr
    assert run(project, "new").exit_code == 2
    assert run(project, "new", "--issuer", "panzhihua-ftu", "--id", "Bad Id").exit_code == 2


def test_usage_errors_exit_2(project):
    assert run(project, "check", "--no-such-option").exit_code == 2
    assert run(project, "check", str(project / "missing.yaml")).exit_code == 2
    assert run(project, "frobnicate").exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        "check",
        "list",
        "new",
        "schema",
        "build",
        "preview",
        "serve",
        "distribute",
        "distribution status",
        "distribution ack",
        "verify",
        "mail test",
    ],
)
def test_every_command_has_help_with_an_example(command):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output or "Examples:" in result.output
    assert f"circulars {command}" in result.output


def test_schema_command_prints_json_schema():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert {"id", "title", "issuer", "requirements"} <= set(schema["properties"])
    assert "title" in schema["required"]
    organizations = json.loads(CliRunner().invoke(main, ["schema", "organizations"]).output)
    assert "organizations" in organizations["properties"]


def test_real_command_never_shows_a_traceback(project):
    """The installed entry point, in a subprocess, on hostile input."""
    write(project, "circulars/2024/hostile.yaml", b"\xff\xfe\x00garbage: [\n\t")
    write(
        project,
        "circulars/2024/bomb.yaml",
        "a: &a ["
        + ",".join(["x"] * 50)
        + "]\n"
        + "".join(
            f"b{i}: &b{i} [" + ",".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 50) + "]\n" for i in range(4)
        ),
    )
    done = subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert (
        "circulars/2024/hostile.yaml:1:1: error: file is not valid UTF-8 (byte 0xff); save it as UTF-8"
        in done.stdout
    )
    assert "circulars/2024/bomb.yaml:3:1: error: aliases expand this file beyond 100000 values" in done.stdout


# Loaded in a fresh interpreter, printing the modules it then holds: what start-up pays for.
MODULES_AFTER = """\
import json, sys
import click
from generator.cli import main

def paths(command, path):
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from paths(sub, [*path, name])

ran = json.loads(sys.argv[1]) or [[*p, "--help"] for p in paths(main, [])]
for args in ran:
    try:
        main(args, prog_name="circulars")
    except SystemExit as exit:
        assert exit.code in (0, None), (args, exit.code)
print(json.dumps({"ran": ran, "modules": sorted(sys.modules)}))
"""

# the stages after loading, and what they import
NOT_FOR_CHECK = [
    *("generator.render", "generator.docx.writer", "generator.site", "generator.distribution.mailer"),
    *("generator.distribution.register", "smtplib", "sqlite3", "tqdm"),
    *("mkdocs", "markdown", "lxml", "jinja2", "docx", "openpyxl", "jieba"),
]
# loading too: pydantic and the model alone take a quarter of a second
NOT_FOR_HELP = [*NOT_FOR_CHECK, "generator.source.model", "pydantic", "yaml"]


def _modules_after(*commands: list[str]) -> tuple[list[list[str]], set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AFTER, json.dumps(commands)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    return found["ran"], set(found["modules"])


def _loaded(modules: set[str], names: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_imports_no_stage():
    """Every command's --help (the commands are walked, so a new one is covered) runs without
    pydantic, YAML or any later stage: each is imported when a command needs it."""
    ran, modules = _modules_after()
    assert ["--help"] in ran and ["check", "--help"] in ran and ["returns", "status", "--help"] in ran
    assert _loaded(modules, NOT_FOR_HELP) == []


def test_check_imports_only_loading():
    """`check` loads the model and the project, and nothing of rendering, writing, the site or mail."""
    _, modules = _modules_after(["-C", str(REPO), "check"])
    assert "generator.source.model" in modules
    assert _loaded(modules, NOT_FOR_CHECK) == []


def test_build_of_named_documents_imports_no_site_and_no_pool(tmp_path):
    """`build ID` in a project with a site writes Word documents only: it reads docx_dir
    from mkdocs.yml without MkDocs' builder, theme or plugins, and with -j 1 it starts
    no worker pool."""
    out = tmp_path / "out"
    _, modules = _modules_after(["-C", str(REPO), "build", "-j", "1", "-o", str(out), "sichuan-2024-12"])
    assert (out / "docx/sichuan-2024-12.docx").is_file()
    assert "generator.docx.writer" in modules
    not_for_documents = ["mkdocs.commands", "mkdocs.config", "material", "generator.site.build"]
    assert _loaded(modules, [*not_for_documents, "concurrent.futures.process", "pkg_resources"]) == []
