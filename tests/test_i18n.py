"""The command line in the user's language: English as written, Chinese from the zh_CN
catalog, chosen by --lang, CIRCULARS_LANG or the locale; and a catalog that keeps up
with the code (every message translated, the compiled .mo the same as the .po)."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from conftest import REPO, run, write
from return_forms import CIRCULAR, example_project

from generator.i18n import language_from_environment, normalized

PO = REPO / "generator/locale/zh_CN/LC_MESSAGES/circulars.po"
MO = PO.with_suffix(".mo")
UPDATE = "`.venv/bin/python scripts/update_catalog.py`"


def _update_catalog():
    spec = importlib.util.spec_from_file_location("update_catalog", REPO / "scripts" / "update_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _placeholders(text: str) -> set[str]:
    text = text.replace("{{", "").replace("}}", "")
    return set(re.findall(r"\{(\w*)[^}]*\}", text)) | set(re.findall(r"%\((\w+)\)s", text))


def _zh(**extra: str) -> dict[str, str]:
    """The environment of a clerk whose machine speaks Chinese (LANG only, as most set it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CIRCULARS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")
    }
    return {**env, "LANG": "zh_CN.UTF-8", **extra}


def _cli(args: list[str], env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the catalog ----------------------------------------------------------------------------


def test_every_message_in_the_code_is_in_the_catalog_and_translated():
    update = _update_catalog()
    catalog = update.read(PO)
    wanted = update.template()
    missing = [m.id for m in wanted if m.id and catalog.get(m.id) is None]
    untranslated = [m.id for m in catalog if update.untranslated(m)]
    assert not missing and not untranslated, (
        f"{len(missing)} messages are not in {PO.relative_to(REPO)} and {len(untranslated)} are not translated "
        f"(first: {(missing + untranslated)[:3]}): run {UPDATE}, translate the entries with an empty msgstr "
        "or marked `#, fuzzy` (and remove that flag), then run it again to compile the .mo"
    )


def test_translations_keep_the_placeholders_of_the_english():
    catalog = _update_catalog().read(PO)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):  # Chinese has one form for every count
            english = _placeholders(message.id[0]) | _placeholders(message.id[1])
            if not _placeholders(message.string[0]) <= english:
                wrong.append(message.id[0])
        elif _placeholders(message.string) != _placeholders(message.id):
            wrong.append(message.id)
    assert not wrong, f"translations whose {{placeholders}} differ from the English: {wrong}"


def test_the_compiled_catalog_is_the_po_compiled():
    out = io.BytesIO()
    write_mo(out, _update_catalog().read(PO))
    assert MO.read_bytes() == out.getvalue(), f"{MO.relative_to(REPO)} is older than the .po: run {UPDATE}"


def test_the_catalog_ships_with_the_package():
    """hatch puts every file under generator/ in the wheel unless git ignores it."""
    ignored = subprocess.run(
        ["git", "check-ignore", str(MO.relative_to(REPO))], cwd=REPO, capture_output=True, text=True
    )
    assert ignored.returncode == 1, "the compiled catalog is git-ignored, so the wheel would lack it"
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", str(MO.relative_to(REPO))], cwd=REPO, capture_output=True
    )
    assert tracked.returncode == 0, "commit the compiled catalog: the package installs it as it is"


