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

from generator.docx.replacing import ReplaceError, blocks, built_document, replace_from_draft
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
    found = [p for p in document.paragraphs if p.text.replace("\u2060", "").startswith(starting)]
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


def test_folded_text_a_one_line_section_and_a_form_row(examples: Path, tmp_path: Path):
    document = draft(examples, SYSU)
    retype(paragraph(document, "根据《中共中山大学委员会"), "有关事项通知如下", "现将有关事项通知如下")
    retype(paragraph(document, "2016年12月15日"), "下午3:00-4:00", "下午3:30-4:30")
    form = document.tables[-1]
    last = form.rows[-1]._tr
    added = copy.deepcopy(last)
    last.addnext(added)
    form.rows[-1].cells[0].paragraphs[0].runs[0].text = "秘书"
    edited = save(document, tmp_path / "edited.docx")

    source = yaml_path(examples, SYSU)
    before = source.read_text(encoding="utf-8")
    result = replace_from_draft(load_project(examples), SYSU, edited)
    after = source.read_text(encoding="utf-8")

    assert result.report == [
        "background: …工作会议”，有关事项通知… → …工作会议”，现将有关事项通知…",
        "sections 1 › text: …四）下午3:00-4:00 → …四）下午3:30-4:30",
        "table 1: row 5 added",
    ]
    data = yaml.safe_load(after)
    assert data["sections"][0]["text"] == "2016年12月15日（周四）下午3:30-4:30"
    assert data["attachments"][0]["table"]["rows"][-1] == ["秘书", ""]
    assert data["background"].endswith("现将有关事项通知如下：")
    assert "\nbackground: >-\n  根据《中共中山大学委员会" in after
    # the lines around the changes are the file's own, byte for byte
    assert "    text: 2016年12月15日（周四）下午3:30-4:30\n  - title: 会议地点\n" in after
    assert "        - {cells: [联络员, \"\"], height: 12mm}\n        - [秘书, '']\n\ntags:\n" in after
    assert after.split("background:")[0] == before.split("background:")[0]
    assert after.split("\nsections:")[1].split("attachments:")[1].endswith("  - 会议通知\n")
    assert built_texts(examples, SYSU) == edited_texts(edited)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def tracked(p, old: str, new: str) -> None:
    """A change Word tracks and the leader has not accepted: w:del around the old
    phrase, w:ins around the new one."""
    for run in p.runs:
        if old in run.text:
            before, after = run.text.split(old, 1)
            deleted, inserted, rest = (copy.deepcopy(run._r) for _ in range(3))
            run.text = before
            deleted.find(qn("w:t")).tag = qn("w:delText")
            deleted.find(qn("w:delText")).text = old
            inserted.find(qn("w:t")).text = new
            rest.find(qn("w:t")).text = after
            wrappers = []
            for tag, child in (("w:del", deleted), ("w:ins", inserted)):
                wrapper = docx.oxml.OxmlElement(tag)
                wrapper.set(qn("w:id"), str(len(wrappers) + 90))
                wrapper.set(qn("w:author"), "主席")
                wrapper.set(qn("w:date"), "2024-04-20T09:00:00Z")
                wrapper.append(child)
                wrappers.append(wrapper)
            run._r.addnext(wrappers[0])
            wrappers[0].addnext(wrappers[1])
            wrappers[1].addnext(rest)
            return
    raise AssertionError(old)


def test_pending_tracked_changes_count_as_accepted(examples: Path, tmp_path: Path):
    document = draft(examples, PANZHIHUA)
    tracked(paragraph(document, "一是找准问题"), "面对面座谈、", "逐户走访、")
    edited = save(document, tmp_path / "tracked.docx")
    with __import__("zipfile").ZipFile(edited) as package:
        xml = package.read("word/document.xml").decode()
    assert "<w:del " in xml and ">面对面座谈、</w:delText>" in xml and "<w:ins " in xml

    source = yaml_path(examples, PANZHIHUA)
    before = source.read_text(encoding="utf-8")
    result = replace_from_draft(load_project(examples), PANZHIHUA, edited)
    after = source.read_text(encoding="utf-8")
    assert result.report == [
        "requirements 1 › text: …入职工群众，面对面座谈、心贴心交流… → …入职工群众，逐户走访、心贴心交流…"
    ]
    assert unchanged_lines_kept(before, after) == [
        "      驻点干部到位后，要迅速深入职工群众，面对面座谈、心贴心交流，梳理园区企业和职工群众的急难愁盼和热点问题，"
        "理清问题清单，列出任务和措施。问题清单按附件格式填写。\n"
    ]
    assert "逐户走访、心贴心交流" in yaml.safe_load(after)["requirements"][0]["text"]


