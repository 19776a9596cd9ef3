"""What a reader downloads: one page, then one search, measured in Debian's Chromium.

Used by bench_site.py. The site is served by Python's static file server (no
compression, as the simplest web server sends it); every response the browser
receives, pages, scripts, styles and the search index chunks its worker
fetches, is counted with its headers.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Weight:
    page: int  # bytes for the page, with everything it loads by itself
    search: int  # bytes added by opening the search and running one query
    results: int  # results listed
    seconds: float  # from the start of loading the page until the results show


# How to search on each kind of site: our search box, or Material's.
OURS = {
    "open": ".circulars-search-open",
    "box": "#circulars-search-input",
    "result": ".circulars-search__results li",
}
MATERIAL = {"open": ".md-search__input", "box": "input.md-search__input", "result": ".md-search-result__item"}


def measure(site: Path, page_path: str, query: str, ui: dict) -> Weight:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{page_path}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            finished = []
            context.on("requestfinished", lambda request: finished.append(request))
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url, wait_until="domcontentloaded")
            # search as soon as a reader could: the time includes loading any index
            page.locator(ui["open"]).first.click()
            page.locator(ui["box"]).fill(query)
            page.locator(ui["result"]).first.wait_for(timeout=120_000)
            seconds = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            total = _bytes(finished)
            # the page alone, in a fresh context: what loading it costs without searching
            alone = browser.new_context()
            fetched = []
            alone.on("requestfinished", lambda request: fetched.append(request))
            alone.new_page().goto(url, wait_until="networkidle")
            page_bytes = _bytes(fetched)
            results = page.locator(ui["result"]).count()
            browser.close()
    finally:
        server.shutdown()
    return Weight(page_bytes, total - page_bytes, results, seconds)


def _bytes(requests) -> int:
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total


def largest_page(site: Path) -> tuple[str, int]:
    """The biggest HTML file of a built site, and its size."""
    path = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    return path.relative_to(site).as_posix(), path.stat().st_size
