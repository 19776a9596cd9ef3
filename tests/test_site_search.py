"""The site's search (Pagefind, generator/site/search.py and search_ui/), in Debian's headless
Chromium: typed into the search box as a reader does, on the example site served under a
sub-path. English words are stemmed, Chinese is segmented, document numbers are found whole
and in part, from a page in either language; the box speaks the page's language.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time

import pytest
from browsing import chromium, need_chromium, serving
from conftest import HOSTILE_TITLE, REPO, add_site, free_port, retitle, run

PREFIX = "/sub/path/"
ZH_PAGE = "circulars/panzhihua-2024-07/"
EN_PAGE = "circulars/chemchina-2012-03/"


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(browser, example_site, tmp_path_factory) -> str:
    """The example site's address, where it sits under a sub-path of the host."""
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(example_site / "site", root / PREFIX.strip("/"))
    with serving(root) as base:
        yield f"{base}{PREFIX}"


@pytest.fixture
def page(browser):
    """A page that records console errors, failed page scripts and alert dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()


def search(page, url: str, query: str, button: str = "搜索") -> list[dict]:
    """Open the page, open the search with its button, type the query and return the
    results as listed: each link's address, document number and title."""
    page.goto(url)
    page.get_by_role("button", name=button).click()
    page.get_by_role("searchbox").fill(query)
    status = page.locator(".circulars-search__status")
    # "Searching…" until the answer, then the count (or "nothing found") with the list
    page.wait_for_function(
        "() => { const s = document.querySelector('.circulars-search__status').textContent;"
        " return s && !/搜索…|Searching…/.test(s); }",
        timeout=30000,
    )
    assert "无法使用" not in status.inner_text() and "not available" not in status.inner_text()
    return page.locator(".circulars-search__results li > a").evaluate_all(
        """links => links.map(a => ({
            href: a.href,
            number: a.querySelector('.circulars-search__number')?.textContent ?? '',
            text: a.textContent,
        }))"""
    )


def circulars(results: list[dict]) -> list[str]:
    """The ids of the circulars in the results, in their order."""
    return [r["href"].rstrip("/").rsplit("/", 1)[-1] for r in results if "/circulars/" in r["href"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("workers", "chemchina-2012-03"),
        ("problems", "panzhihua-2024-07-en"),
        ("deadline", "sichuan-2024-12-en"),
        ("innovation", "acftu-2019-reform-article"),
    ],
)
def test_english_words_are_found_stemmed(site, page, query, expected):
    results = search(page, site + EN_PAGE, query, button="Search")
    assert expected in circulars(results)
    assert page.problems == []


def test_a_plural_finds_the_singular_only_through_stemming(site, page):
    """ "innovations" appears nowhere: only English stemming finds the pages saying "innovation"."""
    found = circulars(search(page, site + EN_PAGE, "innovations", button="Search"))
    assert found[0] == "acftu-2019-reform-article"
    assert "sichuan-2024-12-en" in found  # "…and innovation…" once in its text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("建会率", {"panzhihua-2024-07", "sichuan-2024-12"}),
        ("安全急救", {"sichuan-2024-12"}),
        ("工会", {"panzhihua-2024-07", "sichuan-2024-12", "sichuan-2022-05", "fujian-2023-28"}),
        ("找准问题", {"panzhihua-2024-07"}),
    ],
)
def test_chinese_words_are_found(site, page, query, expected):
    found = circulars(search(page, site + ZH_PAGE, query))
    assert expected <= set(found)
    assert not any(c.endswith("-en") for c in found[: len(expected)])  # Chinese pages first
    assert page.problems == []


