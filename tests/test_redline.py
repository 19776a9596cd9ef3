"""`circulars redline`: accepting every change gives the NEW edition's text, rejecting
every change the OLD one's, as pandoc and LibreOffice read the tracked changes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run
from lxml import etree

from generator.docx.package import read_parts, write_parts
from generator.docx.redline_build import read_circular
from generator.docx.writer import DocxWriter
from generator.render.renderer import Renderer
from generator.source.loading import load_project

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
ZH = REPO / "circulars/2024/sichuan-2024-12.yaml"
EN = REPO / "circulars/2024/panzhihua-2024-07-en.yaml"
REQUIRE_TOOLS = os.environ.get("CIRCULARS_REQUIRE_TOOLS") == "1"


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{tool} is not installed")
        pytest.skip(f"{tool} is not installed")
    return found


def _edited(source: Path, *replacements: tuple[str, str]) -> str:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _built(path: Path, out: Path) -> Path:
    """The document `circulars build` writes for the circular in `path`."""
    project = load_project(path.parent.parent.parent)
    circular = read_circular(project, path)
    rendered = Renderer(project.root, project.registry).render(circular)
    out.write_bytes(DocxWriter(project.root, project.registry).write(rendered).data)
    return out


def _plain(docx: Path, *options: str) -> str:
    pandoc = _need("pandoc")
    result = subprocess.run(
        [pandoc, *options, "-f", "docx", "-t", "plain", "--wrap=none", str(docx)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _project(tmp_path: Path) -> Path:
    """A copy of the examples' project (a redline reads attachments under circulars/)."""
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(REPO / "circulars", project / "circulars")
    return project


def _rows_resolved(docx: Path, keep: str) -> Path:
    """A copy of the redline with its inserted and deleted table rows resolved as Word
    does (keep="accept": deleted rows gone; "reject": inserted rows gone), and tables
    left with no row removed: pandoc reads w:ins and w:del in text and paragraph marks,
    but not on rows (w:trPr), where it only drops the rows' text."""
    parts = read_parts(docx)
    document = etree.fromstring(parts["word/document.xml"])
    gone = "del" if keep == "accept" else "ins"
    for mark in document.xpath(f"//w:tr/w:trPr/w:{gone}", namespaces=NS):
        row = mark.getparent().getparent()
        row.getparent().remove(row)
    for table in document.xpath("//w:tbl[not(w:tr)]", namespaces=NS):
        table.getparent().remove(table)
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    out = docx.with_name(f"{docx.stem}-{keep}.docx")
    out.write_bytes(write_parts(parts))
    return out


def _accepted(docx: Path) -> str:
    return _plain(_rows_resolved(docx, "accept"), "--track-changes=accept")


def _rejected(docx: Path) -> str:
    return _plain(_rows_resolved(docx, "reject"), "--track-changes=reject")


def _redline(tmp_path: Path, old_text: str, new_text: str, name: str) -> tuple[Path, Path, Path]:
    project = _project(tmp_path)
    old, new = project / "circulars/2024" / f"old-{name}", project / "circulars/2024" / f"new-{name}"
    old.write_text(old_text, encoding="utf-8")
    new.write_text(new_text, encoding="utf-8")
    out = tmp_path / "redline.docx"
    result = run(project, "redline", str(old), str(new), "-o", str(out))
    assert result.exit_code == 0, result.output
    return old, new, out


def _check_round_trip(tmp_path: Path, source: Path, *replacements) -> etree._Element:
    old_text = source.read_text(encoding="utf-8")
    old, new, out = _redline(tmp_path, old_text, _edited(source, *replacements), source.name)
    old_doc, new_doc = _built(old, tmp_path / "old.docx"), _built(new, tmp_path / "new.docx")
    assert _accepted(out) == _plain(new_doc)
    assert _rejected(out) == _plain(old_doc)
    document = etree.fromstring(read_parts(out)["word/document.xml"])
    marks = document.xpath("//w:ins | //w:del | //w:rPrChange", namespaces=NS)
    assert marks, "no tracked change in the redline"
    ids = [m.get(f"{{{W}}}id") for m in marks]
    assert len(ids) == len(set(ids))
    assert {m.get(f"{{{W}}}author") for m in marks} == {"Circulars"}
    assert all(m.get(f"{{{W}}}date") for m in marks)
    return document


