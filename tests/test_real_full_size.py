"""Two more real documents shipped at their full size, read back from Word and from
the PDF LibreOffice renders:

- circulars/2025/gz-2025-points-household (穗府办规〔2025〕8号): a re-issued 办法 of
  thirteen articles whose 附件 is a 12×5 scoring table (类别 merged over 3, 6 and 2
  rows, cells of up to 280 characters), then its 注, 公开方式 and the 印发 line;
- circulars/2008/hnist-2008-45 (院工字〔2008〕45号): a union's 通报 whose prize-
  winners stand one a line under the first name of each prize.

Each keeps the original's text in order, its table's rows and columns, and pages
as full as the real ones: no page but the last, a page ending a part before a new
page starts, and the blank page before the 版记 holds less than a third of a type area.
"""

from __future__ import annotations

import pytest
from conftest import REPO
from docx_reading import NS, W, blocks, xml
from table_reading import docx_rows, grid_rows

from generator.docx.build import build_documents
from generator.docx.closing_page import settle
from generator.docx.preview import to_pdf
from generator.source.loading import load_project

pytest.importorskip("pymupdf")
from pdf_reading import BOTTOM, Page, read_pdf

POINTS, PRIZES = "gz-2025-points-household", "hnist-2008-45"
# Measured in LibreOffice, the 版记 page settled as the build settles it: 10 and 3 pages
# (the 版记 at the foot of page 10, the text's last; 12 with a blank page and the 版记 on a
# page of its own)
MOST_PAGES = {POINTS: 10, PRIZES: 3}
TOP = 2098 * 25.4 / 1440  # the type area's top (mm): GB/T 9704's 37 mm margin
ONE_THIRD = (BOTTOM - TOP) / 3
F = "\u3000"  # a full-width space

