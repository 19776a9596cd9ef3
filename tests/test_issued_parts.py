"""Issued documents with parts of their own: a 办法's 第一章 / 第一条 numbering, its own
attachment note and attachments (附件, 附表) after its text and never in the notice,
attachments of an attachment, text and tables after sub-sections, run-in headings;
and the errors for sections that do not fit, at file:line:column, nothing built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ORGANIZATIONS, PEOPLE, add_site, run, write
from docx_reading import NS, W, attr, blocks, style, xml
from lxml import html as lxml_html
from pdf_reading import read_pdf

from generator.docx.preview import to_pdf
from generator.render.renderer import number_headings

F = "circulars/2024/panzhihua-2024-07.yaml"

RULES = """\
id: panzhihua-2024-07
language: zh
status: issued
title: 关于印发《职工疗休养管理办法》的通知
issuer: panzhihua-ftu
number: 7
date: 2024-04-18
to: [geliping-park]
background: 现将《职工疗休养管理办法》印发给你们，请遵照执行。
cc: [sichuan-ftu]
documents:
  - title: 职工疗休养管理办法
    numbering: chapters
    sections:
      - title: 总则
        sections:
          - text: 为规范职工疗休养工作，制定本办法。
          - text: |
              本办法适用于全市各级工会。

              基层工会参照执行。
      - title: 附则
        sections:
          - text: 本办法自印发之日起施行。
    attachments:
      - title: 疗休养申请程序
        sections:
          - title: 申请程序
            sections:
              - title: 申请对象
                run_in: true
                text: 在职职工。
              - title: 申请流程。
                run_in: true
                text: |
                  经工会受理后审核。

                  审核结果公示。
            text_after: 申请表见附表。
            tables_after:
              - columns: [材料, 份数]
                rows:
                  - [申请表, 1]
        attachments:
          - title: 疗休养申请表
            label: 附表
            table:
              columns: [姓名, 单位]
              rows:
                - ["", ""]
          - title: 疗休养人员名册
            label: 附表
            text: 按单位填报。
      - title: 疗休养基地名单
        text: 见名单。
    signature: [攀枝花市总工会, 2024年4月18日]
