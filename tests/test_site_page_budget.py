"""No page of the site grows with the number of circulars beyond what 1,000 circulars allow
(issue 24: every page at most 300 KB at 1,000).

Two sites are built of synthetic circulars, N and 2N, with the listings cut into pages of
10 rows instead of 100 (the page-size threshold scaled, so that small sites fill their
pages). Then:
- a page in both sites is the same size in both, give or take the digits of the numbers:
  the listings are paginated, and nothing else lists every circular; except
- a tag's page, which lists every circular with its tag: its bytes per circular, measured
  between the two sites, leave room for a tag on all 1,000;
- a listing's page of 10 rows, its rows and form made ten times as long (what 100 rows
  would add to the smallest page of the site), stays within the budget.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, run
from lxml import html

import generator.site.listing as listing

BUDGET = 300_000  # bytes, at 1,000 circulars
AT = 1000
N = 40
SCALED_PAGE_SIZE = 10
TAGS = ["grassroots", "stationing", "reform", "rights", "training", "funding"]
ISSUERS = ["sichuan-ftu", "panzhihua-ftu", "fujian-ftu", "chemchina-union", "acftu"]


def circular(index: int, number: int) -> str:
    zh = index % 2 == 0
    issuer = ISSUERS[index % len(ISSUERS)]
    year = 2019 + index % 5
    title = (
        f"关于做好第{index}号基层工作的通知" if zh else f"Notice No. {index} on the Work at the Grassroots"
    )
    text = "各级工会要深入贯彻落实工作要求。" if zh else "Trade unions shall put the workers first."
    requirements = "".join(
        f"  - key: {'要求' if zh else 'point'} {n}\n    text: {text}\n    deadline: {year}-12-31\n"
        f"    responsible: [{issuer}]\n"
        for n in range(1, 5)
    )
    tags = [TAGS[index % len(TAGS)], TAGS[(index + 1 + index // len(TAGS)) % len(TAGS)]]
    if index % 3 == 0:
        tags.append("every")  # a tag on every third circular
    return (
        f"id: budget-{index:04d}\nkind: notice\nlanguage: {'zh' if zh else 'en'}\nstatus: issued\n"
        f"title: {title}\nissuer: {issuer}\nnumber: {number}\n"
        f"date: {year}-{1 + index % 12:02d}-{1 + index % 27:02d}\n"
        f"to:\n  - {{children_of: {issuer}}}\nbackground: {text}\nrequirements:\n{requirements}"
        f"tags: [{', '.join(dict.fromkeys(tags))}]\n"
    )


def build_site(root: Path, n: int) -> Path:
    (root / "circulars").mkdir(parents=True)
    shutil.copy(REPO / "circulars/organizations.yaml", root / "circulars")
    shutil.copy(REPO / "circulars/people.yaml", root / "circulars")
    shutil.copytree(REPO / "site", root / "site")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - circulars\n", "  - circulars:\n      pdf: false\n"))
    numbers: dict[tuple[int, int], int] = {}
    for index in range(n):
        key = (index % len(ISSUERS), index % 5)
        numbers[key] = numbers.get(key, 0) + 1
        folder = root / "circulars" / str(2019 + index % 5)
        folder.mkdir(exist_ok=True)
        (folder / f"budget-{index:04d}.yaml").write_text(circular(index, numbers[key]), encoding="utf-8")
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root / "build/site"


def sizes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}


def rows(page: Path) -> int:
    return len(html.fromstring(page.read_bytes()).cssselect("table.listing-table tbody tr"))


def listed(page: Path) -> int:
    return len(html.fromstring(page.read_bytes()).cssselect("article li a"))


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", "2024-06-01")
        patch.setattr(listing, "PAGE_SIZE", SCALED_PAGE_SIZE)
        small = build_site(tmp_path_factory.mktemp("budget-small"), N)
        large = build_site(tmp_path_factory.mktemp("budget-large"), 2 * N)
    return small, large


def is_tag_page(path: str) -> bool:
    return path.startswith("tags/") and path != "tags/index.html"


def test_no_page_but_a_tags_grows_with_the_circulars(sites):
    small, large = (sizes(site) for site in sites)
    # a listing's last page fills up as circulars come: compared are pages of as many rows
    both = [
        p
        for p in small.keys() & large.keys()
        if not is_tag_page(p) and rows(sites[0] / p) == rows(sites[1] / p)
    ]
    assert "tracker/index.html" in both and "tags/index.html" in both and len(both) > 80
    grown = {p: (small[p], large[p]) for p in both if large[p] > small[p] * 1.03 + 200}
    assert grown == {}


def test_a_tag_on_every_circular_fits_the_budget(sites):
    small_site, large_site = sites
    small, large = sizes(small_site), sizes(large_site)
    tag_pages = [p for p in small.keys() & large.keys() if is_tag_page(p)]
    assert len(tag_pages) == len(TAGS) + 1
    for path in tag_pages:
        rows = listed(small_site / path), listed(large_site / path)
        assert rows[1] > rows[0] > 0, path
        per_circular = (large[path] - small[path]) / (rows[1] - rows[0])
        assert per_circular > 0 and large[path] + per_circular * (AT - rows[1]) <= BUDGET, path


def test_a_full_listing_page_fits_the_budget(sites):
    """A listing's page at 100 rows: at most the smallest page plus ten times what a page of
    10 rows adds to it (its rows, and its form, counted ten times over)."""
    _small, large_site = sites
    large = sizes(large_site)
    chrome = min(large.values())
    full = [p for p in large if rows(large_site / p) == SCALED_PAGE_SIZE]
    assert {"tracker/index.html", "tracker/page-2/index.html"} <= set(full)
    for path in full:
        at_full_size = chrome + (large[path] - chrome) * (100 // SCALED_PAGE_SIZE)
        assert at_full_size <= BUDGET, (path, at_full_size)
