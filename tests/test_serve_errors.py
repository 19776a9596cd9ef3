"""`circulars serve` over HTTP when a save breaks the site: the page shows the error (file:line:column
and message, HTML-escaped) instead of spinning, and the site again once fixed; returns/, made by
the first import after serve started, is watched from then on."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import free_port, run
from lxml import html
from test_serve import CHANGED, edit, example  # noqa: F401 (the fixture)

from generator.site.live_server import error_page


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(url: str, text: str, process: subprocess.Popen, limit: float = 300) -> tuple[int, str]:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        assert process.poll() is None, "circulars serve stopped"
        try:
            status, page = fetch(url)
        except OSError:
            status, page = 0, ""
        if text in page:
            return status, page
        time.sleep(0.1)
    raise AssertionError(f"{url} never showed {text!r}")


def test_an_error_shows_on_the_page_and_goes_when_fixed_and_new_returns_are_watched(example):  # noqa: F811
    port = free_port()
    command = [sys.executable, "-m", "generator", "-C", str(example), "serve", "-a", f"127.0.0.1:{port}"]
    assert not (example / "returns").exists()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = f"http://127.0.0.1:{port}/circulars/panzhihua-2024-07/"
        wait_for(page, "驻点干部到位后", process)
        edit(example, CHANGED, "date: 2024-04-18", "date: 2024-02-30")
        status, shown = wait_for(page, "could not be rebuilt", process)
        assert status == 500
        message = html.fromstring(shown).cssselect("pre.build-error")[0].text_content()
        assert f"{CHANGED}:" in message and "2024-02-30" in message
        line = next(
            n
            for n, x in enumerate((example / CHANGED).read_text("utf-8").splitlines(), 1)
            if "2024-02-30" in x
        )
        assert f"{CHANGED}:{line}:" in message
        assert "/livereload/" in shown  # the error page reloads itself when the site is rebuilt
        other_status, _ = fetch(f"http://127.0.0.1:{port}/years/2024/")
        assert other_status == 500  # every page, not only the one changed

        edit(example, CHANGED, "date: 2024-02-30", "date: 2024-04-18")
        status, shown = wait_for(page, "驻点干部到位后", process)
        assert status == 200 and "could not be rebuilt" not in shown

        # returns/ did not exist when serve started: the first import is shown all the same
        answer = example / "phoned-in.yaml"
        answer.write_text(
            "circular: panzhihua-2024-07\norganization: geliping-park-federation\nwho: 王五\n"
            "answers:\n  - {requirement: 2, target: 1, status: 进行中, value: 85%, date: 2024-05-20}\n",
            encoding="utf-8",
        )
        assert run(example, "returns", "import", str(answer)).exit_code == 0
        wait_for(f"http://127.0.0.1:{port}/tracker/", "85%", process)
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_the_error_page_escapes_the_message():
    page = error_page('circulars/x.yaml:3:7: "<script>alert(1)</script>" & more').decode("utf-8")
    assert "<script>alert" not in page
    text = html.fromstring(page).cssselect("pre.build-error")[0].text_content()
    assert text == 'circulars/x.yaml:3:7: "<script>alert(1)</script>" & more'
