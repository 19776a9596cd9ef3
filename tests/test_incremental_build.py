"""`circulars build` writes again only the Word documents whose inputs changed.

A project of three circulars (two Chinese, one of them with a table read from a
CSV file, and one English) is built once; then one input at a time changes,
and the tests check which documents were written again (a new file: another
inode and modification time), that the others kept their bytes, and that what
was written is what a build from scratch writes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, add_site, circular_yaml, run, write
from docx_reading import blocks

from generator.docx import build_record
from generator.docx.build import build_documents
from generator.docx.build_record import MARKDOWN_DIR, RECORD_FILE
from generator.source.loading import load_project

ZH, TABLED, EN = "panzhihua-2024-07", "panzhihua-2024-08", "panzhihua-2024-09-en"
IDS = (ZH, TABLED, EN)

TABLED_YAML = circular_yaml(TABLED, 8).replace(
    "    deadline: 2024-09-30\n",
    "    deadline: 2024-09-30\n    tables:\n      - file: attachments/units.csv\n",
)
EN_YAML = """\
id: panzhihua-2024-09-en
kind: notice
language: en
status: issued
title: Notice on the Stationed Cadres
issuer: panzhihua-ftu
number: 9
date: 2024-04-20
to: [geliping-park]
requirements:
  - key: find out problems
    text: The stationed cadres shall go deep among the workers.
    deadline: 2024-09-30
"""


@pytest.fixture
def built(project: Path) -> Path:
    """The project with its three circulars, built once; returns build/docx."""
    write(project, f"circulars/2024/{TABLED}.yaml", TABLED_YAML)
    write(project, "circulars/2024/attachments/units.csv", "单位,人数\n焦化厂,12\n")
    write(project, f"circulars/2024/{EN}.yaml", EN_YAML)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert "Wrote 3 Word documents to build/docx/ (0 up to date)" in result.output
    return project / "build" / "docx"


def files(docx_dir: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each document's inode, modification time and bytes."""
    out = {}
    for circular_id in IDS:
        path = docx_dir / f"{circular_id}.docx"
        stat = path.stat()
        out[circular_id] = (stat.st_ino, stat.st_mtime_ns, path.read_bytes())
    return out


def rebuild(project: Path, *args: str) -> tuple[set[str], str]:
    """Build again; the ids of the documents written, and the command's output."""
    docx_dir = project / "build" / "docx"
    before = files(docx_dir)
    result = run(project, "build", *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    after = files(docx_dir)
    written = {cid for cid in IDS if after[cid][:2] != before[cid][:2]}
    for cid in set(IDS) - written:
        assert after[cid][2] == before[cid][2]
    return written, result.output


def same_as_from_scratch(project: Path, tmp_path: Path) -> None:
    """Every document is byte for byte what a build into an empty folder writes."""
    fresh = tmp_path / "fresh"
    result = run(project, "build", "-o", str(fresh))
    assert result.exit_code == 0, result.output
    for circular_id in IDS:
        name = f"{circular_id}.docx"
        assert (project / "build/docx" / name).read_bytes() == (fresh / "docx" / name).read_bytes()


def text_of(path: Path) -> str:
    return "\n".join(text for _style, text in blocks(path))


def test_a_second_build_writes_nothing(built, project):
    written, output = rebuild(project)
    assert written == set()
    assert "Wrote 0 Word documents to build/docx/ (3 up to date)" in output
    record = json.loads((built / RECORD_FILE).read_text(encoding="utf-8"))
    assert sorted(record["documents"]) == sorted(IDS)


def test_a_changed_circular_is_the_only_document_written(built, project, tmp_path):
    path = project / f"circulars/2024/{ZH}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("迅速深入", "立即深入"), encoding="utf-8")
    written, output = rebuild(project)
    assert written == {ZH}
    assert "Wrote 1 Word document to build/docx/ (2 up to date)" in output
    assert "立即深入" in text_of(built / f"{ZH}.docx")
    same_as_from_scratch(project, tmp_path)


def test_building_one_id_keeps_the_record_of_the_others(built, project):
    path = project / f"circulars/2024/{EN}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("go deep", "go straight"), encoding="utf-8")
    written, output = rebuild(project, ZH, EN)
    assert written == {EN}
    assert "Wrote 1 Word document to build/docx/ (1 up to date)" in output
    written, _ = rebuild(project)
    assert written == set()


def test_a_changed_registry_rebuilds_the_documents_that_name_it(built, project, tmp_path):
    path = project / "circulars/organizations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("zh: 攀枝花市总工会}", "zh: 攀枝花市总工会联合会}"),
        encoding="utf-8",
    )
    written, _ = rebuild(project)
    assert written == set(IDS)
    assert "攀枝花市总工会联合会" in text_of(built / f"{ZH}.docx")
    same_as_from_scratch(project, tmp_path)


def test_a_changed_template_rebuilds_every_document(built, project, tmp_path):
    notice = (REPO / "templates" / "notice.md.j2").read_text(encoding="utf-8")
    closing = 't("", "特此通知。")'
    assert closing in notice
    write(project, "templates/notice.md.j2", notice.replace(closing, 't("So noticed.", "特此通知。")'))
    written, _ = rebuild(project)
    assert written == set(IDS)
    assert "So noticed." in text_of(built / f"{EN}.docx")
    same_as_from_scratch(project, tmp_path)


