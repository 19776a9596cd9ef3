"""A draft corrected in LibreOffice Writer: the tool's DOCX opened and saved as ODT
by LibreOffice headless, its content.xml edited as Writer stores an edit (a phrase
retyped, a paragraph added, a requirement deleted, a form row added), and saved
back to DOCX by LibreOffice; `--replace` brings the corrections into the YAML."""

from __future__ import annotations

import copy
import difflib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from test_edited_drafts import PANZHIHUA, REPO, SYSU, built_texts, draft, yaml_path

from generator.cli import main
from generator.docx.preview import soffice
from generator.docx.reading.blocks import read_docx
from generator.docx.replacing import blocks

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

if soffice() is None:
    if os.environ.get("CIRCULARS_REQUIRE_TOOLS") == "1":
        pytest.fail("LibreOffice (soffice) is required", pytrace=False)
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "circulars", tmp_path / "circulars")
    return tmp_path


def convert(source: Path, target_format: str, out_dir: Path, profile: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return out_dir / f"{source.stem}.{target_format.split(':')[0]}"


def edit_in_writer(docx_path: Path, tmp_path: Path, edit) -> Path:
    """DOCX → ODT (LibreOffice), edit(content.xml root), ODT → DOCX (LibreOffice)."""
    profile = tmp_path / "profile"
    odt = convert(docx_path, "odt", tmp_path / "odt", profile)
    with zipfile.ZipFile(odt) as package:
        parts = {info: package.read(info.filename) for info in package.infolist()}
    for info in parts:
        if info.filename == "content.xml":
            root = etree.fromstring(parts[info])
            edit(root)
            parts[info] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    edited = tmp_path / "edited" / "draft.odt"
    edited.parent.mkdir()
    with zipfile.ZipFile(edited, "w") as package:
        for info, data in parts.items():  # mimetype first and stored, as ODF requires
            package.writestr(
                info, data, zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
    return convert(edited, "docx:MS Word 2007 XML", tmp_path / "back", profile)


def paragraph_text(p) -> str:
    return "".join(p.itertext())


def find(root, starting: str):
    found = [
        p
        for p in root.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h")
        if paragraph_text(p).replace("\u2060", "").startswith(starting)
    ]
    assert found, starting
    return found[0]


def replace_text(p, old: str, new: str) -> None:
    for node in p.iter():
        for attribute in ("text", "tail"):
            value = getattr(node, attribute)
            if value and old in value:
                setattr(node, attribute, value.replace(old, new))
                return
    raise AssertionError(old)


def run_replace(root: Path, draft_path: Path, circular_id: str):
    from click.testing import CliRunner

    return CliRunner().invoke(main, ["-C", str(root), "import", str(draft_path), "--replace", circular_id])


def only_layout_missing(rebuilt: list[str], edited: list[str]) -> bool:
    """The edited draft reads as the rebuilt YAML, short of what LibreOffice moved
    into text boxes (the page numbers and the 版记)."""
    opcodes = difflib.SequenceMatcher(None, rebuilt, edited, autojunk=False).get_opcodes()
    return all(tag in ("equal", "delete") for tag, *_ in opcodes)


def test_corrections_made_in_libreoffice(examples: Path, tmp_path: Path):
    original = tmp_path / "draft.docx"
    draft(examples, PANZHIHUA).save(original)

    def edit(root):
        replace_text(find(root, "二是抓住关键"), "指导帮助园区工会", "指导园区工会")
        background = find(root, "在听取驻点单位")
        added = copy.deepcopy(background)
        for child in list(added):
            added.remove(child)
        added.text = "各单位要高度重视驻点工作。"
        background.addnext(added)
        fourth = find(root, "四是服务职工")
        meta = fourth.getnext()
        for p in (fourth, meta):
            p.getparent().remove(p)

    edited = edit_in_writer(original, tmp_path, edit)
    source = yaml_path(examples, PANZHIHUA)
    before = source.read_text(encoding="utf-8")
    result = run_replace(examples, edited, PANZHIHUA)
    assert result.exit_code == 0, result.output
    after = source.read_text(encoding="utf-8")
    assert (
        "  requirements 2 › text: …区工会，指导帮助园区工会理顺… → …区工会，指导园区工会理顺…\n"
        in result.output
    )
    assert "  background: paragraph added: 各单位要高度重视驻点工作。\n" in result.output
    assert "  requirements 4 removed\n" in result.output
    data = yaml.safe_load(after)
    assert [r["key"] for r in data["requirements"]] == ["找准问题", "抓住关键", "解决问题"]
    assert data["background"].endswith("请认真抓好落实。\n\n各单位要高度重视驻点工作。\n")
    # what did not change keeps its lines: everything up to requirements, and from schedule on
    assert (
        after.split("\nrequirements:")[0].split("background:")[0]
        == before.split("\nrequirements:")[0].split("background:")[0]
    )
    assert after.split("\nschedule:")[1] == before.split("\nschedule:")[1]
    texts = [b.text if hasattr(b, "text") else str(b.rows) for b in blocks(read_docx(edited))]
    assert only_layout_missing(built_texts(examples, PANZHIHUA), texts)


def test_a_form_row_added_in_libreoffice(examples: Path, tmp_path: Path):
    original = tmp_path / "draft.docx"
    draft(examples, SYSU).save(original)

    def edit(root):
        table = list(root.iter(f"{{{TABLE}}}table"))[-1]
        rows = list(table.iter(f"{{{TABLE}}}table-row"))
        added = copy.deepcopy(rows[-1])
        first = next(added.iter(f"{{{TEXT}}}p"))
        replace_text(first, "联络员", "秘书长")
        rows[-1].addnext(added)

    edited = edit_in_writer(original, tmp_path, edit)
    source = yaml_path(examples, SYSU)
    before = source.read_text(encoding="utf-8")
    result = run_replace(examples, edited, SYSU)
    assert result.exit_code == 0, result.output
    assert "  table 1: row 5 added\n" in result.output
    after = source.read_text(encoding="utf-8")
    assert after == before.replace(
        '        - {cells: [联络员, ""], height: 12mm}\n',
        "        - {cells: [联络员, \"\"], height: 12mm}\n        - [秘书长, '']\n",
    )
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