def test_an_edit_in_the_letterhead_is_refused_and_nothing_written(examples: Path, tmp_path: Path):
    document = draft(examples, PANZHIHUA)
    retype(paragraph(document, "攀枝花市总工会文件"), "文件", "通知")
    retype(paragraph(document, "为贯彻落实"), "收集、掌握和梳理", "收集和梳理")
    edited = save(document, tmp_path / "edited.docx")
    source = yaml_path(examples, PANZHIHUA)
    before = source.read_bytes()
    with pytest.raises(ReplaceError) as refused:
        replace_from_draft(load_project(examples), PANZHIHUA, edited)
    assert refused.value.problems == [
        "paragraph 1: “…枝花市总工会文件” → “…枝花市总工会通知” is not in any text of the YAML (the letterhead, "
        "number, date, names and numbering are made from the registry and the layout): change it in the YAML "
        "or the registry"
    ]
    assert source.read_bytes() == before


def test_a_draft_of_another_circular_is_refused(examples: Path, tmp_path: Path):
    edited = save(draft(examples, SYSU), tmp_path / "sysu.docx")
    before = yaml_path(examples, PANZHIHUA).read_bytes()
    with pytest.raises(ReplaceError) as refused:
        replace_from_draft(load_project(examples), PANZHIHUA, edited)
    assert refused.value.problems == [
        f"sysu.docx was made from circular '{SYSU}', not '{PANZHIHUA}': use --replace {SYSU}, "
        "or import it as a circular of its own"
    ]
    assert yaml_path(examples, PANZHIHUA).read_bytes() == before


def test_a_draft_of_an_older_edition_is_warned_about(examples: Path, tmp_path: Path):
    edited = save(draft(examples, SYSU), tmp_path / "old.docx")
    source = yaml_path(examples, SYSU)
    source.write_text(
        source.read_text(encoding="utf-8").replace("title: 关于召开", "title: 关于尽快召开"), encoding="utf-8"
    )
    result = replace_from_draft(load_project(examples), SYSU, edited, write=False)
    assert result.warnings == [
        f"old.docx was made from an older edition of {SYSU} (its title differ from the YAML's today): what "
        "changed in the YAML since will show as corrections; read them before you build"
    ]
    assert result.report == ["title: 关于尽快召开中山大学… → 关于召开中山大学…"]
    assert "title: 关于尽快召开" in source.read_text(encoding="utf-8")  # write=False: a dry run


EXAMPLE_IDS = sorted(p.stem for p in (REPO / "circulars").rglob("*.yaml") if p.parent.name.isdigit())


@pytest.mark.parametrize("circular_id", EXAMPLE_IDS)
def test_a_phrase_changed_in_every_example(examples: Path, tmp_path: Path, circular_id: str):
    """In each shipped example, two characters typed over the middle of its longest
    paragraph (a background, a section's text, a point: wherever it is) land in the
    one YAML value that printed them, and the YAML then builds the edited text."""
    document = draft(examples, circular_id)
    longest = max(document.paragraphs, key=lambda p: len(p.text))
    run = max(longest.runs, key=lambda r: len(r.text))
    middle = len(run.text) // 2
    run.text = run.text[:middle] + "某某" + run.text[middle + 1 :]
    edited = save(document, tmp_path / "edited.docx")
    source = yaml_path(examples, circular_id)
    before = source.read_text(encoding="utf-8")
    result = replace_from_draft(load_project(examples), circular_id, edited)
    assert len(result.report) == 1 and "某某" in result.report[0] and not result.warnings
    assert built_texts(examples, circular_id) == edited_texts(edited)
    changed = unchanged_lines_kept(before, source.read_text(encoding="utf-8"))
    assert len(changed) == 1  # one line of the file: that paragraph's