def test_a_changed_table_file_rebuilds_its_circular(built, project, tmp_path):
    write(project, "circulars/2024/attachments/units.csv", "单位,人数\n焦化厂,15\n")
    written, _ = rebuild(project)
    assert written == {TABLED}
    assert "15" in text_of(built / f"{TABLED}.docx").split("\n")
    same_as_from_scratch(project, tmp_path)


def restyled(reference: Path) -> bytes:
    """The reference document with another colour in its styles."""
    out = io.BytesIO()
    with zipfile.ZipFile(reference) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":
                assert b'w:val="FF0000"' in data.replace(b"'", b'"')
                data = data.replace(b'w:val="FF0000"', b'w:val="C00000"')
            target.writestr(info, data)
    return out.getvalue()


def test_a_changed_reference_document_rebuilds_its_layout_only(built, project, tmp_path):
    write(project, "templates/gbt9704.docx", restyled(REPO / "templates" / "gbt9704.docx"))
    written, _ = rebuild(project)
    assert written == {ZH, TABLED}  # the English circular has the international layout
    with zipfile.ZipFile(built / f"{ZH}.docx") as document:
        assert b'w:val="C00000"' in document.read("word/styles.xml")
    same_as_from_scratch(project, tmp_path)


def test_a_deleted_or_altered_document_is_written_again(built, project):
    (built / f"{ZH}.docx").unlink()
    (built / f"{EN}.docx").write_bytes(b"edited by hand")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 Word documents to build/docx/ (1 up to date)" in result.output
    assert blocks(built / f"{ZH}.docx") and blocks(built / f"{EN}.docx")


def test_lost_markdown_is_rendered_again_without_rewriting_the_documents(built, project):
    shutil.rmtree(built / MARKDOWN_DIR)
    written, output = rebuild(project)
    assert written == set()
    assert "(3 up to date)" in output
    assert len(list((built / MARKDOWN_DIR).glob("*.md"))) == 3


@pytest.mark.parametrize(
    "damage",
    [
        b"\x00\xffnot json",
        b"[" * 100_000,
        b'{"format": 1, "documents": {"x": {"inputs": 3}}}',
        b'{"format": 1, "documents": {"x": {"inputs": "a", "size": 1, "sha256": "b", "markdown": "c",'
        b' "missing_styles": 5}}}',
        b"[]",
        b'{"format": 99}',
    ],
)
def test_a_damaged_record_means_a_full_rebuild_with_a_warning(built, project, damage):
    (built / RECORD_FILE).write_bytes(damage)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert f"warning: {built / RECORD_FILE} " in result.output
    assert "every Word document is built again" in result.output
    assert "Wrote 3 Word documents to build/docx/ (0 up to date)" in result.output
    written, _ = rebuild(project)  # and the record is sound again
    assert written == set()


def test_force_rebuilds_everything(built, project):
    written, output = rebuild(project, "--force")
    assert written == set(IDS)
    assert "Wrote 3 Word documents to build/docx/ (0 up to date)" in output


def test_other_generator_code_rebuilds_everything(built, project, monkeypatch):
    monkeypatch.setattr(build_record, "LOADED_CODE", "another version of the generator")
    written, _ = rebuild(project)
    assert written == set(IDS)


def test_a_circular_changed_in_memory_is_not_taken_for_its_file(built, project):
    loaded = load_project(project)
    copy = loaded.source(ZH).circular.model_copy(update={"title": "关于另一件事的通知"})
    result = build_documents(loaded, [copy], built, jobs=1)
    assert (result.rebuilt, result.up_to_date) == (1, 0)
    assert "关于另一件事的通知" in text_of(built / f"{ZH}.docx")
    written, _ = rebuild(project)  # and back to what the file says
    assert written == {ZH}


def test_the_site_build_keeps_unchanged_documents_and_shows_the_change(built, project):
    add_site(project)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - circulars\n", "  - circulars:\n      pdf: false\n"),
        encoding="utf-8",
    )
    written, output = rebuild(project)
    assert written == set() and "(3 up to date)" in output
    page = project / "build/site/circulars" / ZH / "index.html"
    assert "迅速深入" in page.read_text(encoding="utf-8")
    path = project / f"circulars/2024/{ZH}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("迅速深入", "立即深入"), encoding="utf-8")
    written, output = rebuild(project)
    assert written == {ZH}
    assert "Wrote 1 Word document to build/docx/ (2 up to date)" in output
    assert "立即深入" in page.read_text(encoding="utf-8")


def test_a_record_that_is_a_pipe_is_not_waited_for(built, project):
    record = built / RECORD_FILE
    record.unlink()
    os.mkfifo(record)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert f"warning: {record} " in result.output and "every Word document is built again" in result.output
    assert "Wrote 3 Word documents to build/docx/ (0 up to date)" in result.output
    assert record.is_file()  # a record again