def test_no_message_is_translated_when_its_module_is_imported():
    """A _() at a module's top level runs once, at import, in English, whatever language the
    command chooses later: messages are translated where they are made, in a function."""
    import ast

    at_import = []
    for path in sorted((REPO / "generator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # a function's body runs when it is called; click's help texts (in click.option(),
        # click.command() ...) are made at import, and generator/cli/language.py translates them
        # each run
        later = [
            *(n.body for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
            *([n.body] for n in ast.walk(tree) if isinstance(n, ast.Lambda)),
            *([n] for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_click(n.func)),
        ]
        allowed = {id(sub) for body in later for part in body for sub in ast.walk(part)}
        for sub in ast.walk(tree):
            called = isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
            if called and sub.func.id in ("_", "ngettext") and id(sub) not in allowed:
                at_import.append(f"{path.relative_to(REPO)}:{sub.lineno}")
    assert not at_import, f"translated at import (move the _() into the function that uses it): {at_import}"


def _is_click(func) -> bool:
    import ast

    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "click"


# --- choosing the language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN.UTF-8"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en_US.UTF-8"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN.UTF-8"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "CIRCULARS_LANG": "en"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_environment_in_gettexts_order(environ, expected):
    assert language_from_environment(environ) == expected


@pytest.mark.parametrize("name", ["zh_CN.UTF-8", "zh-cn", "zh", "zh_CN", "zh_Hans", "zh_CN.GB18030@x"])
def test_chinese_locale_names_read_the_simplified_catalog(name):
    assert normalized(name) == "zh_CN"


def test_help_is_chinese_under_a_chinese_locale_and_english_with_lang_en():
    zh = _cli(["--help"], _zh())
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.startswith("用法:"), zh.stdout
    assert "起草、检查、发布和分发工会组织的公文。" in zh.stdout
    assert "检查公文和名录，一次列出全部问题。" in zh.stdout  # a command's summary
    assert "显示本帮助并退出。" in zh.stdout  # click's own words

    en = _cli(["--lang", "en", "--help"], _zh())
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("Usage: circulars [OPTIONS] COMMAND [ARGS]...")
    assert "Draft, check, publish and distribute a union federation's circulars." in en.stdout
    assert "  check         Check circulars and the registry; report every problem at..." in en.stdout
    assert "Show this message and exit." in en.stdout
    assert not re.search(r"[\u4e00-\u9fff]", en.stdout)


def test_a_commands_help_in_chinese_keeps_its_examples_and_fits_the_terminal():
    result = _cli(["build", "--help"], _zh())
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "生成 Word 文档和公文网站。" in text
    assert "示例：\n    circulars build\n    circulars build panzhihua-2024-07 sichuan-2024-12" in text
    assert "全部重新生成（每份 Word 文档、PDF 和网站的每一页），" in text  # an option's help
    assert "[默认：build]" in text
    from generator.docx.text_width import display_width

    prose = [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line)]
    assert prose and max(display_width(line) for line in prose) <= 90


def test_an_unknown_language_is_a_usage_error():
    result = _cli(["--lang", "fr", "check"], _zh())
    assert result.returncode == 2
    assert "no messages in 'fr' (languages: en, zh_CN)" in result.stderr or "没有“fr”语言" in result.stderr


# --- the same command in both languages ------------------------------------------------------


def test_check_reports_a_problem_in_either_language_at_the_same_place(project):
    path = project / "circulars/2024/panzhihua-2024-07.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    where = "circulars/2024/panzhihua-2024-07.yaml"

    en = run(project, "--lang", "en", "check")
    assert en.exit_code == 1
    assert f"{where}:1:1: error: missing required key 'title'" in en.stdout
    assert re.search(rf"{where}:\d+:1: error: unknown key 'titel' \(did you mean 'title'\?\)", en.stdout)
    assert en.stderr.strip() == "2 errors, 0 warnings"

    zh = run(project, "--lang", "zh_CN", "check")
    assert zh.exit_code == 1
    assert f"{where}:1:1: 错误: 缺少必填字段“title”" in zh.stdout
    assert re.search(rf"{where}:\d+:1: 错误: 未知字段“titel”（是否应为“title”？）", zh.stdout)
    assert zh.stderr.strip() == "2 处错误，0 处警告"
    # positions are the same in both
    assert [line.split(": ")[0] for line in en.stdout.splitlines()] == [
        line.split(": ")[0] for line in zh.stdout.splitlines()
    ]


def test_check_summary_in_both_languages_by_the_locale(project):
    zh = _cli(["-C", str(project), "check"], _zh())
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.strip() == "已检查公文 1 份、名录文件 2 个、表格文件 0 个：未发现问题"
    en = _cli(["-C", str(project), "check"], _zh(CIRCULARS_LANG="en"))
    assert en.stdout.strip() == "1 circular, 2 registry files, 0 table files checked: no problems"


def test_a_usage_error_in_chinese(project):
    result = run(project, "--lang", "zh_CN", "new", "--issuer", "nobody")
    assert result.exit_code == 2
    assert "错误：--issuer 的值无效：未知单位“nobody”" in result.stderr
    english = run(project, "new", "--issuer", "nobody")
    assert "Error: Invalid value for --issuer: unknown organization 'nobody'" in english.stderr


def test_returns_status_headers_and_markers_in_both_languages(tmp_path, monkeypatch):
    project = example_project(tmp_path, monkeypatch)
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-10-01")  # item 2.1 is past its deadline

    en = run(project, "--lang", "en", "returns", "status", CIRCULAR)
    assert en.exit_code == 0, en.output
    lines = en.stdout.splitlines()
    assert lines[1].split()[:4] == ["ITEM", "REQUIREMENT", "TARGET", "DEADLINE"]
    assert any("(no return)" in line and line.rstrip().endswith("OVERDUE") for line in lines)
    assert re.search(r"^\d+ of \d+ items done \(\d+%\); \d+ overdue on 2024-10-01$", lines[-1])

    zh = run(project, "--lang", "zh_CN", "returns", "status", CIRCULAR)
    assert zh.exit_code == 0, zh.output
    lines = zh.stdout.splitlines()
    assert lines[1].split()[:4] == ["事项", "工作要求", "指标", "截止日期"]
    assert any("（未报送）" in line and line.rstrip().endswith("逾期") for line in lines)
    assert "(no return)" not in zh.stdout and "OVERDUE" not in zh.stdout
    assert re.search(r"^\d+ 项中已完成 \d+ 项（\d+%）；截至 2024-10-01 逾期 \d+ 项$", lines[-1])
    # ids and dates stay as they are
    assert [line.split()[0] for line in en.stdout.splitlines()[2:6]] == [
        line.split()[0] for line in zh.stdout.splitlines()[2:6]
    ]


def test_the_dry_run_table_in_chinese(tmp_path, monkeypatch):
    project = example_project(tmp_path, monkeypatch)
    result = run(project, "--lang", "zh_CN", "distribute", CIRCULAR, "--dry-run", "--no-pdf")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if line.startswith("份号"))
    assert header.split() == ["份号", "类别", "收文单位", "名称", "电子邮箱", "文件"]
    assert re.search(r"^将制作 \d+ 份；未写入任何文件（--dry-run）。$", result.stdout.splitlines()[-1])


def test_the_language_is_chosen_again_on_every_run(project):
    """One process, both languages (as a test runner or a server that runs the command would)."""
    assert "用法:" in run(project, "--lang", "zh_CN", "check", "--help").stdout
    english = run(project, "check", "--help").stdout
    assert english.startswith("Usage: ") and "Check circulars and the registry" in english
    assert not re.search(r"[\u4e00-\u9fff]", english)
    assert "用法:" in run(project, "--lang", "zh", "check", "--help").stdout


def test_a_wrapped_message_of_a_module_below_the_cli_is_translated(project):
    """check's messages come from generator/source; a broken YAML file's, from the reader."""
    write(project, "circulars/2024/broken.yaml", "id: broken\n\ttitle: x\n")
    write(project, "circulars/2024/colon.yaml", "id: colon\ntitle: a: b\n")
    zh = run(project, "--lang", "zh_CN", "check")
    # PyYAML's own words for a common mistake, too
    assert "circulars/2024/colon.yaml:2:9: 错误: YAML 语法错误：此处不能有“键: 值”" in zh.stdout
    assert (
        "circulars/2024/broken.yaml:2:1: 错误: YAML 语法错误：制表符：YAML 请用空格缩进，不要用制表符"
        in zh.stdout
    )


def test_a_commands_own_lang_option_is_not_the_language_of_the_messages(project):
    """`list --lang zh` lists the Chinese circulars; only --lang before the command is the interface's."""
    listed = run(project, "list", "--lang", "zh")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0].split() == ["ID", "NUMBER", "DATE", "STATUS", "TITLE"]
    both = run(project, "--lang", "zh_CN", "list", "--lang", "en")
    assert both.stdout.splitlines() == ["ID  文号  日期  状态  标题"]


def test_a_message_made_in_a_spawned_worker_is_in_the_chosen_language(tmp_path):
    """Where worker processes are spawned (Windows, macOS), not forked, they start in English
    unless told the language: a template error rendered in one comes back in Chinese."""
    import multiprocessing

    from test_docx_layout import _copies

    from generator.docx import build as docx_build
    from generator.docx.build import build_documents
    from generator.i18n import use_language
    from generator.source.loading import load_project

    root = tmp_path / "project"
    _copies(root, docx_build.PARALLEL_THRESHOLD + 2)
    write(root, "templates/notice.md.j2", "# {{ c.title }}\n\n{{ c.no_such_field }}\n")
    project = load_project(root)
    notices = [c for c in project.circulars if c.kind == "notice"]
    assert len(notices) >= docx_build.PARALLEL_THRESHOLD
    use_language("zh_CN")
    method = multiprocessing.get_start_method()
    multiprocessing.set_start_method("spawn", force=True)
    try:
        result = build_documents(project, notices, tmp_path / "out", jobs=2)
    finally:
        multiprocessing.set_start_method(method, force=True)
    assert len(result.errors) == len(notices)
    assert all("templates/notice.md.j2:3: 模板错误：" in error for error in result.errors), result.errors[:2]
