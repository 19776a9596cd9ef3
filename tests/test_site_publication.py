"""Circulars published as official publications, read from the built site's HTML and XML:
the document information, the files (Word, PDF, attachments) with format, size and
SHA-256, the citation, the change history, Open Graph and Dublin Core metadata,
the feeds, the sitemap's dates, and no placeholder links.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pymupdf
import pytest
from conftest import add_site, circular_yaml, run, write
from lxml import html

from generator.docx.closing_page import has_closing_section, page_texts
from generator.site.feed import tag_feed

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path / "index.html").read_text(encoding="utf-8"))


def text(element) -> str:
    element = copy.deepcopy(element)
    for anchor in element.cssselect("a.headerlink"):
        anchor.drop_tree()
    return re.sub(r"\s+", " ", element.text_content()).strip()


def information(doc) -> dict[str, str]:
    """The document information, label -> value."""
    return dict(text(li).split(": ", 1) for li in doc.cssselect(".document-info > ul")[0].cssselect("li"))


def files(doc) -> list[list[str]]:
    return [[text(td) for td in row.cssselect("td")] for row in doc.cssselect(".file-table tbody tr")]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def needs_libreoffice():
    if shutil.which("soffice") is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")


@pytest.fixture(scope="module")
def site(example_site) -> Path:
    return example_site / "site"


# --- a circular's page ---------------------------------------------------------------


def test_document_information(site):
    info = information(page(site, "circulars/sichuan-2022-05"))
    assert info == {
        "文号": "川工发〔2022〕5号",
        "发文机关": "四川省总工会",
        "成文日期": "2022年3月1日",
        "状态": "已被替代",
        "施行日期": "2022年3月1日",
        "失效日期": "2024年4月7日",  # the day its successor is dated
        "已被以下公文替代": "川工发〔2024〕12号 关于做好2024年全省工会干部下基层驻点工作的通知",
    }
    english = information(page(site, "circulars/panzhihua-2024-07-en"))
    assert english["Number"] == "Panzhihua FTU [2024] No. 7"
    assert english["Status"] == "Issued"
    assert english["Also in"].startswith("攀工发〔2024〕7号")


def test_the_word_document_pdf_and_attachments_with_format_size_and_sha256(site):
    needs_libreoffice()
    folder = site / "circulars/panzhihua-2024-07"
    doc = page(site, "circulars/panzhihua-2024-07")
    rows = files(doc)
    links = [a.get("href") for a in doc.cssselect(".file-table tbody a")]
    assert links == [
        "panzhihua-2024-07.docx",
        "panzhihua-2024-07.pdf",
        "attachments/panzhihua-2024-07-problem-list.csv",
    ]
    assert [row[:2] for row in rows] == [
        ["公文正文", "Word (DOCX)"],
        ["公文正文", "PDF"],
        ["驻点单位问题清单（模板）", "CSV"],
    ]
    for href, row in zip(links, rows, strict=True):
        size = (folder / href).stat().st_size
        assert row[2] == (f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"), href
        assert row[3] == sha256(folder / href), href
    # the buttons above the document
    buttons = doc.cssselect(".circular-meta a.download")
    assert [(a.get("href"), text(a)) for a in buttons] == [
        ("panzhihua-2024-07.docx", "下载Word文档"),
        ("panzhihua-2024-07.pdf", "下载PDF"),
    ]
    # the PDF is the circular, as LibreOffice lays it out
    with pymupdf.open(folder / "panzhihua-2024-07.pdf") as pdf:
        first = pdf[0].get_text()
    assert "攀枝花市总工会文件" in first and "关于驻点干部做到“四个要”扎实开展" in first


def test_a_settled_word_document_is_offered_with_its_own_size_and_sha256(site):
    """sichuan-2022-05's text ends on page 2 with room for the 版记: the PDF step moves the
    版记 there (docx/closing_page) and the page offers that Word document, not the one first
    written, with the PDF of two pages made from it."""
    needs_libreoffice()
    folder = site / "circulars/sichuan-2022-05"
    rows = files(page(site, "circulars/sichuan-2022-05"))
    docx, pdf = folder / "sichuan-2022-05.docx", folder / "sichuan-2022-05.pdf"
    assert rows[0][3] == sha256(docx) and rows[1][3] == sha256(pdf)
    assert not has_closing_section(docx.read_bytes())  # the 版记 in the text's section
    assert len(page_texts(pdf)) == 2


def test_citation_line(site):
    zh = page(site, "circulars/panzhihua-2024-07").cssselect("p.citation")[0]
    assert text(zh) == (
        "攀枝花市总工会：《关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知》"
        "（攀工发〔2024〕7号），2024年4月18日。https://circulars.example.org/circulars/panzhihua-2024-07/"
    )
    en = page(site, "circulars/chemchina-2012-03").cssselect("p.citation")[0]
    assert text(en).startswith('Trade Union of China National Chemical Corporation, "Circular on Serving')
    assert text(en).endswith(
        ", ChemChina TU [2012] No. 3, 4 February 2012. https://circulars.example.org/circulars/chemchina-2012-03/"
    )


def test_open_graph_and_dublin_core(site):
    doc = page(site, "circulars/sichuan-2024-12")
    meta = {}
    for element in doc.cssselect("head meta[property], head meta[name]"):
        meta.setdefault(element.get("property") or element.get("name"), []).append(element.get("content"))
    assert meta["og:title"] == ["关于做好2024年全省工会干部下基层驻点工作的通知"]
    assert meta["og:url"] == ["https://circulars.example.org/circulars/sichuan-2024-12/"]
    assert meta["og:type"] == ["article"]
    assert meta["og:locale"] == ["zh_CN"]
    assert meta["DC.creator"] == ["四川省总工会"]
    assert meta["DC.identifier"] == [
        "川工发〔2024〕12号",
        "https://circulars.example.org/circulars/sichuan-2024-12/",
    ]
    assert meta["DC.language"] == ["zh-CN"]
    assert meta["DCTERMS.issued"] == ["2024-04-07"]
    assert meta["DCTERMS.replaces"] == ["https://circulars.example.org/circulars/sichuan-2022-05/"]
    assert meta["description"] == ["川工发〔2024〕12号 · 四川省总工会 · 2024年4月7日"]
    old = page(site, "circulars/sichuan-2022-05").cssselect('head meta[name="DCTERMS.isReplacedBy"]')
    assert [m.get("content") for m in old] == ["https://circulars.example.org/circulars/sichuan-2024-12/"]


def test_superseded_notice_once_above_the_document(site):
    doc = page(site, "circulars/sichuan-2022-05")
    (notice,) = doc.cssselect(".admonition")
    assert "status-notice" in notice.get("class")
    article = doc.cssselect("article")[0]
    order = [e for e in article.iter() if e is notice or "circular" in (e.get("class") or "").split()]
    assert order[0] is notice  # before the document


# --- feeds ---------------------------------------------------------------------------


def entries(path: Path) -> dict[str, ET.Element]:
    feed = ET.parse(path).getroot()
    return {e.find(f"{ATOM}link").get("href").rsplit("/", 2)[-2]: e for e in feed.findall(f"{ATOM}entry")}


def test_feeds_per_issuer_and_per_tag(site):
    sichuan = entries(site / "feeds/issuers/sichuan-ftu.xml")
    # the body's own circulars and those of the bodies under it
    assert {"sichuan-2024-12", "sichuan-2022-05", "panzhihua-2024-07"} <= set(sichuan)
    assert "chemchina-2012-03" not in sichuan
    assert set(entries(site / "feeds/issuers/panzhihua-ftu.xml")) == {
        "panzhihua-2024-07",
        "panzhihua-2024-07-en",
    }
    stationing = entries(site / tag_feed("驻点"))
    assert "panzhihua-2024-07" in stationing and "chemchina-2012-03" not in stationing
    root = ET.parse(site / tag_feed("驻点")).getroot()
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://circulars.example.org/" + tag_feed(
        "驻点"
    )
    # each circular's page offers its issuers' and tags' feeds, visibly and in <head>
    doc = page(site, "circulars/panzhihua-2024-07")
    offered = [unquote(a.get("href")) for a in doc.cssselect(".document-info a.feed-link")]
    assert "../../feeds/issuers/panzhihua-ftu.xml" in offered
    assert "../../" + tag_feed("驻点") in offered
    head = [unquote(link.get("href")) for link in doc.cssselect('head link[type="application/atom+xml"]')]
    assert head[0] == "../../feed.xml" and "../../" + tag_feed("驻点") in head
    issuer = page(site, "issuers/panzhihua-ftu").cssselect('head link[type="application/atom+xml"]')
    assert "../../feeds/issuers/panzhihua-ftu.xml" in [link.get("href") for link in issuer]


def test_tag_feed_names_are_safe_and_distinct():
    names = [tag_feed(t) for t in ("驻点", "Grass roots", "grass-roots", "../../etc", "<b>x</b>", "???")]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"feeds/tags/[\w-]+\.xml", name), name
        assert ".." not in name
    assert tag_feed("驻点") == tag_feed("驻点")  # stable from build to build


# --- the sitemap ---------------------------------------------------------------------


def test_sitemap_dates_are_the_circulars_not_the_build(site):
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in sitemap}
    base = "https://circulars.example.org/"
    assert lastmod[base + "circulars/chemchina-2012-03/"] == "2012-02-04"
    assert lastmod[base + "circulars/sichuan-2022-05/"] == "2024-04-07"  # when it went out of force
    newest = max(lastmod.values())
    assert newest == "2025-06-30"  # the newest circular (gz-2025-points-household), on every other page
    assert lastmod[base] == newest


# --- a project: change history, PDFs, placeholders ------------------------------------


CHANGED = circular_yaml() + (
    "in_force: 2024-05-01\n"
    "changes:\n"
    "  - {date: 2024-05-03, note: 更正第一项工作要求的完成时限}\n"
    "  - {date: 2024-06-10, note: '补充附件 <b>说明</b>'}\n"
)


def test_change_history_and_last_changed(project):
    add_site(project)
    write(project, "circulars/2024/panzhihua-2024-07.yaml", CHANGED)
    result = run(project, "build", "--site-url", "https://circulars.example.org/")
    assert result.exit_code == 0, result.output
    site = project / "build/site"
    doc = page(site, "circulars/panzhihua-2024-07")
    info = information(doc)
    assert info["施行日期"] == "2024年5月1日"
    assert info["最后修改"] == "2024年6月10日"
    history = [text(li) for li in doc.cssselect(".document-info ul")[1].cssselect("li")]
    assert history == [
        "2024-04-18: 印发。",
        "2024-05-03: 更正第一项工作要求的完成时限",
        "2024-06-10: 补充附件 <b>说明</b>",
    ]
    assert not doc.cssselect(".document-info b")  # text, not markup
    assert doc.cssselect('meta[name="DCTERMS.modified"]')[0].get("content") == "2024-06-10"
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    assert "2024-06-10" in [u.findtext(f"{SITEMAP}lastmod") for u in sitemap]
    entry = ET.parse(site / "feed.xml").getroot().find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}updated") == "2024-06-10T00:00:00Z"


def test_changes_out_of_order_are_an_error(project):
    write(
        project,
        "circulars/2024/panzhihua-2024-07.yaml",
        circular_yaml() + "changes:\n  - {date: 2024-03-01, note: 更正}\n",
    )
    result = run(project, "check")
    assert result.exit_code == 1
    assert "panzhihua-2024-07.yaml:" in result.output
    assert "the change of 2024-03-01 comes before 2024-04-18" in result.output


def test_pdfs_are_converted_once_and_keep_their_bytes(project, monkeypatch, tmp_path):
    needs_libreoffice()
    monkeypatch.delenv("CIRCULARS_PDF_CACHE")  # the project's own cache, build/docx/pdf/
    add_site(project)
    assert run(project, "build").exit_code == 0
    pdf = project / "build/site/circulars/panzhihua-2024-07/panzhihua-2024-07.pdf"
    docx = project / "build/docx/panzhihua-2024-07.docx"
    (cached,) = (project / "build/docx/pdf").glob(f"{sha256(docx)}-*.pdf")  # and the fonts' key
    assert pdf.read_bytes() == cached.read_bytes()
    # and findable by the circular's id, beside its Word document
    assert (project / "build/docx/panzhihua-2024-07.pdf").read_bytes() == cached.read_bytes()
    stamp = cached.stat().st_mtime_ns
    assert run(project, "build").exit_code == 0
    assert cached.stat().st_mtime_ns == stamp  # not converted again
    assert pdf.read_bytes() == cached.read_bytes()
    # a changed circular is converted again, and the old PDF leaves the cache
    retitled = project / "circulars/2024/panzhihua-2024-07.yaml"
    retitled.write_text(retitled.read_text(encoding="utf-8").replace("四个要", "五个要"), encoding="utf-8")
    assert run(project, "build").exit_code == 0
    assert not cached.exists()
    (new,) = (project / "build/docx/pdf").glob(f"{sha256(docx)}-*.pdf")
    assert (project / "build/docx/panzhihua-2024-07.pdf").read_bytes() == new.read_bytes()  # the new one
    assert [p.name for p in (project / "build/docx/pdf").iterdir()] == [
        f"{sha256(docx)}-{cached.stem[65:]}.pdf"
    ]


def test_without_libreoffice_the_site_is_built_without_pdfs(project, monkeypatch, tmp_path):
    add_site(project)
    monkeypatch.setenv("CIRCULARS_PDF_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("LibreOffice is not installed") == 1, result.stderr
    folder = project / "build/site/circulars/panzhihua-2024-07"
    assert not (folder / "panzhihua-2024-07.pdf").exists()
    doc = page(project / "build/site", "circulars/panzhihua-2024-07")
    assert [a.get("href") for a in doc.cssselect("a.download")] == ["panzhihua-2024-07.docx"]
    assert [row[1] for row in files(doc)] == ["Word (DOCX)"]


def test_no_placeholder_repository_or_edit_pencil(project):
    add_site(project)
    assert "repo_url:" not in (project / "mkdocs.yml").read_text(encoding="utf-8").replace("# repo_url:", "")
    result = run(project, "build")
    doc = page(project / "build/site", "circulars/panzhihua-2024-07")
    assert not doc.cssselect("a.md-content__button, .md-source")
    # a placeholder address is dropped, with a warning
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "repo_url: https://git.example.org/federation/circulars\nedit_uri: edit/main/\n",
        encoding="utf-8",
    )
    result = run(project, "build")
    assert result.exit_code == 0
    assert "repo_url https://git.example.org/federation/circulars is a placeholder" in result.stderr
    doc = page(project / "build/site", "circulars/panzhihua-2024-07")
    assert not doc.cssselect("a.md-content__button, .md-source")
    # a real one gives both
    config.write_text(
        config.read_text(encoding="utf-8").replace("git.example.org", "git.sichuan-ftu.org.cn"),
        encoding="utf-8",
    )
    result = run(project, "build")
    assert "placeholder" not in result.stderr
    doc = page(project / "build/site", "circulars/panzhihua-2024-07")
    edit = doc.cssselect("a.md-content__button")[0].get("href")
    assert edit.startswith("https://git.sichuan-ftu.org.cn/federation/circulars/")
    assert edit.endswith("circulars/2024/panzhihua-2024-07.yaml")


def test_pdfs_a_libreoffice_run_leaves_out_are_converted_in_a_second_pass(tmp_path, monkeypatch):
    """A LibreOffice run that stops part-way (as runs of hundreds of documents did) loses
    only the rest of its batch, and those are converted again once."""
    from generator.docx.preview import PreviewError
    from generator.site import pdfs

    calls: list[int] = []

    def stops_after_the_first(documents, out, project_root, timeout, profile=None):
        calls.append(len(documents))
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{documents[0].stem}.pdf").write_bytes(b"%PDF-1.7 " + documents[0].read_bytes())
        if len(documents) > 1:
            raise PreviewError("LibreOffice stopped")

    monkeypatch.setattr(pdfs, "to_pdf", stops_after_the_first)
    monkeypatch.setattr(pdfs, "BATCH", 2)
    monkeypatch.setattr(pdfs, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.delenv(pdfs.CACHE_ENV, raising=False)
    documents = {}
    for n in range(3):
        path = tmp_path / f"c{n}.docx"
        path.write_bytes(f"document {n}".encode())
        documents[f"c{n}"] = (path, f"{n:064x}")
    result = pdfs.render_pdfs(documents, tmp_path, tmp_path, jobs=1)
    assert calls == [2, 1, 1]  # batches of two and one, then the one the first batch lost
    assert sorted(result.pdfs) == ["c0", "c1", "c2"] and result.warnings == []
    assert result.pdfs["c1"].read_bytes() == b"%PDF-1.7 document 1"
