"""The shipped examples transcribed from real public circulars, read back from every output.

Each is checked against its own YAML: the Word document (python-docx), the same
document as LibreOffice reads it (converted to PDF, then to text), and the
site's page. Nothing may be added that the original lacks (a number, a
letterhead, 特此通知。, a table) and nothing it has may be lost.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
import yaml
from conftest import REPO, run
from docx_reading import NS, W, blocks, xml
from lxml import html
from test_docx_in_other_readers import _in_order, _need, pdf_text, squeeze

from generator.docx.build import build_documents
from generator.docx.preview import to_pdf
from generator.source.inline_markup import paragraphs, to_plain
from generator.source.loading import load_project

EXAMPLES = {
    "hfcas-2013-workers-congress": "circulars/2013/hfcas-2013-workers-congress.yaml",
    "moe-2023-151": "circulars/2023/moe-2023-151.yaml",
    "ncwu-2008-spring-sports": "circulars/2008/ncwu-2008-spring-sports.yaml",
    "rmt-2016-np-202": "circulars/2016/rmt-2016-np-202.yaml",
}
# Styles of parts the originals do not have; none may appear where the YAML does not ask for it.
HEADER_STYLES = {
    "Organ Mark",
    "Organ Mark Letter",
    "Red Rule",
    "Double Rule",
    "Doc Number",
    "Doc Number Letter",
}


def source(circular_id: str) -> dict:
    return yaml.safe_load((REPO / EXAMPLES[circular_id]).read_text(encoding="utf-8"))


def body_paragraphs(data: dict) -> list[str]:
    """The body as the YAML writes it: background, then the text of each event, in plain text."""
    texts = paragraphs(data.get("background", ""))
    for phase in data.get("schedule", []):
        texts += paragraphs(phase.get("text", ""))
    return [to_plain(text) for text in texts]


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    project = load_project(REPO)
    assert not project.diagnostics.has_errors()
    chosen = [project.source(circular_id).circular for circular_id in EXAMPLES]
    out = tmp_path_factory.mktemp("real-docx")
    build_documents(project, chosen, out, jobs=1)
    return {circular_id: out / f"{circular_id}.docx" for circular_id in EXAMPLES}


def styled(path: Path) -> list[tuple[str, str]]:
    return [(name, text) for name, text in blocks(path) if text.strip()]


def texts_of(path: Path, style: str) -> list[str]:
    return [text for name, text in styled(path) if name == style]


@pytest.mark.parametrize("circular_id", sorted(EXAMPLES))
def test_each_example_passes_check_strictly(circular_id):
    result = run(REPO, "check", "--strict", str(REPO / EXAMPLES[circular_id]))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("circular_id", sorted(EXAMPLES))
def test_word_text_is_the_yaml_text_and_nothing_else(documents, circular_id):
    data = source(circular_id)
    path = documents[circular_id]
    shown = styled(path)
    everything = "\n".join(text for _, text in shown)
    assert "{:" not in everything and "\\" not in everything  # no markup left over
    # a title written as a | block keeps its lines (a w:br each, which the block reading drops)
    assert texts_of(path, "Title") == [data["title"].replace("\n", "")]
    assert [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Title"] == [data["title"]]
    body = [text for name, text in shown if name in ("Normal", "Phase")]
    assert body == body_paragraphs(data)
    # none of the generated parts the original lacks
    if data.get("letterhead") == "none":
        assert not HEADER_STYLES & {name for name, _ in shown}
    if "number" not in data:
        assert not [name for name, _ in shown if name.startswith("Doc Number") or name == "Reference"]
    if data.get("closing") is False:
        assert texts_of(path, "Closing") == []
        assert "特此通知" not in everything and "特此函告" not in everything
    elif "closing" in data:
        assert texts_of(path, "Closing") == [data["closing"]]
    if data.get("printing") is False and "cc" not in data:
        assert not [name for name, _ in shown if name in ("CC", "Imprint")]


def test_notice_without_number(documents):
    path = documents["hfcas-2013-workers-congress"]
    assert [name for name, _ in styled(path)][:2] == ["Title", "Recipients"]  # no letterhead, no number
    # one group given by label, its members joined by 、, the line ending in ：
    assert texts_of(path, "Recipients") == ["各基层工会、全体职工代表："]
    assert texts_of(path, "Signature") == ["合肥研究院工会委员会"]
    assert texts_of(path, "Date") == ["2013年2月28日"]


def test_joint_notice(documents):
    path = documents["ncwu-2008-spring-sports"]
    assert texts_of(path, "Recipients") == ["机关分工会各小组："]
    assert texts_of(path, "Closing") == ["特此通知"]  # as the original: no full stop
    assert texts_of(path, "Signature") == ["华北水利水电学院", "机关党总支、机关分工会"]
    core = xml(path, "docProps/core.xml")
    creator = core.find("{http://purl.org/dc/elements/1.1/}creator").text
    assert creator == "华北水利水电学院机关党总支; 华北水利水电学院机关分工会"  # both issuers


def test_letter(documents):
    """A 函 in the letter form: its series' number under the double rule, one
    recipient given by label, no closing formula, no 版记."""
    path = documents["moe-2023-151"]
    names = [name for name, _ in styled(path)]
    assert names[:5] == ["Organ Mark Letter", "Doc Number Letter", "Title", "Recipients", "Normal"]
    assert texts_of(path, "Organ Mark Letter") == ["教育部"]  # the letter form: no 文件
    assert texts_of(path, "Doc Number Letter") == ["教发函〔2023〕151号"]  # the ministry's 教发函 series
    assert texts_of(path, "Recipients") == ["安徽省人民政府："]
    paragraphs = [p for p in docx.Document(str(path)).paragraphs]
    rules = [p for p in paragraphs if p.style.name == "Double Rule"]
    assert len(rules) == 2  # under the mark, and 20 mm above the foot of page 1
    # the items 一、…四、 are the letter's own numbered paragraphs, in the body's style
    body = texts_of(path, "Normal")
    assert [text[:2] for text in body[1:5]] == ["一、", "二、", "三、", "四、"]
    assert body[-1].startswith("望你省") and body[-1].endswith("作出更大贡献。")
    assert names[-2:] == ["Signature Sealed", "Date Sealed"]
    assert texts_of(path, "Signature Sealed") == ["教育部"]
    assert texts_of(path, "Date Sealed") == ["2023年11月30日"]
    assert not {"Closing", "CC", "Imprint"} & set(names)


def test_english_union_circular(documents):
    path = documents["rmt-2016-np-202"]
    names = [name for name, _ in styled(path)]
    assert names[:5] == ["Letterhead", "Reference Extra", "Reference", "Title", "Recipients"]
    assert texts_of(path, "Reference Extra") == ["Our Ref: HSR/4/5"]
    # RMT's own number pattern, in its head-office series, and the date at the right
    assert texts_of(path, "Reference") == ["Head Office Circular: NP/202/16\t17 August 2016"]
    # one addressee a line (python-docx reads each w:br as a line end)
    recipients = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Recipients"]
    assert recipients == [
        "The Secretary\nALL BRANCHES\nALL SHIPPING BRANCHES\nALL HEALTH AND SAFETY REPRESENTATIVES\nALL REGIONAL COUNCILS"
    ]
    assert texts_of(path, "Salutation") == ["Dear Colleague"]
    assert names[-3:] == ["Complimentary Close", "Signature Name", "Signature Title"]
    assert texts_of(path, "Complimentary Close") == ["Yours sincerely"]
    assert texts_of(path, "Signature Name") == ["Mick Cash"]
    assert texts_of(path, "Signature Title") == ["General Secretary"]
    # the link is a Word hyperlink to the address
    rels = xml(path, "word/_rels/document.xml.rels")
    targets = {rel.get("Target") for rel in rels if rel.get("TargetMode") == "External"}
    assert targets == {"http://www.hazardscampaign.org.uk/postcard"}
    links = xml(path, "word/document.xml").findall(".//w:hyperlink", NS)
    assert ["".join(t.text for t in link.iter(f"{{{W}}}t")) for link in links] == [
        "http://www.hazardscampaign.org.uk/postcard"
    ]


def test_libreoffice_reads_every_example_back(documents, tmp_path):
    _need("soffice")
    _need("pdftotext")
    pdfs = {pdf.stem: pdf for pdf in to_pdf(list(documents.values()), tmp_path, REPO)}
    for circular_id, path in documents.items():
        read = squeeze(pdf_text(pdfs[circular_id]))
        expected = [squeeze(text) for _, text in styled(path)]
        assert _in_order(expected, read) == [], circular_id
        assert "{:" not in read
    assert "特此通知" not in squeeze(pdf_text(pdfs["hfcas-2013-workers-congress"]))
    moe = squeeze(pdf_text(pdfs["moe-2023-151"]))
    letter = ["教育部", "教发函〔2023〕151号", "教育部关于同意", "安徽省人民政府：", "2023年11月30日"]
    assert _in_order(letter, moe) == []
    assert "特此函告" not in moe and "抄送" not in moe
    rmt = squeeze(pdf_text(pdfs["rmt-2016-np-202"]))
    assert (
        _in_order(["OurRef:HSR/4/5", "HeadOfficeCircular:NP/202/16", "DearColleague", "Yourssincerely"], rmt)
        == []
    )


@pytest.fixture(scope="module")
def site(example_site) -> Path:
    return example_site / "site"


def circular_page(site: Path, circular_id: str) -> html.HtmlElement:
    page = html.fromstring((site / "circulars" / circular_id / "index.html").read_text(encoding="utf-8"))
    return page.cssselect(".circular")[0]


def classed(element: html.HtmlElement, cls: str) -> list[str]:
    return [re.sub(r"\s+", " ", e.text_content()).strip() for e in element.cssselect(f".{cls}")]


def test_site_pages_show_the_same(site, documents):
    for circular_id, path in documents.items():
        page = circular_page(site, circular_id)
        shown = re.sub(r"\s+", "", page.text_content())
        assert "{:" not in shown
        assert _in_order([squeeze(text) for _, text in styled(path)], shown) == [], circular_id
    hfcas = circular_page(site, "hfcas-2013-workers-congress")
    assert not hfcas.cssselect(".organ-mark, .doc-number, .closing, hr.red-rule, .imprint")
    assert classed(hfcas, "recipients") == ["各基层工会、全体职工代表："]
    ncwu = circular_page(site, "ncwu-2008-spring-sports")
    assert classed(ncwu, "closing") == ["特此通知"]
    moe = circular_page(site, "moe-2023-151")
    assert classed(moe, "doc-number") == ["教发函〔2023〕151号"]
    assert classed(moe, "recipients") == ["安徽省人民政府："]
    assert not moe.cssselect(".closing, .imprint")
    rmt = circular_page(site, "rmt-2016-np-202")
    assert classed(rmt, "salutation") == ["Dear Colleague"]
    assert classed(rmt, "complimentary-close") == ["Yours sincerely"]
    assert classed(rmt, "extra") == ["Our Ref: HSR/4/5"]
    assert [a.get("href") for a in rmt.cssselect("a[href^='http']")] == [
        "http://www.hazardscampaign.org.uk/postcard"
    ]
