"""The listings in a real headless Chromium (Debian's): pages of rows without script; filter, sort
and pages across all rows with it; overdue decided by the browser's own date; phones."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from browsing import chromium, need_chromium, serving
from conftest import run
from playwright.sync_api import expect
from test_site_listings import BULK, make_bulk

from generator.site.listing import PAGE_SIZE

BUILT_ON = "2024-06-01"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """130 circulars (520 requirements), built on 2024-06-01, served on 127.0.0.1."""
    need_chromium()
    root = tmp_path_factory.mktemp("bulk")
    make_bulk(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", BUILT_ON)
        built = run(root, "build")
    assert built.exit_code == 0, built.output
    site = root / "build/site"
    data = json.loads((site / "tracker/requirements.json").read_text(encoding="utf-8"))
    with serving(site) as base:
        yield {"base": base, "site": site, "data": data}


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as browser:
        yield browser


def open_page(browser, script: bool = True, today: str | None = None, width: int = 1280):
    context = browser.new_context(java_script_enabled=script, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    if today:  # the reader's own date, whatever the day the tests run
        page.clock.set_fixed_time(datetime.datetime.fromisoformat(f"{today}T10:00:00"))
    return page


def cell_texts(page, column: str) -> list[str]:
    return page.locator(f"article tbody td.col-{column}").all_inner_texts()


def test_without_script_every_row_is_reached_through_the_pages(served, browser):
    page = open_page(browser, script=False)
    page.goto(served["base"] + "/tracker/")
    assert page.locator("form.listing-filter").is_hidden()
    seen = []
    pages = -(-4 * BULK // PAGE_SIZE)
    for n in range(1, pages + 1):
        if n > 1:
            page.locator("nav.pager a", has_text=str(n)).first.click()
            page.wait_for_url(f"**/tracker/page-{n}/")
        found = page.locator("article tbody tr")
        assert found.count() == min(PAGE_SIZE, 4 * BULK - (n - 1) * PAGE_SIZE)
        seen += [
            (c, r) for c, r in zip(cell_texts(page, "circular"), cell_texts(page, "requirement"), strict=True)
        ]
    assert len(set(seen)) == 4 * BULK
    page.context.close()


def test_the_filter_sorts_and_pages_across_all_rows(served, browser):
    data = served["data"]
    page = open_page(browser, today=BUILT_ON)
    page.goto(served["base"] + "/tracker/")
    form = page.locator("form.listing-filter")
    assert form.is_visible()
    # a year: every row of that year, from every page
    form.locator("select[name=year]").select_option("2022")
    expected = [r for r in data["rows"] if data["circulars"][r[0]][2] == 2022]
    expect(page.locator(".listing-count")).to_have_text(re.compile(f"共 {len(expected)} 项$"))
    assert page.locator("article tbody tr").count() == min(PAGE_SIZE, len(expected))
    assert "year=2022" in page.url
    # and a responsible body among them
    form.locator("select[name=responsible]").select_option("coking-union")
    orgs = [o[0] for o in data["orgs"]]
    expected = [r for r in expected if any(orgs[a[0]] == "coking-union" for a in r[7])]
    expect(page.locator(".listing-count")).to_have_text(re.compile(f"共 {len(expected)} 项$"))
    assert page.locator("article tbody tr").count() == len(expected)
    assert all(t.startswith("格里坪焦化有限公司工会") for t in cell_texts(page, "returns"))
    # the rows come by deadline; a click on the column's heading turns the order round
    assert page.locator("th.col-deadline").get_attribute("aria-sort") == "ascending"
    page.locator("th.col-deadline button").click()
    expect(page.locator("th.col-deadline")).to_have_attribute("aria-sort", "descending")
    latest = max(r[3] for r in expected)
    expect(page.locator("article tbody td.col-deadline").first).to_have_text(latest)
    shown = cell_texts(page, "deadline")
    assert shown == sorted((r[3] for r in expected), reverse=True)
    # the address keeps the choice: opened again, the page shows the same rows
    again = open_page(browser, today=BUILT_ON)
    again.goto(page.url)
    expect(again.locator(".listing-count")).to_have_text(re.compile(f"共 {len(expected)} 项$"))
    assert cell_texts(again, "deadline") == shown
    assert again.locator("select[name=responsible]").input_value() == "coking-union"
    assert page.problems == [] and again.problems == []
    page.context.close()
    again.context.close()


def test_the_script_draws_the_rows_as_the_page_does(served, browser):
    static = open_page(browser, script=False)
    static.goto(served["base"] + "/tracker/")
    drawn = open_page(browser, today=BUILT_ON)  # on the build date the two agree on what is overdue
    drawn.goto(served["base"] + "/tracker/?sort=deadline")  # drawn from the JSON
    drawn.wait_for_function("document.querySelector('.listing').classList.contains('is-live')")
    assert drawn.locator("article tbody tr").count() == PAGE_SIZE
    static_rows = static.locator("article tbody tr").evaluate_all("rows => rows.map(r => r.outerHTML)")
    drawn_rows = drawn.locator("article tbody tr").evaluate_all("rows => rows.map(r => r.outerHTML)")
    assert drawn_rows == static_rows
    static.context.close()
    drawn.context.close()


def test_overdue_is_decided_by_the_readers_date_not_the_build_date(served, browser):
    data = served["data"]
    for today in ("2021-07-01", "2023-03-15", "2025-01-01"):
        page = open_page(browser, today=today)
        page.goto(served["base"] + "/tracker/")
        assert today in page.locator(".overdue-as-of").inner_text()
        page.locator("input[name=overdue]").check()
        expected = [r for r in data["rows"] if r[5] and r[5] < today]
        shown = re.compile(f"共 {len(expected)} 项$") if expected else "暂无。"
        expect(page.locator(".listing-count")).to_have_text(shown)
        # a row's own badge follows the same date
        page.locator("input[name=overdue]").uncheck()
        expect(page.locator(".listing-count")).to_have_text(re.compile(f"共 {len(data['rows'])} 项$"))
        first = page.locator("article tbody tr").first
        due = data["rows"][0][5]
        assert first.locator("td.col-state").inner_text() == ("逾期" if due < today else "进行中")
        assert page.problems == []
        page.context.close()


@pytest.mark.parametrize("path", ["/tracker/", "/years/2022/", "/directory/coking-union/"])
def test_on_a_phone_rows_stack_and_nothing_hides_sideways(served, browser, path):
    page = open_page(browser, width=375)
    page.goto(served["base"] + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    row = page.locator("article tbody tr").first
    for column in ("col-state", "col-status", "col-responsible"):
        found = row.locator(f"td.{column}")
        if found.count():
            box = found.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375
            label = found.evaluate("td => getComputedStyle(td, '::before').content")
            assert found.get_attribute("data-label") in label
    page.context.close()
