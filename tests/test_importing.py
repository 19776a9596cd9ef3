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

import shutil
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


def plain_word(source: Path, target: Path) -> Path:
    """The text of a real circular as a clerk types it: one paragraph a line, Word's defaults."""
    text = source.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    document = docx.Document()
    for line in text.strip("\n").split("\n"):
        document.add_paragraph(line)
    document.save(target)
    return target


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_real_documents_typed_plainly_import_and_score_full_marks(tmp_path, name):
    project = load_project(REPO)
    root = _registry_project(tmp_path / "project")
    result = read_document(plain_word(REAL / f"{name}.source.md", tmp_path / "in.docx"), project)
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
        (lambda p: None, "No such file"),
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
