"""Attachments as documents of their own, and the 印发/转发 form: a notice that issues
or forwards a document prints it in full after itself, before the 版记."""

from __future__ import annotations

import subprocess

import pytest
from conftest import add_site, run, write
from docx_reading import blocks, style
from lxml import html as lxml_html
from table_reading import libreoffice_tables

from generator.docx.preview import to_pdf

ISSUING = """\
id: panzhihua-2024-07
language: zh
status: issued
title: 关于印发《2024年职工运动会实施方案》的通知
issuer: panzhihua-ftu
number: 7
date: 2024-04-18
to: [geliping-park]
background: 现将《2024年职工运动会实施方案》印发给你们，请认真贯彻落实。
cc: [sichuan-ftu]
documents:
  - title: 2024年职工运动会实施方案
    text: 为丰富职工文化生活，制定本方案。
    sections:
      - title: 组织领导
        text: 成立运动会组委会。
        sections:
          - title: 组委会
            text: 组委会负责运动会的组织工作。
      - title: 比赛项目
        tables:
          - columns: [项目, 人数]
            rows:
              - [拔河, 10]
attachments:
  - title: 报名表
    table:
      columns: [单位, 项目, 人数]
      rows:
        - ["", "", ""]
    text: 请于4月30日前报送。
  - title: 竞赛规程
    text: 本规程适用于本届运动会。
    points:
      - {key: 比赛时间, text: 5月1日。}
    sections:
      - title: 参赛资格
        text: 在职职工。
      - title: 录取名次
        text: 各项目录取前三名。
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import ORGANIZATIONS, PEOPLE

    root = tmp_path_factory.mktemp("issuing")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    write(root, "circulars/2024/panzhihua-2024-07.yaml", ISSUING)
    add_site(root)
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root


def test_the_issued_document_follows_the_notice_and_precedes_the_attachments(built):
    found = [(name, text) for name, text in blocks(built / "build/docx/panzhihua-2024-07.docx") if text]
    names = [name for name, _ in found]
    texts = [text for _, text in found]
    assert ("Document Title", "2024年职工运动会实施方案") in found
    assert names.index("Date") < names.index("Document Title") < names.index("Attachment Label")
    assert names.index("Attachment Label") < names.index("CC")  # the 版记 stays last
    # the notice lists its attachments, not the document it issues
    notes = [text for name, text in found if name.startswith("Attachment Note")]
    # (a tab after the number takes the name to the hanging indent, §7.3.4)
    assert notes == ["附件：1.\t报名表", "2.\t竞赛规程"]
    assert texts.count("2024年职工运动会实施方案") == 1


def test_each_document_numbers_its_headings_afresh(built):
    found = blocks(built / "build/docx/panzhihua-2024-07.docx")
    headings = [text for name, text in found if name.startswith("Heading")]
    assert headings == [
        "一、组织领导",  # the issued plan
        "（一）组委会",
        "二、比赛项目",
        "一、参赛资格",  # the second attachment starts again
        "二、录取名次",
    ]
    points = [text for name, text in found if name == "Point"]
    assert points == ["一是比赛时间。5月1日。"]


def test_an_issued_document_starts_on_a_new_page_centred_as_a_title(built):
    title = style(built / "build/docx/panzhihua-2024-07.docx", "Document Title")
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    assert title.find("w:pPr/w:pageBreakBefore", ns) is not None
    assert title.find("w:pPr/w:jc", ns).get(f"{{{ns['w']}}}val") == "center"


def test_an_attachment_table_comes_before_its_text(built):
    found = [(name, text) for name, text in blocks(built / "build/docx/panzhihua-2024-07.docx") if text]
    texts = [text for _, text in found]
    assert (
        texts.index("报名表", texts.index("附件1")) < texts.index("单位") < texts.index("请于4月30日前报送。")
    )


def test_libreoffice_prints_the_notice_then_the_plan_then_the_attachments(built, tmp_path):
    libreoffice_tables(built / "build/docx/panzhihua-2024-07.docx", tmp_path)  # skips without LibreOffice
    pdf = to_pdf([built / "build/docx/panzhihua-2024-07.docx"], tmp_path, built)[0]
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout.split("\f")
    squeezed = ["".join(page.split()) for page in pages if page.strip()]
    plan = next(i for i, page in enumerate(squeezed) if page.startswith("2024年职工运动会实施方案"))
    assert "2024年4月18日" in "".join(squeezed[:plan])  # the notice's date before the plan
    assert "一、组织领导" in squeezed[plan]
    first_attachment = next(i for i, page in enumerate(squeezed) if page.startswith("附件1"))
    assert plan < first_attachment
    assert "抄送：四川省总工会。" in squeezed[-1]


def test_the_site_shows_the_issued_document_under_its_own_title(built):
    text = (built / "build/site/circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    page = lxml_html.fromstring(text)
    titles = [
        h.text_content().strip().rstrip("¶")
        for h in page.iter("h1")
        if "document-title" in h.get("class", "")
    ]
    assert titles == ["2024年职工运动会实施方案"]
    headings = [h.text_content().strip().rstrip("¶") for h in page.iter("h2")]
    assert headings[:2] == ["一、组织领导", "二、比赛项目"]


def test_an_attachment_is_a_file_or_written_out_not_both(project):
    text = ISSUING.replace(
        "  - title: 报名表\n    table:", "  - title: 报名表\n    file: attachments/x.csv\n    table:"
    )
    write(project, "circulars/2024/panzhihua-2024-07.yaml", text)
    result = run(project, "check")
    assert result.exit_code == 1
    assert (
        "panzhihua-2024-07.yaml:26:5: error: an attachment is either a 'file' or written out here (text, tables, sections)"
        in result.output
    )


# --- the shipped meeting notice with a 回执 ---------------------------------------------

SYSU = "sysu-2016-12-12-congress-meeting"


def test_the_shipped_meeting_notice_reads_back_as_written(example_site, tmp_path):
    from conftest import REPO
    from docx_reading import NS, xml
    from table_reading import docx_rows, grid_rows

    from generator.source.loading import load_project

    document = example_site / "docx" / f"{SYSU}.docx"
    found = [(name, text) for name, text in blocks(document) if text]
    texts = [text for _, text in found]
    assert texts[0] == "关于召开中山大学第九届教职工代表大会、第二十届工会会员代表大会工作会议的通知"
    assert [t for n, t in found if n == "Heading 1"] == [
        "一、会议时间",
        "二、会议地点",
        "三、参会人员",
        "四、会议内容",
    ]
    assert "2.校工会李烨副主席介绍“双代会”代表履职以及提案工作的相关要求。" in texts
    assert "附件：第九届教职工代表大会、第二十届工会会员代表大会工作会议回执" in texts
    assert texts.index("“双代会”筹备工作领导小组（代章）") < texts.index("2016年12月12日")
    circular = next(c for c in load_project(REPO).circulars if c.id == SYSU)
    expected = grid_rows(circular.attachments[0].table.grid)
    table = xml(document, "word/document.xml").findall(".//w:tbl", NS)[0]
    assert (
        docx_rows(table)
        == expected
        == [[("代表团", 1, 1), ("", 1, 1)]]
        + [[(role, 1, 1), ("", 1, 1)] for role in ("团长", "副团长", "联络员")]
    )
    assert libreoffice_tables(document, tmp_path)[0] == expected
