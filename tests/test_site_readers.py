"""The site for every reader, in Debian's headless Chromium: accessibility (axe-core),
the language of each page, phones, and what a printout carries.

axe-core comes from the PyPI package axe-playwright-python, which bundles
axe.min.js and injects it into the page; it runs in the real browser, on the
page as a reader gets it (scripts run, styles applied, both colour schemes).
"""

from __future__ import annotations

import pymupdf
import pytest
from browsing import chromium, need_chromium, serving

# One page of each type the site has
PAGE_TYPES = {
    "home": "",
    "circular (zh)": "circulars/panzhihua-2024-07/",
    "circular (en)": "circulars/chemchina-2012-03/",
    "superseded circular": "circulars/sichuan-2022-05/",
    "years": "years/",
    "one year": "years/2024/",
    "issuers": "issuers/",
    "one issuer": "issuers/sichuan-ftu/",
    "one kind": "kinds/notice/",
    "statuses": "status/",
    "tags": "tags/",
    "tracker": "tracker/",
    "one organization": "directory/geliping-park-federation/",
    "directory": "directory/",
}


@pytest.fixture(scope="module")
def base_url(example_site):
    need_chromium()
    with serving(example_site / "site") as base:
        yield f"{base}/"


@pytest.fixture(scope="module")
def browser(base_url):
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def open_page(browser, url: str, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.ok, url  # a page of the site, not its 404 page
    page.wait_for_load_state("networkidle")
    return page


# --- accessibility -------------------------------------------------------------------


# The dark scheme changes colours only: one page of each kind of content is enough
DARK = ["home", "circular (zh)", "circular (en)", "superseded circular", "tracker", "directory"]


@pytest.mark.parametrize(
    ("page_type", "scheme"), [(t, "light") for t in PAGE_TYPES] + [(t, "dark") for t in DARK]
)
def test_no_serious_accessibility_violations(browser, base_url, axe, page_type, scheme):
    page = open_page(browser, base_url + PAGE_TYPES[page_type], color_scheme=scheme)
    try:
        violations = axe.run(page).response["violations"]
    finally:
        page.context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_the_palette_reads_at_4_5_to_1(browser, base_url):
    """The numbers behind the axe result: white on the header's red, links on white."""
    page = open_page(browser, base_url + PAGE_TYPES["circular (zh)"], color_scheme="light")
    try:
        header = page.locator(".md-header").evaluate("e => getComputedStyle(e).backgroundColor")
        link = page.locator(".md-typeset .attachment-file a").evaluate("e => getComputedStyle(e).color")
    finally:
        page.context.close()
    assert header == "rgb(183, 28, 28)"  # #b71c1c, an official red
    assert contrast((255, 255, 255), (183, 28, 28)) >= 4.5
    assert contrast(rgb(link), (255, 255, 255)) >= 4.5


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(color):
        channels = [c / 255 for c in color]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- each page in its language -------------------------------------------------------


def test_each_page_speaks_its_language(browser, base_url):
    """An English circular on the Chinese site is English throughout, chrome included."""
    page = open_page(browser, base_url + PAGE_TYPES["circular (en)"])
    try:
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".md-skip").inner_text().strip() == "Skip to content"
        assert page.locator(".md-sidebar--secondary .md-nav__title").first.inner_text().strip() == (
            "Table of contents"
        )
        assert page.locator(".circular-meta .status").inner_text() == "Issued"
        assert page.locator("a.download-docx").inner_text() == "Download the Word document"
        assert page.locator(".document-info h2").inner_text().rstrip("¶") == "Document information"
    finally:
        page.context.close()
    page = open_page(browser, base_url + "circulars/panzhihua-2024-07-en/")
    try:
        other = page.locator(".circular-meta a.other-language")
        assert (other.inner_text(), other.get_attribute("lang")) == ("中文", "zh-CN")
    finally:
        page.context.close()
    for page_type in ("circular (zh)", "home", "tracker", "directory"):
        page = open_page(browser, base_url + PAGE_TYPES[page_type])
        try:
            assert page.locator("html").get_attribute("lang") == "zh-CN", page_type
            assert page.locator(".md-skip").inner_text().strip() == "跳转至", page_type
        finally:
            page.context.close()


# --- phones --------------------------------------------------------------------------

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("page_type", ["circular (zh)", "circular (en)", "superseded circular"])
def test_on_a_phone_the_title_is_on_the_first_screen(browser, base_url, page_type, tmp_path_factory):
    page = open_page(browser, base_url + PAGE_TYPES[page_type], **PHONE)
    try:
        title = page.locator("h1.title").bounding_box()
        first_line = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('h1.title')).lineHeight)"
        )
        assert title["y"] + first_line <= 667, title
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sideways
        shot = tmp_path_factory.mktemp("screenshots") / "phone.png"
        page.screenshot(path=str(shot))
        print(f"\nscreenshot of {page_type} on a phone: {shot}")
    finally:
        page.context.close()


@pytest.mark.parametrize("page_type", ["one year", "tracker", "one issuer"])
def test_on_a_phone_listings_show_status_and_responsible_bodies(browser, base_url, page_type):
    """No sideways scrolling hides the last columns: every cell of a row is on screen."""
    page = open_page(browser, base_url + PAGE_TYPES[page_type], **PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        headers = [h.strip() for h in page.locator("article table thead th").all_inner_texts()]
        row = page.locator("article table tbody tr").first
        for header, cell in zip(headers, row.locator("td").all(), strict=True):
            box = cell.bounding_box()
            if header in ("状态", "责任单位", "落实进展"):
                assert box is not None and box["width"] > 0, (page_type, header)
            if box is not None and box["width"] > 0:
                assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (page_type, header)
    finally:
        page.context.close()


# --- print ---------------------------------------------------------------------------


def test_a_printout_says_what_it_is(browser, base_url, tmp_path_factory):
    """Print media: the status (and the notice of a superseded circular), the number,
    the URL and the print date; no tags above the letterhead, no site around it."""
    page = open_page(browser, base_url + PAGE_TYPES["superseded circular"])
    try:
        page.emulate_media(media="print")
        line = page.locator(".print-info")
        assert line.is_visible()
        shown = line.inner_text()
        today = page.evaluate(
            "() => { const d = new Date(); return d.getFullYear() + '-' + "
            "String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }"
        )
        assert shown.startswith("已被替代 · 川工发〔2022〕5号 · ")
        assert "https://circulars.example.org/circulars/sichuan-2022-05/" in shown
        assert shown.endswith(f"打印日期 {today}")
        assert page.locator(".status-notice").is_visible()
        for hidden in (".md-tags", ".md-header", ".circular-meta", ".document-info"):
            assert not page.locator(hidden).first.is_visible(), hidden
        pdf = tmp_path_factory.mktemp("print") / "printout.pdf"
        page.pdf(path=str(pdf), format="A4")
        print(f"\nthe printout: {pdf}")
    finally:
        page.context.close()
    with pymupdf.open(pdf) as printed:
        first = printed[0].get_text()
    assert "已被替代" in first and "川工发〔2022〕5号" in first and today in first
    assert first.index("已被替代") < first.index("四川省总工会文件")  # the status above the letterhead
    assert "常态化机制" not in first.split("四川省总工会文件")[0]  # no tag chips above it


def test_on_screen_the_print_line_is_hidden(browser, base_url):
    page = open_page(browser, base_url + PAGE_TYPES["circular (zh)"])
    try:
        assert not page.locator(".print-info").is_visible()
        assert page.locator(".md-tags").first.is_visible()
    finally:
        page.context.close()