# The government's page, in its order (docs/policy_sources/36b_… in shizelengleng/ai-zhengce-tong)
POINTS_TEXT = [
    "穗府办规〔2025〕8号",
    "广州市人民政府办公厅关于重新发布",
    "各区人民政府，市政府各部门、各直属机构：",
    "（穗府办规〔2023〕1号）重新发布，有效期调整至2026年12月31日。实施中遇到问题，请径向市人力资源社会保障局反映。",
    "广州市人民政府办公厅",
    "2025年6月30日",
    "广州市积分制入户管理办法",
    "第一条",
    "为加强来穗人员服务管理",
    "第五条",
    "其他有关部门按各自职能配合做好相关工作。",
    "第六条",
    "（六）近5年内未受过刑事处罚。",
    "第十三条",
    "（穗府办规〔2023〕1号）同时废止。",
    "附件：广州市积分制入户指标体系及分值表",
    "附件",
    "广州市积分制入户指标体系及分值表",
    "指标内容及分值",
    "合法稳定住所",
    "既有合法产权住房、又有合法租赁住房的，由申请人选择其中一项计分。",
    "纳税情况",
    "（3）20万元以上（含20万元）（12分）。",
    "3. 服役期间立功受奖情况（指标内容5）不受上述限制。",
    "违法违规情况",
    "同一行为在“信用情况”已减分的，不重复减分。",
    "注：根据本办法第六条规定，积分制入户人员应按照本指标体系计算总积分满150分",
    "公开方式：主动公开",
    "广州市人民政府办公厅秘书处",
    "2025年7月4日印发",
]
# The union's page (https://gh.hnist.cn/info/1019/2348.htm): each prize, its units under it
PRIZE_LIST = {
    "特　别　奖": ["音乐系分工会"],
    "一　等　奖": ["机关一分工会", "后勤处分工会"],
    "二　等　奖": ["体艺部分工会", "外语系分工会", "南湖学院工会"],
    "三　等　奖": ["大英部分工会", "社科部分工会", "美术系分工会", "计算机系分工会", "体育系分工会"],
    "优　秀　奖": [
        "物电系分工会",
        "机关二分工会",
        "机关三分工会",
        "中文系分工会",
        "机电系分工会",
        "经管系分工会",
        "图书馆分工会",
        "政法系分工会",
        "数学系分工会",
        "新闻系分工会",
        "化工系分工会",
        "土建系分工会",
        "旅游系分工会",
    ],
}
PRIZES_TEXT = [
    "院工字〔2008〕45号",
    "“为中国喝彩·庆祝改革开放三十周年”",
    "教职工歌咏比赛评奖通报",
    "为讴歌中国改革开放三十年的辉煌成就",
    "现将评奖结果予以通报：",
    *[part for prize, units in PRIZE_LIST.items() for part in (f"{prize}：", *units)],
    "优秀指挥奖：周湘蓉（体艺部）",
    "刘艺（后勤处）",
    "周畅（机关一分工会）",
    "湖南理工学院工会",
    "2008年11月12日",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = load_project(REPO)
    out = tmp_path_factory.mktemp("full-size")
    circulars = [project.source(one).circular for one in (POINTS, PRIZES)]
    result = build_documents(project, circulars, out, jobs=1)
    assert result.errors == []
    return project, {one: out / f"{one}.docx" for one in (POINTS, PRIZES)}


@pytest.fixture(scope="module")
def pages(built) -> dict[str, list[Page]]:
    docx = built[1]
    made = to_pdf(list(docx.values()), next(iter(docx.values())).parent / "pdf", REPO)
    if not made:
        pytest.skip("LibreOffice is not installed")
    settle(list(zip(docx.values(), made, strict=True)), REPO)
    return {path.stem: read_pdf(path) for path in made}


def in_order(text: str, fragments: list[str]) -> None:
    at = 0
    for fragment in fragments:
        found = text.find(fragment, at)
        assert found >= 0, f"{fragment!r} missing after {text[max(0, at - 30) : at]!r}"
        at = found + len(fragment)


@pytest.mark.parametrize(("one", "fragments"), [(POINTS, POINTS_TEXT), (PRIZES, PRIZES_TEXT)])
def test_word_keeps_the_originals_text_in_order(built, one, fragments):
    in_order("".join(text for _, text in blocks(built[1][one])), fragments)


def test_word_holds_the_scoring_table_with_the_originals_rows_and_columns(built):
    project, docx = built
    tables = xml(docx[POINTS], "word/document.xml").findall(".//w:tbl", NS)
    (table,) = [table for table in tables if docx_rows(table)[0][0][0].startswith("类")]  # not 版记's
    rows = docx_rows(table)
    grid = grid_rows(project.source(POINTS).circular.documents[0].attachments[0].table.grid)
    # every cell and merge as written, each of its line breaks a Word line break
    assert rows == [[(text.replace("\n", ""), across, down) for text, across, down in row] for row in grid]
    assert len(table.findall(".//w:br", NS)) == sum(text.count("\n") for row in grid for text, _, _ in row)
    assert (len(rows), sum(span for _, span, _ in rows[0])) == (12, 5)  # the page's 12 <tr> of 5 <td>
    assert [row[0][2] for row in rows if len(row) == 5] == [1, 3, 6, 2]  # 类别 over its indicators
    assert max(len(text) for row in rows for text, _, _ in row) >= 250


def test_word_sets_each_prize_as_one_paragraph_its_units_on_lines_of_their_own(built):
    paragraphs = xml(built[1][PRIZES], "word/document.xml").iter(f"{{{W}}}p")
    texts = {"".join(t.text or "" for t in p.iter(f"{{{W}}}t")): p for p in paragraphs}
    for prize, units in PRIZE_LIST.items():
        (text,) = [text for text in texts if text.startswith(f"{prize}：")]
        assert len(texts[text].findall(".//w:br", NS)) == len(units) - 1
        for unit in units[1:]:
            assert F * 8 + unit in text  # under the first: the indent and the label's six characters


def test_each_prizes_units_stand_under_its_first_in_the_pdf(pages):
    def bare(text: str) -> str:  # as the PDF's text may leave the spaces out
        return text.replace(F, "").replace(" ", "")

    lefts = []
    for page in pages[PRIZES]:
        for line in page.lines:
            label = next(
                (prize for prize in PRIZE_LIST if bare(line.text).startswith(f"{bare(prize)}：")), None
            )
            names = [PRIZE_LIST[label][0]] if label else [u for us in PRIZE_LIST.values() for u in us[1:]]
            lefts += [line.span(name)[0] for name in names if name in line.text]
    assert len(lefts) == sum(len(units) for units in PRIZE_LIST.values())
    assert max(lefts) - min(lefts) < 0.5, lefts


@pytest.mark.parametrize("one", [POINTS, PRIZES])
def test_the_document_takes_no_more_pages_than_measured(pages, one):
    assert len(pages[one]) <= MOST_PAGES[one]


def _content_bottom(page: Page) -> float:
    """How far down the type area the page is printed (mm): text or a table's rule."""
    bottoms = [line.bottom for line in page.lines if line.top < BOTTOM]
    bottoms += [rule.y for rule in page.rules if rule.y < BOTTOM]
    return max(bottoms, default=TOP)


@pytest.mark.parametrize("one", [POINTS, PRIZES])
def test_no_page_is_left_mostly_empty(pages, one):
    """Every page holds a third of a type area at least, but the last (the 版记), a
    blank page before it, and a page that ends a part before the next starts on a
    new page: the notice before its 办法, the 办法 before its 附件 mark."""
    shown = pages[one]
    last = len(shown)
    ends = set()
    for page in shown[1:]:
        body = [line for line in page.lines if line.top < BOTTOM]
        starts_part = body and (body[0].text.startswith("附件") or body[0].text == "广州市积分制入户管理办法")
        if starts_part or not body or page.number == last:
            ends.add(page.number - 1)
    blank = {page.number for page in shown if not [line for line in page.lines if line.top < BOTTOM]}
    assert blank <= {last - 1}  # only the page before the 版记 may be blank
    for page in shown:
        if page.number in ends | blank | {last}:
            continue
        assert _content_bottom(page) - TOP >= ONE_THIRD, f"page {page.number}: {page.text[:40]}"


def test_the_scoring_table_runs_on_from_page_to_page_under_its_header(pages):
    holding = [page for page in pages[POINTS] if "指标内容及分值" in page.text]
    assert len(holding) >= 3
    for page in holding[1:]:
        first = next(line for line in page.lines if line.top < BOTTOM)
        assert first.text.replace(" ", "").startswith("类别序号指标指标内容及分值备注")  # the header first