def test_a_table_cell_of_several_lines_corrected(examples: Path, tmp_path: Path):
    document = draft(examples, "gz-2025-points-household")
    cell = next(
        c for t in document.tables for r in t.rows for c in r.cells if c.text.startswith("1. 18—40周岁")
    )
    retype(cell.paragraphs[0], "18—40周岁", "18—45周岁")
    edited = save(document, tmp_path / "edited.docx")
    source = yaml_path(examples, "gz-2025-points-household")
    before = source.read_text(encoding="utf-8")
    result = replace_from_draft(load_project(examples), "gz-2025-points-household", edited)
    assert result.report == [
        "table 1, row 3, cell 3: 1. 18—40周岁（含40周岁）（30分）。 2. 40周… → 1. 18—45周岁（含40周岁）（30分）。 2. 40周…"
    ]
    after = source.read_text(encoding="utf-8")
    assert unchanged_lines_kept(before, after) == [
        '            - ["3", "年龄", "1. 18—40周岁（含40周岁）（30分）。\\n2. 40周岁以上的，每增加1岁（含不满1岁）少加2分。", "动态调整，最低为0分。"]\n'
    ]
    assert '- ["3", "年龄", "1. 18—45周岁（含40周岁）（30分）。\\n2. 40周岁以上的' in after
    assert built_texts(examples, "gz-2025-points-household") == edited_texts(edited)


def cli(root: Path, *args: str):
    from click.testing import CliRunner

    from generator.cli import main

    return CliRunner().invoke(main, ["-C", str(root), "import", *args])