@pytest.mark.parametrize("start", [ZH_PAGE, EN_PAGE])
def test_a_document_number_is_found_whole_from_any_page(site, page, start):
    button = "Search" if start == EN_PAGE else "搜索"
    results = search(page, site + start, "川工发〔2024〕12号", button=button)
    assert circulars(results)[0] == "sichuan-2024-12"
    assert results[0]["number"] == "川工发〔2024〕12号"
    english = search(page, site + start, "Sichuan FTU [2024] No. 12", button=button)
    assert circulars(english)[0] == "sichuan-2024-12-en"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("12号", {"sichuan-2024-12"}),
        ("〔2024〕12号", {"sichuan-2024-12"}),
        ("川工发", {"sichuan-2024-12", "sichuan-2022-05"}),
        ("攀工发〔2024〕", {"panzhihua-2024-07"}),
        ("No. 12", {"sichuan-2024-12-en"}),
    ],
)
def test_a_document_number_is_found_in_part(site, page, query, expected):
    found = circulars(search(page, site + ZH_PAGE, query))
    assert expected <= set(found[:5])


def test_a_result_opens_its_circular_under_the_sub_path(site, page):
    results = search(page, site + ZH_PAGE, "川工发〔2024〕12号")
    assert results[0]["href"] == site + "circulars/sichuan-2024-12/"
    page.locator(".circulars-search__results li > a").first.click()
    page.wait_for_url("**/sub/path/circulars/sichuan-2024-12/")
    assert "川工发〔2024〕12号" in page.locator("article").inner_text()
    assert page.problems == []


def test_result_titles_are_plain_text_without_zero_width_spaces(site, page):
    for query, start, button in (("驻点工作", ZH_PAGE, "搜索"), ("grassroots", EN_PAGE, "Search")):
        results = search(page, site + start, query, button=button)
        assert results
        for result in results:
            assert "\u200b" not in result["text"]
            assert "¶" not in result["text"]  # the permalinks are not part of the title
    titles = page.locator(".circulars-search__results li > a").all_inner_texts()
    assert any("Circular on Serving Staff and Workers" in title for title in titles)


def test_the_search_speaks_the_language_of_the_page(site, page):
    search(page, site + EN_PAGE, "workers", button="Search")
    dialog = page.get_by_role("dialog", name="Search the circulars")
    assert dialog.is_visible()
    assert page.get_by_role("searchbox", name="Words or a document number").is_visible()
    assert page.locator(".circulars-search__status").inner_text().endswith("results")
    assert page.get_by_role("button", name="Close search").is_visible()
    search(page, site + ZH_PAGE, "工会")
    assert page.get_by_role("dialog", name="搜索公文").is_visible()
    assert page.get_by_role("searchbox", name="搜索词语或文号").is_visible()
    assert page.locator(".circulars-search__status").inner_text().startswith("找到")
    nothing = search(page, site + EN_PAGE, "zzyzxnonexistent", button="Search")
    assert nothing == []
    assert page.locator(".circulars-search__status").inner_text() == "Nothing found"


def test_the_keyboard_opens_and_closes_the_search(site, page):
    page.goto(site + EN_PAGE)
    dialog = page.get_by_role("dialog", name="Search the circulars")
    assert not dialog.is_visible()
    page.keyboard.press("/")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.id") == "circulars-search-input"
    page.keyboard.type("workers")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.problems == []


def test_a_hostile_title_is_shown_as_text_in_the_results(browser, project, tmp_path):
    add_site(project)
    retitle(project, HOSTILE_TITLE)
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("深入职工群众。", "深入职工群众，抓好安全生产。"), encoding="utf-8")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    with serving(project / "build/site") as base, contextlib.closing(browser.new_context()) as context:
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        results = search(page, f"{base}/", "alert")
        assert [r["text"] for r in results] == [f"攀工发〔2024〕7号 {HOSTILE_TITLE}"]
        assert len(search(page, page.url, "安全生产")) == 1
        assert search(page, page.url, "生产安全") == []  # the characters in that order only
        assert page.locator(".circulars-search__results img, .circulars-search__results script").count() == 0
        assert dialogs == []


def test_search_works_under_circulars_serve(browser, tmp_path):
    """`circulars serve` builds the index too: search works while editing."""
    for name in ("circulars", "site", "templates"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(tmp_path), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        deadline = time.monotonic() + 120
        while True:  # until the first build is served
            try:
                page.goto(f"http://127.0.0.1:{port}/{ZH_PAGE}")
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        found = circulars(search(page, f"http://127.0.0.1:{port}/{ZH_PAGE}", "建会率"))
        assert "panzhihua-2024-07" in found
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=30)