def _deleted(document) -> list[str]:
    return [
        "".join(d.xpath(".//w:delText/text()", namespaces=NS))
        for d in document.xpath("//w:del", namespaces=NS)
    ]


def _inserted(document) -> list[str]:
    return [
        "".join(i.xpath(".//w:t/text()", namespaces=NS)) for i in document.xpath("//w:ins", namespaces=NS)
    ]


def test_a_chinese_phrase_edit_is_one_deletion_and_one_insertion(tmp_path):
    document = _check_round_trip(tmp_path, ZH, ("开展思想政治引领", "开展经常性思想政治引领"))
    assert "经常性" in _inserted(document)
    assert _deleted(document) == []  # only words added: nothing deleted


def test_a_moved_deadline(tmp_path):
    document = _check_round_trip(tmp_path, ZH, ("    due: 2024-10-15", "    due: 2024-11-20"))
    changed = [t.replace("\u2060", "") for t in _deleted(document) + _inserted(document)]
    assert any("10" in t for t in changed) and any("11" in t for t in changed)
    assert not any("2024" in t for t in changed)  # the year did not change


def test_an_english_phrase_edit(tmp_path):
    document = _check_round_trip(
        tmp_path, EN, ("hold face-to-face discussions", "hold regular face-to-face meetings")
    )
    assert any("regular" in t for t in _inserted(document))
    assert any("discussions" in t for t in _deleted(document))
    # the paragraph is kept and changed, not replaced whole
    assert all(len(t) < 60 for t in _deleted(document) + _inserted(document))


def test_added_and_removed_paragraphs_and_requirements(tmp_path):
    text = ZH.read_text(encoding="utf-8")
    start = text.index("requirements:")
    first = text.index("\n  - ", start)
    second = text.index("\n  - ", first + 1)
    requirement = text[first:second]
    document = _check_round_trip(
        tmp_path,
        ZH,
        (requirement, ""),  # the first requirement removed
        ("资源支持。\n", "资源支持。\n\n  驻点工作经费由各级工会按规定列支。\n"),
    )
    paragraph_marks = document.xpath("//w:pPr/w:rPr/w:ins | //w:pPr/w:rPr/w:del", namespaces=NS)
    assert {m.tag.split("}")[1] for m in paragraph_marks} == {"ins", "del"}


def test_table_rows_and_cells(tmp_path):
    document = _check_round_trip(
        tmp_path,
        ZH,
        ('        - ["3", 以驻点强化实干, 对照工作清单逐项完成“小目标”，建立履职台账, 2024年9月30日]\n', ""),
        ("参加培训和再培训", "参加集中培训"),
        (
            "      rows:\n",
            '      rows:\n        - ["0", 以驻点摸清底数, 建立基层工会档案, 2024年6月30日]\n',
        ),
    )
    row_marks = document.xpath("//w:trPr/w:ins | //w:trPr/w:del", namespaces=NS)
    assert sorted(m.tag.split("}")[1] for m in row_marks) == ["del", "ins"]
    assert "集中" in "".join(_inserted(document))


def test_added_and_removed_sections(tmp_path):
    document = _check_round_trip(
        tmp_path,
        ZH,
        (
            "  - title: 健全立体化管理机制\n    text: |\n      逐步形成立体化管理机制，推动驻点干部管理制度健全落实，"
            "推行驻点干部工作清单、履职台账、定期报告等制度。驻点干部工作清单格式见附件。\n\n",
            "",
        ),
        (
            "  - title: 学习借鉴典型经验\n",
            "  - title: 加强驻点工作宣传\n    text: |\n      各级工会要及时总结宣传驻点工作成效。\n\n"
            "  - title: 学习借鉴典型经验\n",
        ),
    )
    assert any("加强驻点工作宣传" in t for t in _inserted(document))
    assert any("健全立体化管理机制" in t for t in _deleted(document))