def test_replace_from_the_command_line(examples: Path, tmp_path: Path):
    document = draft(examples, SYSU)
    retype(paragraph(document, "广州校区南校园"), "学术报告厅", "会议室")
    edited = save(document, tmp_path / "edited.docx")
    source = yaml_path(examples, SYSU)
    before = source.read_bytes()

    dry = cli(examples, str(edited), "--replace", SYSU, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith(
        "  sections 2 › text: …紫荆园后面）学术报告厅（二楼209… → …紫荆园后面）会议室（二楼209…\n"
        "# yaml-language-server: $schema=../../site/schema/circular.schema.json\n"
    )
    assert "    text: 广州校区南校园数学学院（东南区266号，紫荆园后面）会议室（二楼209室）\n" in dry.output
    assert source.read_bytes() == before

    done = cli(examples, str(edited), "--replace", SYSU)
    assert done.exit_code == 0, done.output
    assert done.output.endswith(f"circulars/2016/{SYSU}.yaml: 1 correction brought in\n")
    assert source.read_bytes() == before.replace("学术报告厅".encode(), "会议室".encode())

    again = cli(examples, str(edited), "--replace", SYSU)
    assert again.exit_code == 0 and again.output.endswith("the draft holds no corrections; nothing changed\n")


def test_replace_refusals_from_the_command_line(examples: Path, tmp_path: Path):
    source = yaml_path(examples, PANZHIHUA)
    before = source.read_bytes()
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    refused = cli(examples, str(old), "--replace", PANZHIHUA)
    assert refused.exit_code == 1
    assert refused.output == (
        f"{old}: this is an old Word .doc or WPS file (an OLE compound file), not a .docx: "
        "open it in Word or WPS and save it as .docx\n"
    )
    document = draft(examples, PANZHIHUA)
    retype(paragraph(document, "攀工发"), "7", "8")
    edited = save(document, tmp_path / "edited.docx")
    result = cli(examples, str(edited), "--replace", PANZHIHUA)
    assert result.exit_code == 1
    assert "is not in any text of the YAML" in result.output
    assert result.output.endswith(f"{PANZHIHUA} was not changed\n")
    assert "Traceback" not in result.output
    two = cli(examples, str(edited), str(edited), "--replace", PANZHIHUA)
    assert two.exit_code == 2 and "--replace takes one draft, not 2 files" in two.output
    unknown = cli(examples, str(edited), "--replace", "no-such-circular")
    assert unknown.exit_code == 1 and "there is no circular 'no-such-circular' to replace" in unknown.output
    assert source.read_bytes() == before


def test_a_deleted_deadline_line_is_named_and_stays(examples: Path, tmp_path: Path):
    """The deadline line of requirement 2 deleted, its text kept: the line is made from
    the requirement's deadline and responsible units, not typed; the YAML keeps them,
    and the warning says so."""
    document = draft(examples, PANZHIHUA)
    lead = paragraph(document, "二是抓住关键")
    meta = lead._p.getnext()
    meta.getparent().remove(meta)
    edited = save(document, tmp_path / "edited.docx")
    before = yaml_path(examples, PANZHIHUA).read_bytes()
    result = replace_from_draft(load_project(examples), PANZHIHUA, edited)
    assert result.report == []
    assert result.warnings == [
        "the draft lacks what the layout or the registry makes (（责任单位：攀枝花市总工会驻格里坪特色产业园区工…); "
        "it stays in the YAML's build: to leave it out, change the YAML or the registry"
    ]
    assert yaml_path(examples, PANZHIHUA).read_bytes() == before


def test_a_requirement_added_as_the_build_writes_one(examples: Path, tmp_path: Path):
    document = draft(examples, PANZHIHUA)
    lead = paragraph(document, "二是抓住关键")
    targets = lead._p.getnext().getnext()  # the deadline line, then the targets table
    assert targets.tag == qn("w:tbl")
    new = copy.deepcopy(lead._p)
    targets.addnext(new)
    texts = new.findall(f".//{qn('w:t')}")
    texts[0].text = "三是加强宣传。"
    texts[1].text = "驻点干部要向职工宣传工会政策。"
    for extra in texts[2:]:
        extra.text = ""
    for later, number in (("三是解决问题", "四是"), ("四是服务职工", "五是")):
        retype(paragraph(document, later), later[:2], number)
    edited = save(document, tmp_path / "edited.docx")
    result = replace_from_draft(load_project(examples), PANZHIHUA, edited)
    assert result.report == ["requirements 3 added"]
    data = yaml.safe_load(yaml_path(examples, PANZHIHUA).read_text(encoding="utf-8"))
    assert data["requirements"][2] == {"key": "加强宣传", "text": "驻点干部要向职工宣传工会政策。"}
    assert [r["key"] for r in data["requirements"]] == [
        "找准问题",
        "抓住关键",
        "加强宣传",
        "解决问题",
        "服务职工",
    ]
    # the build writes it as the leader did; a deadline line it has none of
    assert built_texts(examples, PANZHIHUA) == edited_texts(edited)


def test_a_circular_with_errors_is_not_replaced(examples: Path, tmp_path: Path):
    edited = save(draft(examples, SYSU), tmp_path / "draft.docx")
    source = yaml_path(examples, SYSU)
    broken = source.read_text(encoding="utf-8").replace("date: 2016-12-12", "date: 2016-13-12")
    source.write_text(broken, encoding="utf-8")
    with pytest.raises(ReplaceError) as refused:
        replace_from_draft(load_project(examples), SYSU, edited)
    assert refused.value.problems == [
        f"circular '{SYSU}' has errors: run circulars check, correct them, then replace"
    ]
    assert source.read_text(encoding="utf-8") == broken


def test_half_a_requirement_deleted_is_refused(examples: Path, tmp_path: Path):
    """Requirement 1's lead paragraph deleted, its second paragraph kept: removing the
    requirement would lose that paragraph, and keeping it would lose the deletion."""
    source = yaml_path(examples, PANZHIHUA)
    text = source.read_text(encoding="utf-8").replace(
        "问题清单按附件格式填写。\n", "问题清单按附件格式填写。\n\n      问题清单于4月30日前报送。\n", 1
    )
    source.write_text(text, encoding="utf-8")
    document = draft(examples, PANZHIHUA)
    lead = paragraph(document, "一是找准问题")
    lead._p.getparent().remove(lead._p)
    edited = save(document, tmp_path / "edited.docx")
    with pytest.raises(ReplaceError) as refused:
        replace_from_draft(load_project(examples), PANZHIHUA, edited)
    assert refused.value.problems == [
        "“问题清单于4月30日前报送。” is left of requirements 1, whose other paragraphs were deleted: "
        "delete all of it, or change the YAML"
    ]
    assert source.read_text(encoding="utf-8") == text


def test_an_english_key_corrected_after_its_ordinal(examples: Path, tmp_path: Path):
    """ "First, find out problems." prints the key Find out problems in lower case; a
    correction in it lands in the key, its capital kept."""
    document = draft(examples, "panzhihua-2024-07-en")
    retype(paragraph(document, "First, find out problems"), "find out problems", "find out the problems")
    edited = save(document, tmp_path / "edited.docx")
    result = replace_from_draft(load_project(examples), "panzhihua-2024-07-en", edited)
    assert result.report == ["requirements 1 › key: …nd out probl… → …nd out the probl…"]
    assert "  - key: Find out the problems\n" in yaml_path(examples, "panzhihua-2024-07-en").read_text(
        "utf-8"
    )
    assert built_texts(examples, "panzhihua-2024-07-en") == edited_texts(edited)
