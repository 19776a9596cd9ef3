"""The example site in a real headless Chromium (Debian's), served over HTTP on 127.0.0.1.

The site is served both at the root of a host and under a sub-path; links are
relative, so both must work. Screenshots land in the pytest temporary folder
(their paths are printed with -s) for a person to look at.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time

import pytest
from browsing import chromium, need_chromium, serving
from conftest import HOSTILE_TITLE, REPO, add_site, free_port, retitle, run

from generator.site.indexes import LATEST_COUNT
from generator.source.loading import load_project


@pytest.fixture(scope="module")
def served(tmp_path_factory, example_site):
    """The example site, built once, served from a folder where it sits under /sub/path/."""
    need_chromium()
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(example_site / "site", root / "sub" / "path")
    with serving(root) as base:
        yield {"base": base, "root": root}


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A page that records console errors, failed page scripts and alert dialogs."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()


@pytest.mark.parametrize("prefix", ["/sub/path/", "/"])
def test_home_lists_the_latest_circulars(served, page, prefix, tmp_path_factory):
    if prefix == "/":  # the same site at the root of a host
        root = served["root"]
        if not (root / "index.html").exists():
            for item in (root / "sub/path").iterdir():
                target = root / item.name
                shutil.copytree(item, target) if item.is_dir() else shutil.copy(item, target)
    page.goto(served["base"] + prefix)
    rows = page.locator("article table tbody tr")
    issued = [c for c in load_project(REPO).circulars if c.status == "issued"]
    assert rows.count() == min(LATEST_COUNT, len(issued))
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert "穗府办规〔2025〕8号" in texts[0]  # the newest first: gz-2025-points-household, 30 June 2025
    assert "穗民规字〔2025〕2号" in texts[1]  # then gz-2025-dibao, 30 May 2025
    assert "攀工发〔2024〕7号" in texts[3]  # after its English translation, of the same day
    page.get_by_role("link", name="关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知").click()
    page.wait_for_url("**/circulars/panzhihua-2024-07/")
    assert "攀工发〔2024〕7号" in page.locator(".circular-meta").inner_text()
    page.get_by_role("link", name="落实台账 Tracker").click()
    assert page.locator("article h1").inner_text().startswith("工作要求落实台账")
    assert page.problems == []


def test_circular_page_and_its_download(served, page, tmp_path_factory):
    page.goto(served["base"] + "/sub/path/circulars/panzhihua-2024-07/")
    assert page.locator("p.doc-number").inner_text() == "攀工发〔2024〕7号"
    assert page.locator("p.organ-mark").evaluate("e => getComputedStyle(e).color") == "rgb(238, 0, 0)"
    shown = page.locator("code.sha256").first.inner_text()  # the Word document's, first of the files
    with page.expect_download() as download_info:
        page.locator("a.download-docx").click()
    download = download_info.value
    saved = tmp_path_factory.mktemp("downloads") / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == "panzhihua-2024-07.docx"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == shown
    shot = tmp_path_factory.mktemp("screenshots") / "circular.png"
    page.screenshot(path=str(shot), full_page=False)
    print(f"\nscreenshot of a circular page: {shot}")
    assert page.problems == []


def test_superseded_notice_links_to_the_successor(served, page):
    page.goto(served["base"] + "/sub/path/circulars/sichuan-2022-05/")
    notice = page.locator(".admonition.warning")
    assert "本文件已被以下公文替代" in notice.inner_text()
    notice.locator("a").click()
    page.wait_for_url("**/circulars/sichuan-2024-12/")
    assert page.locator("p.doc-number").inner_text() == "川工发〔2024〕12号"
    assert page.problems == []


def test_tracker_lists_a_known_requirement(served, page, tmp_path_factory):
    page.goto(served["base"] + "/sub/path/tracker/")
    row = page.locator("article tbody tr", has_text="找准问题")
    assert row.count() == 1
    assert "2024-04-30" in row.inner_text()
    assert row.locator("td.col-state .state-overdue").count() == 1
    row.get_by_role("link", name="1. 找准问题").click()  # to the requirement itself
    page.wait_for_url("**/circulars/panzhihua-2024-07/#requirement-1")
    assert page.locator("#requirement-1").inner_text().startswith("一是找准问题。")
    page.goto(served["base"] + "/sub/path/tracker/")
    # at 1280 px the table takes the page's width, not the 600 px between two sidebars
    assert page.locator("article table").first.bounding_box()["width"] > 1000
    shot = tmp_path_factory.mktemp("screenshots") / "tracker.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of the tracker: {shot}")
    assert page.problems == []


def test_every_tag_reached_from_the_tags_page_and_from_a_circular(served, page):
    """The tags page links a page per tag, which lists its circulars; a tag above a
    circular leads to its tag's page, at the tag's heading, which lists that circular."""
    base = served["base"] + "/sub/path/"
    page.goto(base + "tags/")
    links = page.locator("article li a")
    tags = [links.nth(i).inner_text() for i in range(links.count())]
    assert "驻点" in tags and len(tags) > 3
    for tag in tags:
        page.goto(base + "tags/")
        page.locator("article").get_by_role("link", name=tag, exact=True).click()
        page.wait_for_load_state("load")
        assert page.locator("article h2 .md-tag").all_inner_texts() == [tag]
        assert page.locator("article h2 + ul li a").count() >= 1
    page.goto(base + "circulars/panzhihua-2024-07/")
    page.locator("a.md-tag", has_text="驻点").click()
    page.wait_for_url("**/tags/*/#tag:*")
    listed = page.locator("article li a", has_text="关于驻点干部")
    assert listed.count() == 1
    listed.click()
    page.wait_for_url("**/circulars/panzhihua-2024-07/")
    assert page.problems == []


def test_a_hostile_title_runs_nothing(browser, project, tmp_path):
    add_site(project)
    retitle(project, HOSTILE_TITLE)
    assert run(project, "build").exit_code == 0
    with serving(project / "build/site") as base:
        context = browser.new_context()
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("/", "/years/2024/", "/circulars/panzhihua-2024-07/"):
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
        assert page.locator("h1.title").inner_text().rstrip("¶") == HOSTILE_TITLE
        assert dialogs == []
        context.close()


def test_serve_reloads_the_page_when_a_circular_changes(browser, tmp_path):
    """`circulars serve`: edit the YAML, and the open page reloads with the change."""
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(tmp_path), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = browser.new_page()
        deadline = time.monotonic() + 60
        while True:  # until the first build is served
            try:
                page.goto(f"http://127.0.0.1:{port}/circulars/panzhihua-2024-07/")
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        title = page.locator("h1.title").inner_text().rstrip("¶")  # without the permalink
        assert title == "关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知"
        source = tmp_path / "circulars/2024/panzhihua-2024-07.yaml"
        text = source.read_text(encoding="utf-8")
        source.write_text(
            text.replace(
                "title: 关于驻点干部做到“四个要”扎实开展格里坪特色产业园区驻点工作的通知",
                "title: 关于驻点干部做到“四个要”的通知（修订）",
            ),
            encoding="utf-8",
        )
        page.wait_for_function(
            "() => document.querySelector('h1.title')?.innerText.replace('¶', '') === '关于驻点干部做到“四个要”的通知（修订）'",
            timeout=60000,
        )
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_on_a_phone_a_wide_table_scrolls_in_its_box_with_a_cue(browser, served, tmp_path_factory):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    # (the tracker's and the other listings' rows stack on a phone instead: nothing to scroll)
    for path, box in (("/sub/path/circulars/gz-2019-internship-bases/", ".circular .table-scroll"),):
        page.goto(served["base"] + path)
        # a table wider than its box, which scrolls, and not the page
        boxes = page.locator(box)
        wide = next(
            boxes.nth(i)
            for i in range(boxes.count())
            if boxes.nth(i).evaluate("e => e.scrollWidth > e.clientWidth + 50")
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the cue: shadows that stay at the box's edges, under covers that move with the table
        style = wide.evaluate(
            "e => { const s = getComputedStyle(e); return [s.backgroundImage, s.backgroundAttachment] }"
        )
        assert style[0].count("radial-gradient") == 2 and style[0].count("linear-gradient") == 2
        assert style[1] == "local, local, scroll, scroll"
        wide.scroll_into_view_if_needed()
        shot = tmp_path_factory.mktemp("screenshots") / f"phone-{path.strip('/').replace('/', '-')}.png"
        page.screenshot(path=str(shot))
        print(f"\nscreenshot of a wide table on a phone: {shot}")
    context.close()
