"""`circulars import`: Word documents back into circular YAML.

- Round trip: every shipped example, built to Word, imported, and built again,
  gives the same text paragraph for paragraph (table cells included), read with
  the blocks reader, and the imported YAML passes `check` among the other circulars.
- Real documents typed plainly: the five real circulars (tests/real/*.source.md,
  the originals' text, one paragraph a line) written as plain Word files with
  python-docx (no styles of ours), imported, built, and scored against their
  expect files the way tests/test_real_expect.py scores the shipped examples.
- Bad input: a .doc or .pdf renamed .docx, a damaged zip, a document without
  text, an existing circular: a message, exit 1, nothing written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import REPO, run
from test_real_expect import EXAMPLES, Read, expectation, failures

from generator.docx.build import build_documents
from generator.docx.importing import read_document
from generator.docx.reading.blocks import read_docx
from generator.source.loading import load_project

REAL = REPO / "tests" / "real"


def _registry_project(root: Path) -> Path:
    (root / "circulars").mkdir(parents=True)
    for name in ("organizations.yaml", "people.yaml"):
        shutil.copy(REPO / "circulars" / name, root / "circulars" / name)
    return root


def _texts(path: Path) -> list[str]:
    return [paragraph.text for paragraph in read_docx(path).paragraphs()]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """The examples built; each imported into a copy of the project in its original's
    place; that copy checked and built. Returns (first build, second build, problems)."""
    project = load_project(REPO)
    first = tmp_path_factory.mktemp("built")
    assert not build_documents(project, project.circulars, first, jobs=2).errors
    copy = tmp_path_factory.mktemp("imported") / "project"
    shutil.copytree(REPO / "circulars", copy / "circulars")
    problems = {}
    for circular in project.circulars:
        result = read_document(first / f"{circular.id}.docx", project)
        assert result.circular_id == circular.id
        problems[circular.id] = result.problems
        original = project.source(circular.id).source.path
        (copy / original.relative_to(REPO)).write_text(result.yaml, encoding="utf-8")
    imported = load_project(copy)
    assert [d.format(copy) for d in imported.diagnostics.errors] == []
    second = tmp_path_factory.mktemp("rebuilt")
    assert not build_documents(imported, imported.circulars, second, jobs=2).errors
    return first, second, problems


EXAMPLE_IDS = sorted(path.stem for path in (REPO / "circulars").glob("*/*.yaml"))


@pytest.mark.parametrize("circular_id", EXAMPLE_IDS)
def test_every_example_comes_back_paragraph_for_paragraph(round_trip, circular_id):
    first, second, problems = round_trip
    if not (first / f"{circular_id}.docx").exists():
        pytest.skip("a draft: not built")
    assert problems[circular_id] == []
    assert _texts(second / f"{circular_id}.docx") == _texts(first / f"{circular_id}.docx")


def test_the_round_trip_covers_every_built_example(round_trip):
    first, second, _ = round_trip
    built = sorted(path.name for path in first.glob("*.docx"))
    assert len(built) >= 20
    assert built == sorted(path.name for path in second.glob("*.docx"))


def plain_word(source: Path, target: Path, indent: str = "") -> Path:
    """The text of a real circular as a clerk types it: one paragraph a line, Word's
    defaults; with `indent`, every line that is not blank starts with it (　　, typed)."""
    text = source.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    document = docx.Document()
    for line in text.strip("\n").split("\n"):
        document.add_paragraph(indent + line if line.strip() else line)
    document.save(target)
    return target


@pytest.mark.parametrize("indent", ["", "\u3000\u3000"], ids=["flush", "indented"])
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_real_documents_typed_plainly_import_and_score_full_marks(tmp_path, name, indent):
    project = load_project(REPO)
    root = _registry_project(tmp_path / "project")
    result = read_document(plain_word(REAL / f"{name}.source.md", tmp_path / "in.docx", indent), project)
    assert result.problems == []
    target = root / "circulars" / result.path.relative_to(project.data_dir)
    target.parent.mkdir(parents=True)
    target.write_text(result.yaml, encoding="utf-8")
    imported = load_project(root)
    assert [d.format(root) for d in imported.diagnostics.errors] == []
    (circular,) = imported.circulars
    assert circular.issuer == project.source(EXAMPLES[name]).circular.issuer
    assert circular.number == project.source(EXAMPLES[name]).circular.number
    assert circular.date == project.source(EXAMPLES[name]).circular.date
    built = build_documents(imported, [circular], tmp_path / "out", jobs=1)
    assert not built.errors
    assert failures(Read(tmp_path / "out" / f"{circular.id}.docx"), expectation(name)) == []


def test_import_writes_the_yaml_and_says_what_it_guessed(tmp_path):
    root = _registry_project(tmp_path / "project")
    source = plain_word(REAL / "zqcz-2016-training.source.md", tmp_path / "training.docx")
    result = run(root, "import", str(source))
    assert result.exit_code == 0, result.output
    written = root / "circulars" / "2016" / "wujin-education-union-2016-03-09.yaml"
    assert f"wrote {written.relative_to(root)}" in result.stdout
    assert "issuer 常州市武进区教育工会 → wujin-education-union" in result.stdout
    text = written.read_text(encoding="utf-8")
    assert "title: 关于参加基层工会换届选举现场培训会的通知" in text
    assert "  - title: 会议时间" in text
    assert run(root, "check").exit_code == 0
    again = run(root, "import", str(source))  # never over an existing circular
    assert again.exit_code == 1
    assert "exists already" in again.stderr and "--replace wujin-education-union-2016-03-09" in again.stderr
    assert written.read_text(encoding="utf-8") == text
    dry = run(root, "import", "--dry-run", str(source))  # shows what it holds, refuses as the real run would
    assert dry.exit_code == 1
    assert "title: 关于参加基层工会换届选举现场培训会的通知" in dry.stdout
    assert "exists already" in dry.stderr and "nothing written" in dry.stderr
    assert written.read_text(encoding="utf-8") == text


def test_dry_run_prints_the_yaml_and_writes_nothing(tmp_path):
    root = _registry_project(tmp_path / "project")
    source = plain_word(REAL / "gz-2025-dibao.source.md", tmp_path / "dibao.docx")
    result = run(root, "import", "--dry-run", str(source))
    assert result.exit_code == 0, result.output
    assert "number: 2\n" in result.stdout and "issuer: [gz-civil-affairs, gz-finance-bureau]" in result.stdout
    assert sorted(p.name for p in (root / "circulars").rglob("*.yaml")) == [
        "organizations.yaml",
        "people.yaml",
    ]


def _empty_docx(path: Path) -> Path:
    docx.Document().save(path)
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)), "old Word (.doc)"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "is a PDF file"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(100)), "not a Word document"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (_empty_docx, "holds no text"),
        (lambda p: None, "not found"),
        (os.mkfifo, "not a regular file"),
    ],
)
def test_what_is_not_a_circular_is_refused_with_a_message_and_nothing_written(tmp_path, make, says):
    root = _registry_project(tmp_path / "project")
    path = tmp_path / "archive.docx"
    make(path)
    result = run(root, "import", str(path))
    assert result.exit_code == 1
    assert says in result.stderr and "nothing written" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (root / "circulars").rglob("*")) == ["organizations.yaml", "people.yaml"]


def test_a_truncated_docx_is_refused(tmp_path):
    root = _registry_project(tmp_path / "project")
    whole = plain_word(REAL / "xmu-2017-pioneer.source.md", tmp_path / "whole.docx").read_bytes()
    (tmp_path / "cut.docx").write_bytes(whole[: len(whole) // 2])
    result = run(root, "import", str(tmp_path / "cut.docx"))
    assert result.exit_code == 1 and "nothing written" in result.stderr
    assert not list((root / "circulars").glob("*/*.yaml"))


def test_word_heading_styles_and_tracked_changes_in_a_plain_file(tmp_path):
    """A file made in Word: headings in Word's Heading styles, a deletion still tracked."""
    document = docx.Document()
    for line in ("川工发〔2024〕3号", "关于开展职工书屋建设的通知", "各市（州）总工会："):
        document.add_paragraph(line)
    document.add_paragraph("一、工作目标", style="Heading 1")
    kept = document.add_paragraph("建成职工书屋100家。")
    deleted = kept._p.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}del", {})
    deleted.append(kept.add_run("（删去的话）")._r)
    kept._p.append(deleted)
    document.add_paragraph("二、工作要求", style="Heading 1")
    document.add_paragraph("一是加强领导。各地要高度重视。")
    document.add_paragraph("二是注重实效。")
    for line in ("四川省总工会", "2024年3月1日"):
        document.add_paragraph(line)
    document.save(tmp_path / "books.docx")
    result = read_document(tmp_path / "books.docx", load_project(REPO))
    assert result.problems == []
    assert "  - title: 工作目标\n    text: 建成职工书屋100家。\n" in result.yaml
    assert "删去" not in result.yaml
    assert "    points:\n      - text: 加强领导。各地要高度重视。\n      - text: 注重实效。\n" in result.yaml
    assert "issuer: sichuan-ftu\nnumber: 3\ndate: 2024-03-01\n" in result.yaml


