"""The site for every reader, in Debian's headless Chromium: accessibility (axe-core),
the language of each page, phones, and what a printout carries.

axe-core comes from the PyPI package axe-playwright-python, which bundles
axe.min.js and injects it into the page; it runs in the real browser, on the
page as a reader gets it (scripts run, styles applied, both colour schemes).
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

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
    "one organization's requirements": "tracker/geliping-park-federation/",
    "directory": "directory/",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(example_site):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("Debian's chromium is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("chromium is not installed")
    pytest.importorskip("playwright")
    handler = functools.partial(_QuietHandler, directory=str(example_site / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def open_page(browser, url: str, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(url)
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