"""


def _project(root: Path, text: str = RULES) -> Path:
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    write(root, F, text)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = add_site(_project(tmp_path_factory.mktemp("rules")))
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root


def _docx(root: Path) -> Path:
    return root / "build/docx/panzhihua-2024-07.docx"


def _shown(root: Path) -> list[tuple[str, str]]:
    return [(name, text) for name, text in blocks(_docx(root)) if text.strip()]


def test_the_rules_number_chapters_and_articles_on_across_chapters(built):
    shown = _shown(built)
    assert [text for name, text in shown if name == "Chapter"] == ["第一章　总则", "第二章　附则"]
    articles = [text for _, text in shown if text.startswith("第") and "条　" in text]
    assert articles == [
        "第一条　为规范职工疗休养工作，制定本办法。",
        "第二条　本办法适用于全市各级工会。",
        "第三条　本办法自印发之日起施行。",
    ]
    texts = [text for _, text in shown]
    # an article's second paragraph is a paragraph of its own, with no number
    assert texts[texts.index("第二条　本办法适用于全市各级工会。") + 1] == "基层工会参照执行。"


def test_the_chapter_heading_is_centred_and_the_article_number_bold(built):
    chapter = style(_docx(built), "Chapter")
    assert attr(chapter, "w:pPr/w:jc", "val") == "center"
    assert chapter.find("w:pPr/w:keepNext", NS) is not None
    number = style(_docx(built), "Article Number")
    assert number.get(f"{{{W}}}type") == "character"
    assert attr(number, "w:rPr/w:b", "val") == "1"
    body = xml(_docx(built), "word/document.xml")
    paragraph = next(p for p in body.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith("第一条"))
    runs = paragraph.findall("w:r", NS)
    assert "".join(runs[0].itertext()) == "第一条"
    assert attr(runs[0], "w:rPr/w:rStyle", "val") == number.get(f"{{{W}}}styleId")
    assert runs[1].find("w:rPr/w:rStyle", NS) is None  # the text runs on in the body's face
    assert "".join(runs[1].itertext()).startswith("　为规范")


def test_the_document_has_its_own_note_signature_and_attachments_never_the_notice(built):
    shown = _shown(built)
    names = [name for name, _ in shown]
    texts = [text for _, text in shown]
    # the notice: text, closing, signature and date, no attachment note of its own
    notice = texts[: texts.index("职工疗休养管理办法")]
    assert not any(text.startswith(("附件", "附表")) for text in notice)
    # the document: its last article, its note, its signature, then its attachments' pages
    last_article = texts.index("第三条　本办法自印发之日起施行。")
    note = texts.index("附件：1.\t疗休养申请程序")
    assert last_article < note < texts.index("攀枝花市总工会", note) < texts.index("附件1")
    assert shown[note + 1] == ("Attachment Note Continued", "2.\t疗休养基地名单")
    assert names[texts.index("攀枝花市总工会", note)] == "Document Signature"
    assert texts.index("附件1") < texts.index("附件2") < names.index("CC")  # the 版记 stays last


def test_an_attachment_has_its_own_forms_marked_by_their_label(built):
    shown = _shown(built)
    texts = [text for _, text in shown]
    procedure = texts.index("疗休养申请程序", texts.index("附件1"))
    # its sub-sections, then the text and the table after them, then its own note of 附表
    after = texts.index("申请表见附表。")
    assert (
        texts.index("审核结果公示。", procedure)
        < after
        < texts.index("材料")
        < texts.index("附表：1.\t疗休养申请表")
    )
    assert shown[texts.index("附表：1.\t疗休养申请表") + 1] == (
        "Attachment Note Continued",
        "2.\t疗休养人员名册",
    )
    # each form under its own mark and title, before the document's second attachment
    assert ("Attachment Label", "附表1") in shown and ("Attachment Label", "附表2") in shown
    first = texts.index("附表1")
    assert shown[first + 1] == ("Attachment Title", "疗休养申请表")
    assert texts.index("附表1") < texts.index("附表2") < texts.index("附件2")
    assert texts[texts.index("附表2") + 1 : texts.index("附表2") + 3] == ["疗休养人员名册", "按单位填报。"]


def test_a_run_in_heading_opens_its_text_in_the_heading_face(built):
    shown = _shown(built)
    assert ("Normal", "（一）申请对象。在职职工。") in shown
    # a title that ends in a full stop keeps the one it has
    assert ("Normal", "（二）申请流程。经工会受理后审核。") in shown
    assert ("Normal", "审核结果公示。") in shown
    body = xml(_docx(built), "word/document.xml")
    paragraph = next(p for p in body.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith("（一）申请对象"))
    runs = paragraph.findall("w:r", NS)
    run_in = style(_docx(built), "Run In 2")
    assert attr(runs[0], "w:rPr/w:rStyle", "val") == run_in.get(f"{{{W}}}styleId")
    assert "".join(runs[0].itertext()) == "（一）申请对象。"
    # the level-2 face of GB/T 9704 headings: 楷体, as Heading 2
    assert attr(run_in, "w:rPr/w:rFonts", "eastAsia") == attr(
        style(_docx(built), "Heading 2"), "w:rPr/w:rFonts", "eastAsia"
    )


def test_every_attachment_starts_a_page_and_the_chapter_is_centred(built, tmp_path):
    pdf = to_pdf([_docx(built)], tmp_path, built)[0]
    pages = read_pdf(pdf)
    for label in ("附件1", "附表1", "附表2", "附件2"):
        page = next(page for page in pages if any(line.text == label for line in page.lines))
        assert page.lines[0].text == label, f"{label} is not the first line of page {page.number}"
    chapter = next(line for page in pages for line in page.lines if line.text == "第一章总则")
    # centred in the type area: 28 mm from the left edge, 156 mm wide
    assert abs(chapter.centre - (28 + 156 / 2)) < 1.5
    article = next(line for page in pages for line in page.lines if line.text.startswith("第一条"))
    assert (
        article.left > chapter.left - 60 and abs(article.left - (28 + 2 * 5.64)) < 1
    )  # indented two characters


def test_the_site_shows_chapters_articles_and_run_in_headings(built):
    page = lxml_html.fromstring(
        (built / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    )
    chapters = [h.text_content().strip().rstrip("¶") for h in page.xpath("//h2[contains(@class, 'chapter')]")]
    assert chapters == ["第一章　总则", "第二章　附则"]
    numbers = [span.text_content() for span in page.xpath("//span[@class='article-number']")]
    assert numbers == ["第一条", "第二条", "第三条"]
    run_in = page.xpath("//span[@class='run-in-2']")
    assert [span.text_content() for span in run_in] == ["（一）申请对象。", "（二）申请流程。"]


def test_numbering_in_english_and_after_a_title_afresh():
    text = (
        "# Rules\n\n## General {: .chapter }\n\n"
        '<span class="article-number"></span> One.\n\n## Final {: .chapter }\n\n'
        '<span class="article-number"></span> Two.\n\n# Annex\n\n## Scope\n\n'
        '<span class="run-in-2">Who. </span>All.\n\n'
        '<span class="run-in-2">When. </span>Now.\n'
    )
    numbered = number_headings(text, "en")
    assert "## Chapter 1 General {: .chapter }" in numbered
    assert "## Chapter 2 Final {: .chapter }" in numbered
    assert '<span class="article-number">Article 2</span> Two.' in numbered
    assert "## 1. Scope" in numbered  # an attachment's title starts the count again
    assert '<span class="run-in-2">1.2 When. </span>Now.' in numbered


# --- bad input: file:line:column, nothing built --------------------------------------


def _errors(root: Path) -> list[str]:
    result = run(root, "build")
    assert result.exit_code == 1, result.output
    assert not (root / "build/docx/panzhihua-2024-07.docx").exists()
    return [line for line in result.output.splitlines() if ": error: " in line]


def test_a_run_in_heading_with_no_text_is_an_error(tmp_path):
    text = RULES.replace(
        "                run_in: true\n                text: 在职职工。\n", "                run_in: true\n"
    )
    root = _project(tmp_path, text)
    assert _errors(root) == [
        f"{F}:31:25: error: a run-in heading opens the first paragraph of its text, but this section "
        "has no 'text': write it, or leave 'run_in' out"
    ]


def test_a_missing_attachment_file_of_an_issued_document_is_an_error(tmp_path):
    text = RULES.replace(
        "      - title: 疗休养基地名单\n        text: 见名单。\n",
        "      - title: 疗休养基地名单\n        file: attachments/bases.xlsx\n",
    )
    root = _project(tmp_path, text)
    (root / "circulars/2024/attachments").mkdir()
    errors = _errors(root)
    assert errors == [f"{F}:55:15: error: attachment file 'attachments/bases.xlsx' not found"]


def test_an_attachment_file_of_an_issued_document_is_published_beside_it(tmp_path):
    text = RULES.replace(
        "      - title: 疗休养基地名单\n        text: 见名单。\n",
        "      - title: 疗休养基地名单\n        file: attachments/bases.csv\n",
    )
    root = _project(tmp_path, text)
    write(root, "circulars/2024/attachments/bases.csv", "基地,地址\n峨眉山,乐山\n")
    result = run(root, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/docx/attachments/bases.csv").read_text(encoding="utf-8").startswith("基地")
    texts = [text for _, text in blocks(tmp_path / "out/docx/panzhihua-2024-07.docx")]
    assert texts.index("附件2") < texts.index("峨眉山") < texts.index("附件文件：bases.csv")


def test_sections_that_do_not_fit_the_numbering_are_errors(tmp_path):
    text = RULES.replace(
        "          - text: 本办法自印发之日起施行。\n",
        "          - title: 施行日期\n            text: 本办法自印发之日起施行。\n",
    ).replace("      - title: 附则\n", "      - text: 附则\n")
    text = text.replace(
        "              - title: 申请对象\n                run_in: true\n",
        "              - text: 在职职工。\n",
    )
    text = text.replace(
        "              - text: 在职职工。\n                text: 在职职工。\n",
        "              - text: 在职职工。\n",
    )
    root = _project(tmp_path, text)
    title = "a section needs a 'title' (only an article, under 'numbering: chapters' or 'articles', has none)"
    assert _errors(root) == [
        f"{F}:22:9: error: {title}",  # a chapter
        f"{F}:24:20: error: an article (第N条) has no title: its number opens its text",
        f"{F}:31:17: error: {title}",  # a heading in the 办法's attachment
    ]


def test_the_shipped_example_keeps_the_rules_and_the_forms_in_order(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "project"
    shutil.copytree(repo / "circulars", root / "circulars")
    result = run(root, "build", "gz-2019-internship-bases", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    shown = [(n, t) for n, t in blocks(tmp_path / "out/docx/gz-2019-internship-bases.docx") if t.strip()]
    texts = [text for _, text in shown]
    assert [t for n, t in shown if n == "Chapter"] == [
        "第一章　总则",
        "第二章　见习基地的申请条件和程序",
        "第三章　见习单位职责",
        "第四章　见习基地管理",
        "第五章　附则",
    ]
    assert sum(1 for t in texts if t.startswith("第") and "条　" in t[:7]) == 23
    assert (
        texts.index(
            "第二十三条　本办法自印发之日起施行，有效期5年。《广州市人力资源和社会保障局 广州市财政局关于印发〈广州市高校毕业生就业见习基地管理办法〉的通知》（穗人社发〔2015〕27号）同时废止。"
        )
        < texts.index("附件：广州市就业见习基地申请程序")
        < texts.index("附件")
    )
    assert ("Normal", "（一）初核机构：广州市高校毕业生就业指导中心（以下简称市高指中心）；") in shown
    forms = [texts.index(f"附表{n}") for n in range(1, 7)]
    assert (
        texts.index("2.《广州市就业见习示范基地学员补贴花名册》。")
        < texts.index("附表：1.\t广州市就业见习基地申请表")
        < forms[0]
    )
    assert forms == sorted(forms)
    assert [shown[i + 1][1] for i in forms] == [
        "广州市就业见习基地申请表",
        "广州市就业见习基地见习岗位需求信息表",
        "广州市就业见习示范基地申报表",
        "广州市就业见习基地评估表",
        "广州市就业见习示范基地补贴申请表",
        "广州市就业见习示范基地学员补贴花名册",
    ]


def test_english_rules_and_run_in_headings_in_the_international_layout(tmp_path):
    text = (
        RULES.replace("language: zh", "language: en")
        .replace(
            "title: 关于印发《职工疗休养管理办法》的通知",
            "title: Notice issuing the Rules on Staff Rest Leave",
        )
        .replace("title: 总则", "title: General provisions")
    )
    root = _project(tmp_path, text)
    result = run(root, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    docx = tmp_path / "out/docx/panzhihua-2024-07.docx"
    shown = [(name, t) for name, t in blocks(docx) if t.strip()]
    assert ("Chapter", "Chapter 1 General provisions") in shown
    assert ("Normal", "Article 3 本办法自印发之日起施行。") in shown
    assert ("Normal", "1.1 申请对象. 在职职工。") in shown  # an English full stop
    assert attr(style(docx, "Chapter"), "w:pPr/w:jc", "val") == "center"
    assert attr(style(docx, "Run In 1"), "w:rPr/w:b", "val") == "1"
    assert ("Attachment Label", "Attachment 1") in shown and ("Attachment Label", "附表 1") in shown


def test_rules_without_chapters_and_a_run_in_heading_in_the_notice_itself(tmp_path):
    text = RULES.replace(
        "background: 现将《职工疗休养管理办法》印发给你们，请遵照执行。\n",
        "background: 现将《职工疗休养管理办法》印发给你们，请遵照执行。\n"
        "sections:\n  - {title: 工作要求, run_in: true, text: 请认真组织实施。}\n",
    )
    start = text.index("    numbering: chapters\n")
    end = text.index("    attachments:\n", start)
    text = (
        text[:start]
        + "    numbering: articles\n    sections:\n      - text: 为规范工作，制定本办法。\n"
        + "      - text: 本办法自印发之日起施行。\n"
        + text[end:]
    )
    root = _project(tmp_path, text)
    result = run(root, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    shown = [(name, t) for name, t in blocks(tmp_path / "out/docx/panzhihua-2024-07.docx") if t.strip()]
    assert ("Normal", "一、工作要求。请认真组织实施。") in shown
    assert not any(name == "Chapter" for name, _ in shown)
    texts = [t for _, t in shown]
    first = texts.index("第一条　为规范工作，制定本办法。")
    assert texts[first + 1] == "第二条　本办法自印发之日起施行。"


def test_a_table_after_sub_sections_is_placed_among_the_text_after_them(tmp_path):
    text = RULES.replace(
        "            tables_after:\n              - columns:",
        "            tables_after:\n              - after: 2\n                columns:",
    )
    root = _project(tmp_path, text)
    assert _errors(root) == [
        f"{F}:41:24: error: 'after: 2' is past the end of the text this table goes with, which has "
        "1 paragraph (write 0 to 1, or leave 'after' out to place the table after the last)"
    ]


def test_a_title_that_reads_like_the_chapter_class_stays_a_heading(tmp_path):
    text = RULES.replace(
        "background: 现将", "sections:\n  - {title: '总则 {: .chapter }', text: 正文。}\nbackground: 现将"
    )
    root = _project(tmp_path, text)
    result = run(root, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    shown = [(name, t) for name, t in blocks(tmp_path / "out/docx/panzhihua-2024-07.docx") if t.strip()]
    assert ("Heading 1", "一、总则 {: .chapter }") in shown


def test_a_reference_restyled_before_the_new_styles_falls_back_to_heading_1_and_the_text_face(tmp_path):
    import re

    from generator.docx.package import read_parts, write_parts

    root = _project(tmp_path)
    parts = read_parts((Path(__file__).resolve().parent.parent / "templates/gbt9704.docx").read_bytes())
    styles = parts["word/styles.xml"].decode("utf-8")
    for name in ("Chapter", "Run In 1", "Run In 2", "Run In 3", "Run In 4", "Article Number"):
        styles, count = re.subn(rf'<w:style [^>]*><w:name w:val="{name}"/>.*?</w:style>', "", styles)
        assert count == 1, name
    parts["word/styles.xml"] = styles.encode("utf-8")
    write(root, "templates/gbt9704.docx", write_parts(parts))
    result = run(root, "build", "panzhihua-2024-07", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    docx = tmp_path / "out/docx/panzhihua-2024-07.docx"
    shown = [(name, t) for name, t in blocks(docx) if t.strip()]
    assert ("Heading 1", "第一章　总则") in shown
    assert ("Normal", "第一条　为规范职工疗休养工作，制定本办法。") in shown
    body = xml(docx, "word/document.xml")
    article = next(p for p in body.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith("第一条"))
    assert article.findall(".//w:rStyle", NS) == []  # the number in the text's face
