"""The tracker's completion rate in a real headless Chromium: it follows the filter, and
1 of 40 done reads 3 %, as the page built without script says it."""

from __future__ import annotations

import pytest
from browsing import chromium, need_chromium, serving
from conftest import ORGANIZATIONS, PEOPLE, add_site, run, write
from lxml import html
from playwright.sync_api import expect
from test_site_listings import bulk_circular

from generator.source.returns import percent

BUILT_ON = "2024-06-01"
CIRCULARS = 10  # 40 requirements, half the coking union's, half the park's

# bulk-000's first requirement is the coking union's: its one answer, done
RECORD = """\
circular: bulk-000
organization: coking-union
requirements:
  - requirement: 1
    entries:
      - status: done
        value: 31
        source: coking.xlsx
        sha256: 0000000000000000000000000000000000000000000000000000000000000000
        recorded: '2024-05-01T08:00:00+00:00'
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    need_chromium()
    root = tmp_path_factory.mktemp("rate")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    for i in range(CIRCULARS):
        write(root, f"circulars/{2021 + i % 4}/bulk-{i:03d}.yaml", bulk_circular(i))
    write(root, "returns/bulk-000/coking-union.yaml", RECORD)
    add_site(root)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - circulars\n", "  - circulars:\n      pdf: false\n"),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", BUILT_ON)
        built = run(root, "build")
    assert built.exit_code == 0, built.output
    site = root / "build/site"
    with serving(site) as base, chromium() as browser:
        yield {"base": base, "site": site, "browser": browser}


def test_one_of_forty_is_three_percent_on_the_built_page(served):
    page = html.fromstring((served["site"] / "tracker/index.html").read_text(encoding="utf-8"))
    assert page.cssselect("p.completion")[0].text_content() == "完成率 3%"


def test_the_rate_follows_the_filter(served):
    context = served["browser"].new_context()
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(served["base"] + "/tracker/")
    rate, form = page.locator("p.completion"), page.locator("form.listing-filter")
    expect(rate).to_have_text("完成率 3%")
    form.locator("select[name=responsible]").select_option("coking-union")
    expect(rate).to_have_text("完成率 5%")  # 1 of its 20
    form.locator("select[name=responsible]").select_option("geliping-park")
    expect(rate).to_have_text("完成率 0%")
    form.locator("select[name=responsible]").select_option("")
    form.locator("select[name=year]").select_option("2021")
    expect(rate).to_have_text("完成率 8%")  # 1 of the 12 requirements of 2021's three circulars
    form.locator("select[name=year]").select_option("2022")
    expect(rate).to_have_text("完成率 0%")
    # the address keeps the filter: opened again, the rate is the filtered one at once
    again = context.new_page()
    again.goto(served["base"] + "/tracker/?year=2021")
    expect(again.locator("p.completion")).to_have_text("完成率 8%")
    assert problems == []
    context.close()


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [
        (0, 40, "0"),
        (1, 40, "3"),
        (1, 200, "<1"),
        (199, 200, ">99"),
        (40, 40, "100"),
        (1, 8, "13"),
        (0, 0, None),
    ],
)
def test_a_rate_rounds_half_up_and_never_to_none_or_all(done, total, shown):
    assert percent(done, total) == shown