SAVED_BY_LIBREOFFICE = [
    "gz-2019-internship-bases",
    "panzhihua-2024-07",
    "rmt-2015-np-183",
    "sichuan-2024-12-en",
]


def test_examples_saved_again_by_libreoffice_come_back_the_same(round_trip, tmp_path):
    """A document opened and saved in LibreOffice (which renames some styles and rewrites
    every part) imports as the same circular: same id, same text when built."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    first, _, _ = round_trip
    saved = tmp_path / "saved"
    subprocess.run(
        [program, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "docx:MS Word 2007 XML", "--outdir", str(saved), *(str(first / f"{i}.docx") for i in SAVED_BY_LIBREOFFICE)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    project = load_project(REPO)
    copy = tmp_path / "project"
    shutil.copytree(REPO / "circulars", copy / "circulars")
    for circular_id in SAVED_BY_LIBREOFFICE:
        result = read_document(saved / f"{circular_id}.docx", project)
        assert result.circular_id == circular_id and result.problems == []
        original = project.source(circular_id).source.path
        (copy / original.relative_to(REPO)).write_text(result.yaml, encoding="utf-8")
    imported = load_project(copy)
    assert [d.format(copy) for d in imported.diagnostics.errors] == []
    chosen = [c for c in imported.circulars if c.id in SAVED_BY_LIBREOFFICE]
    assert not build_documents(imported, chosen, tmp_path / "out", jobs=1).errors
    for circular_id in SAVED_BY_LIBREOFFICE:
        assert _texts(tmp_path / "out" / f"{circular_id}.docx") == _texts(first / f"{circular_id}.docx"), (
            circular_id
        )


def test_a_recipient_not_in_the_registry_is_kept_as_a_label_with_a_did_you_mean(tmp_path):
    document = docx.Document()
    for line in (
        "川工发〔2024〕4号",
        "关于做好春节慰问工作的通知",
        "攀枝花市总公会，各产业工会：",
        "请做好慰问工作。",
        "四川省总工会",
        "2024年1月20日",
    ):
        document.add_paragraph(line)
    document.save(tmp_path / "visits.docx")
    result = read_document(tmp_path / "visits.docx", load_project(REPO))
    assert "to 攀枝花市总公会 kept as a label (did you mean panzhihua-ftu?)" in result.guesses
    assert (
        "  - {label: 攀枝花市总公会, in_registry: false}\n  - {label: 各产业工会, in_registry: false}\n"
        in result.yaml
    )
    assert result.problems == []


# Examples whose Word document, retyped as a plain file (one paragraph a line, Word's
# defaults, no styles of ours, tables as tables, no document properties), imports into a
# circular that builds the same text. The others lose what a plain file cannot say: line
# breaks inside a paragraph (hnist-2008-45), an article's own numbering
# (ncwu-2008-spring-sports), a letter signed by its body without a date or close
# (acftu-2019-reform-article, chemchina-2012-03), a To block without "To:" (rmt-2016-np-202).
PLAIN_EXACT = [
    "fujian-2023-28", "fujian-2023-28-en", "gz-2019-internship-bases", "gz-2021-tekun", "gz-2023-1930",
    "gz-2025-dibao", "gz-2025-points-household", "hfcas-2013-workers-congress", "moe-2023-151",
    "panzhihua-2024-07", "panzhihua-2024-07-en", "rmt-2015-np-183", "sichuan-2022-05", "sichuan-2024-12",
    "sichuan-2024-12-en", "sysu-2016-12-12-congress-meeting", "xmu-2017-pioneer", "zqcz-2016-training",
]  # fmt: skip


def retyped(built: Path, target: Path) -> Path:
    """A built document as a clerk would retype it: each line a paragraph, each table a table."""
    from generator.docx.reading.blocks import Paragraph, Table

    document = docx.Document()
    for block in read_docx(built).blocks:
        if isinstance(block, Paragraph) and block.text.strip() and block.style != "footer":
            for line in block.text.split("\n"):
                document.add_paragraph(line)
        elif isinstance(block, Table):
            table = document.add_table(
                rows=len(block.rows), cols=max(sum(c.span for c in r.cells) for r in block.rows)
            )
            for row, cells in zip(table.rows, block.rows, strict=True):
                column = 0
                for cell in cells.cells:
                    row.cells[column].text = cell.text
                    column += cell.span
    document.save(target)
    return target


def _words(path: Path) -> list[str]:
    texts = ["".join(text.split()) for text in _texts(path)]
    return [text for text in texts if text and not (text.startswith("—") and text.endswith("—"))]


@pytest.mark.parametrize("circular_id", PLAIN_EXACT)
def test_examples_retyped_as_plain_files_build_the_same_text(round_trip, tmp_path, circular_id):
    first, _, _ = round_trip
    root = _registry_project(tmp_path / "project")
    project = load_project(root)  # the registry alone: no original for a translation to point to
    result = read_document(retyped(first / f"{circular_id}.docx", tmp_path / "plain.docx"), project)
    assert result.problems == []
    target = root / "circulars" / result.path.relative_to(project.data_dir)
    target.parent.mkdir(parents=True)
    target.write_text(result.yaml, encoding="utf-8")
    imported = load_project(root)
    assert [d.format(root) for d in imported.diagnostics.errors] == []
    assert not build_documents(imported, imported.circulars, tmp_path / "out", jobs=1).errors
    assert _words(tmp_path / "out" / f"{result.circular_id}.docx") == _words(first / f"{circular_id}.docx")


def test_the_letterhead_lines_of_a_plain_file(tmp_path):
    """份号, 密级 with its period, 紧急程度, 文件, number with 签发人, and under the date a
    note in brackets, the 版记's 抄送 and an imprint by an office on another day."""
    document = docx.Document()
    for line in (
        "000123", "机密★1年", "特急", "四川省总工会文件", "川工发〔2024〕5号\u3000\u3000签发人：张三",
        "关于做好安全生产工作的通知", "各市（州）总工会：", "请做好工作。", "特此通知。", "四川省总工会",
        "2024年1月5日", "（此件发至县级工会）", "抄送：中华全国总工会。", "四川省总工会办公室\u3000\u30002024年1月6日印发",
    ):  # fmt: skip
        document.add_paragraph(line)
    document.save(tmp_path / "safety.docx")
    result = read_document(tmp_path / "safety.docx", load_project(REPO))
    assert result.problems == []
    head = "title: 关于做好安全生产工作的通知\nissuer: sichuan-ftu\nnumber: 5\ndate: 2024-01-05\n"
    assert head + "urgency: very-urgent\nclassification: {level: secret, period: 1年}\n\nto:\n" in result.yaml
    assert "letterhead" not in result.yaml and "closing" not in result.yaml  # 文件, 特此通知。: the defaults
    assert (
        "cc: [acftu]\nbackground: 请做好工作。\nnotes: 此件发至县级工会\nprinting: {date: 2024-01-06}\n"
        in result.yaml
    )
    assert "签发人 张三 is not in people.yaml: add them and set 'signer'" in result.guesses


def test_a_folder_that_cannot_be_made_is_said_and_nothing_is_written(tmp_path):
    """circulars/2016 is a file, so the year's folder cannot be made: a message, exit 1."""
    root = _registry_project(tmp_path / "project")
    (root / "circulars" / "2016").write_text("not a folder", encoding="utf-8")
    source = plain_word(REAL / "zqcz-2016-training.source.md", tmp_path / "training.docx")
    result = run(root, "import", str(source))
    assert result.exit_code == 1
    assert "could not be written to circulars/2016/" in result.stderr and "nothing written" in result.stderr
    assert "Traceback" not in result.output
    assert (root / "circulars" / "2016").read_text(encoding="utf-8") == "not a folder"
