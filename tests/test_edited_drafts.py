"""A leader's corrections in the tool's own Word draft, brought back into the YAML
with `circulars import edited.docx --replace ID` (edited with python-docx here;
with LibreOffice in test_edited_drafts_libreoffice.py)."""

from __future__ import annotations

import copy
import difflib
import io
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from generator.docx.replacing import blocks, built_document, replace_from_draft
from generator.docx.writer import DocxWriter
from generator.render.renderer import Renderer
from generator.source.loading import load_project

REPO = Path(__file__).resolve().parent.parent
PANZHIHUA = "panzhihua-2024-07"
SYSU = "sysu-2016-12-12-congress-meeting"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """The shipped examples, in a project of their own."""
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


def draft(root: Path, circular_id: str) -> docx.Document:
    """The Word draft the tool builds of the circular, opened for editing."""
    project = load_project(root)
    rendered = Renderer(project.root, project.registry).render(project.source(circular_id).circular)
    data = DocxWriter(project.root, project.registry).write(rendered).data
    return docx.Document(io.BytesIO(data))


def paragraph(document: docx.Document, starting: str):
    found = [p for p in document.paragraphs if p.text.startswith(starting)]
    assert found, starting
    return found[0]


def retype(p, old: str, new: str) -> None:
    """Change a phrase as Word does when one types over it: the run holding it is split."""
    for run in p.runs:
        if old in run.text:
            before, after = run.text.split(old, 1)
            typed = copy.deepcopy(run._r)
            rest = copy.deepcopy(run._r)
            run.text = before
            run._r.addnext(typed)
            typed.addnext(rest)
            typed.find(qn("w:t")).text = new
            rest.find(qn("w:t")).text = after
            for t in (typed.find(qn("w:t")), rest.find(qn("w:t"))):
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            return
    raise AssertionError(f"{old!r} is not in one run of {p.text!r}")


def add_after(p, text: str) -> None:
    new = copy.deepcopy(p._p)
    for run in new.findall(qn("w:r"))[1:]:
        new.remove(run)
    new.find(qn("w:r")).find(qn("w:t")).text = text
    p._p.addnext(new)


def save(document: docx.Document, path: Path) -> Path:
    document.save(path)
    return path


def yaml_path(root: Path, circular_id: str) -> Path:
    return next((root / "circulars").rglob(f"{circular_id}.yaml"))


def unchanged_lines_kept(before: str, after: str) -> list[str]:
    """The lines the edit took away (the changed values' own lines, nothing else)."""
    return [
        line[1:]
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line.startswith("-") and not line.startswith("---")
    ]


def built_texts(root: Path, circular_id: str) -> list[str]:
    project = load_project(root)
    assert not project.diagnostics.has_errors(), [d.format() for d in project.diagnostics.errors]
    document = built_document(project, project.source(circular_id).circular)
    return [b.text if hasattr(b, "text") else str(b.rows) for b in blocks(document)]


def edited_texts(path: Path) -> list[str]:
    from generator.docx.reading.blocks import read_docx

    return [b.text if hasattr(b, "text") else str(b.rows) for b in blocks(read_docx(path))]


def test_a_phrase_a_paragraph_and_a_deleted_requirement(examples: Path, tmp_path: Path):
    document = draft(examples, PANZHIHUA)
    retype(paragraph(document, "为贯彻落实"), "收集、掌握和梳理", "收集和梳理")
    add_after(paragraph(document, "在听取驻点单位"), "请各单位高度重视，确保驻点工作取得实效。")
    third = paragraph(document, "三是解决问题")
    meta = third._p.getnext()
    third._p.getparent().remove(third._p)
    meta.getparent().remove(meta)
    retype(paragraph(document, "四是服务职工"), "四是", "三是")  # the leader renumbers, as Word users do
    edited = save(document, tmp_path / "edited.docx")

    source = yaml_path(examples, PANZHIHUA)
    before = source.read_text(encoding="utf-8")
    result = replace_from_draft(load_project(examples), PANZHIHUA, edited)
    after = source.read_text(encoding="utf-8")

    assert result.report == [
        "background: …座谈会，收集、掌握和梳理工会工… → …座谈会，收集和梳理工会工…",
        "background: paragraph added: 请各单位高度重视，确保驻点工作取得实效。",
        "requirements 3 removed",
    ]
    data = yaml.safe_load(after)
    assert [r["key"] for r in data["requirements"]] == ["找准问题", "抓住关键", "服务职工"]
    assert data["background"].endswith("请认真抓好落实。\n\n请各单位高度重视，确保驻点工作取得实效。\n")
    assert "收集和梳理工会工作" in data["background"]
    # only the changed values' lines went: the comments, keys and other values are as they were
    removed = unchanged_lines_kept(before, after)
    assert all("收集、掌握和梳理" in line or "解决问题" in line or line.strip() in (
        "", "- key: 解决问题", "text: |", "responsible:", "- panzhihua-ftu-stationing-team",
        "- geliping-park-federation", "deadline: 2024-09-30") or "驻点干部要结合园区实际" in line
        for line in removed), removed  # fmt: skip
    assert after.startswith("# yaml-language-server: $schema=../../site/schema/circular.schema.json\nid: ")
    # and the corrected YAML builds the edited text, paragraph for paragraph
    assert built_texts(examples, PANZHIHUA) == edited_texts(edited)