def test_changed_recipients_and_signature(tmp_path):
    _check_round_trip(
        tmp_path,
        EN,
        ("  - panzhihua-west-ftu\n", ""),
        ("cc:\n  - sichuan-ftu", "cc:\n  - sichuan-ftu\n  - panzhihua-west-ftu"),
        ("date: 2024-04-18", "date: 2024-04-22"),
        ("signatory: huang-wuming\n", ""),
    )


def test_libreoffice_reads_the_changes(tmp_path):
    """LibreOffice opens the redline with its changes tracked and saves them again: accepting
    (rejecting) them in what it saved gives what it makes of the new (old) edition."""
    soffice = _need("soffice")
    old, new, out = _redline(
        tmp_path,
        ZH.read_text(encoding="utf-8"),
        _edited(
            ZH,
            ("开展思想政治引领", "开展经常性政治引领"),
            ("    due: 2024-10-15", "    due: 2024-11-20"),
            ("资源支持。\n", "资源支持。\n\n  驻点工作经费由各级工会按规定列支。\n"),
            (
                '        - ["4", 以驻点推动创新, 推广工会网上工作平台，提高知晓率和使用率, 2024年9月30日]\n',
                "",
            ),
        ),
        ZH.name,
    )
    sources = [out, _built(old, tmp_path / "old.docx"), _built(new, tmp_path / "new.docx")]
    converted = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(converted),
            *map(str, sources),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    again = converted / "redline.docx"
    document = etree.fromstring(read_parts(again)["word/document.xml"])
    # LibreOffice kept them as tracked changes, not as plain text
    assert "经常性" in "".join(_inserted(document))
    assert "思想" in "".join(_deleted(document))
    assert document.xpath("//w:trPr/w:del", namespaces=NS)  # the row removed
    assert _accepted(again) == _plain(converted / "new.docx")
    assert _rejected(again) == _plain(converted / "old.docx")


def test_two_different_circulars_write_nothing(tmp_path):
    out = tmp_path / "redline.docx"
    result = run(REPO, "redline", str(ZH), str(EN), "-o", str(out))
    assert result.exit_code == 1
    assert "different circulars" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_yaml_that_does_not_check_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(_edited(ZH, ("status: issued", "status: maybe")), encoding="utf-8")
    out = tmp_path / "redline.docx"
    out.write_bytes(b"kept")
    result = run(REPO, "redline", str(bad), str(ZH), "-o", str(out))
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "not a valid circular" in result.output
    assert out.read_bytes() == b"kept"


def test_since_a_revision(tmp_path):
    git = _need("git")
    project = _project(tmp_path)

    def call(*args):
        subprocess.run([git, "-C", str(project), *args], check=True, capture_output=True)

    call("init", "-q")
    call("-c", "user.email=t@example.org", "-c", "user.name=t", "add", ".")
    call("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "first")
    path = project / "circulars/2024/sichuan-2024-12.yaml"
    path.write_text(_edited(path, ("开展思想政治引领", "开展经常性思想政治引领")), encoding="utf-8")
    result = run(project, "redline", "sichuan-2024-12", "--since", "HEAD")
    assert result.exit_code == 0, result.output
    out = project / "build/redlines/sichuan-2024-12.docx"
    assert "经常性" in "".join(_inserted(etree.fromstring(read_parts(out)["word/document.xml"])))

    result = run(
        project, "redline", "sichuan-2024-12", "--since", "no-such-tag", "-o", str(tmp_path / "x.docx")
    )
    assert result.exit_code == 1 and "no revision 'no-such-tag'" in result.output
    assert not (tmp_path / "x.docx").exists()
    option = f"--output={tmp_path / 'written-by-git'}"
    result = run(project, "redline", "sichuan-2024-12", f"--since={option}", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 1 and "no revision" in result.output
    assert not (tmp_path / "written-by-git").exists()


def test_since_outside_a_git_repository(tmp_path):
    project = _project(tmp_path)
    result = run(project, "redline", "sichuan-2024-12", "--since", "HEAD")
    assert result.exit_code == 1
    assert "not in a git repository" in result.output and "Traceback" not in result.output


def test_bad_arguments_are_usage_errors(tmp_path):
    project = _project(tmp_path)
    missing = run(project, "redline", str(tmp_path / "nope.yaml"), str(ZH), "-o", str(tmp_path / "x.docx"))
    assert missing.exit_code == 2 and "nope.yaml is not a file" in missing.output
    unknown = run(project, "redline", "no-such-id", "--since", "HEAD")
    assert unknown.exit_code == 2 and "no circular 'no-such-id'" in unknown.output
    path = project / "circulars/2024/sichuan-2024-12.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: issued", "status: maybe"), encoding="utf-8"
    )
    broken = run(project, "redline", "sichuan-2024-12", "--since", "HEAD")
    assert broken.exit_code == 1 and "has errors; run `circulars check`" in broken.output
    one = run(project, "redline", str(ZH))
    assert one.exit_code == 2 and "give two YAML files" in one.output
    assert not (tmp_path / "x.docx").exists()


