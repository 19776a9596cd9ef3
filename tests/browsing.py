"""What the browser tests share: Debian's Chromium, launched headless by Playwright, and
folders served on localhost."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# no background traffic: this machine's closed network refuses it, and a test must not wait on it
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> None:
    """Skip a test without Debian's Chromium and Playwright (fail, with CIRCULARS_REQUIRE_TOOLS)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("Debian's chromium is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("chromium is not installed")
    pytest.importorskip("playwright")


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser (call need_chromium first)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """The folder served on localhost; yields its address, without a trailing slash."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