def test_a_file_that_did_not_exist_at_the_revision(tmp_path):
    git = _need("git")
    project = _project(tmp_path)
    identity = ["-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([git, "-C", str(project), "init", "-q"], check=True)
    subprocess.run(
        [git, "-C", str(project), *identity, "commit", "-q", "--allow-empty", "-m", "empty"], check=True
    )
    result = run(project, "redline", "sichuan-2024-12", "--since", "HEAD")
    assert result.exit_code == 1
    assert "did not exist at revision 'HEAD'" in result.output and "Traceback" not in result.output


def _body(*paragraphs: str) -> bytes:
    return (
        f'<w:document xmlns:w="{W}"><w:body>{"".join(paragraphs)}<w:sectPr/></w:body></w:document>'
    ).encode()


PAGE_FIELD = '<w:p><w:r><w:t xml:space="preserve">— </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple></w:p>'


def test_a_field_in_a_deleted_or_inserted_paragraph_stays_a_field():
    from generator.docx.redline import Marks, redline_document

    kept = "<w:p><w:r><w:t>正文</w:t></w:r></w:p>"
    for old, new, kind, instruction in (
        (_body(kept, PAGE_FIELD), _body(kept), "del", "delInstrText"),
        (_body(kept), _body(kept, PAGE_FIELD), "ins", "instrText"),
    ):
        document = etree.fromstring(redline_document(old, new, Marks("Circulars", "2024-05-06T00:00:00Z")))
        marked = document.xpath(f"//w:{kind}[w:r]", namespaces=NS)
        assert [m.xpath(f"string(.//w:{instruction})", namespaces=NS) for m in marked] == [" PAGE "]
        types = marked[0].xpath(".//w:fldChar/@w:fldCharType", namespaces=NS)
        assert types == ["begin", "separate", "end"]
        assert document.xpath("count(//w:fldSimple)", namespaces=NS) == 0
        assert document.xpath(f"//w:pPr/w:rPr/w:{kind}", namespaces=NS)  # the paragraph mark too


def test_a_change_of_format_alone_is_tracked_as_one(tmp_path):
    document = _check_round_trip(
        tmp_path, EN, ("hold face-to-face discussions", "hold **face-to-face** discussions")
    )
    changes = document.xpath("//w:rPr[w:rPrChange]", namespaces=NS)
    assert len(changes) == 1
    run = changes[0].getparent()
    assert "".join(run.xpath("w:t/text()", namespaces=NS)) == "face-to-face"
    assert changes[0].xpath("w:b", namespaces=NS) and not changes[0].xpath(
        "w:rPrChange/w:rPr/w:b", namespaces=NS
    )
    assert _inserted(document) == [] and _deleted(document) == []  # the words did not change
