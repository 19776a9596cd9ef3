"""The site at its edges, each written for a planted bug that survived the suite (issue 25):
answers in a circular and its translation (the later one wins, whichever language it
came in), a rate of 2 in 3, a target's own deadline, and a tag with a quote in the feed."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import ORGANIZATIONS, PEOPLE, add_site, circular_yaml, run, write
from lxml import html

from generator.distribution.returns.importing import import_returns
from generator.source.loading import load_project

CIRCULAR = "panzhihua-2024-07"
PARK = "geliping-park"
TODAY = "2024-06-25"
TAG = '他说"好"'
REQUIREMENTS = [
    {"key": "找准问题", "text": "一要。", "responsible": [PARK], "deadline": "2024-09-30"},
    {"key": "抓住关键", "text": "二要。", "responsible": [PARK], "deadline": "2024-09-30"},
    {
        "key": "解决问题",
        "text": "三要。",
        "responsible": [PARK],
        "deadline": "2024-12-31",
        "targets": [{"metric": "建会率", "value": "＞90%", "deadline": "2024-06-30"}],
    },
]


def answer(folder: Path, name: str, circular: str, requirement: int, status: str, target: int | None = None):
    aimed = f", target: {target}" if target else ""
    return write(
        folder,
        f"{name}.yaml",
        f"circular: {circular}\norganization: {PARK}\nwho: 张三\n"
        f"answers:\n  - {{requirement: {requirement}{aimed}, status: {status}, date: 2024-06-20}}\n",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A circular and its English translation, the park's answers recorded in both, built."""
    root = tmp_path_factory.mktemp("gaps-site")
    write(root, "circulars/organizations.yaml", ORGANIZATIONS)
    write(root, "circulars/people.yaml", PEOPLE)
    data = yaml.safe_load(circular_yaml())
    data.update(requirements=REQUIREMENTS, tags=[TAG, "A&B"])
    write(root, f"circulars/2024/{CIRCULAR}.yaml", yaml.safe_dump(data, allow_unicode=True))
    english = dict(
        data, id=f"{CIRCULAR}-en", language="en", translation_of=CIRCULAR, title="On the Four Musts"
    )
    english.update(
        tags=[], requirements=[dict(r, key=None, text=f"Point {n}.") for n, r in enumerate(REQUIREMENTS, 1)]
    )
    english["requirements"] = [{k: v for k, v in r.items() if v is not None} for r in english["requirements"]]
    write(root, f"circulars/2024/{CIRCULAR}-en.yaml", yaml.safe_dump(english, allow_unicode=True))
    add_site(root)
    inbox = root / "inbox"
    # item 1: in progress in Chinese, then done in English; item 2 the other way round;
    # 3.1 done: the later answer stands whichever language it came in, 2 of 3 done
    steps = [
        (answer(inbox, "zh-1", CIRCULAR, 1, "进行中"), 9),
        (answer(inbox, "en-1", f"{CIRCULAR}-en", 1, "done"), 10),
        (answer(inbox, "en-2", f"{CIRCULAR}-en", 2, "done"), 11),
        (answer(inbox, "zh-2", CIRCULAR, 2, "进行中"), 12),
        (answer(inbox, "zh-3", CIRCULAR, 3, "已完成", target=1), 13),
    ]
    for path, hour in steps:
        project = load_project(root)
        at = datetime.datetime(2024, 6, 24, hour, tzinfo=datetime.UTC)
        (outcome,) = import_returns(project, [(path, path.name)], datetime.date(2024, 6, 25), now=at)
        assert outcome.record is not None, outcome
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRCULARS_TODAY", TODAY)
        result = run(root, "build")
    assert result.exit_code == 0, result.output
    return root / "build/site"


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path / "index.html").read_text(encoding="utf-8"))


def text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).replace("¶", "").strip()


def tracker_rows(site: Path) -> dict[str, dict[str, str]]:
    rows = page(site, "tracker").cssselect("article table.listing-table tbody tr")
    found = {}
    for row in rows:
        cells = {td.get("class").split()[0].removeprefix("col-"): text(td) for td in row.cssselect("td")}
        found[cells["requirement"]] = cells
    return found


# Catches the older answer winning across a circular and its translation.
def test_the_later_answer_wins_across_a_translation(site):
    rows = tracker_rows(site)
    assert sorted(rows) == ["1. 找准问题", "2. 抓住关键", "3. 解决问题"]  # each requirement once
    assert rows["1. 找准问题"]["state"] == "已完成"
    assert "格里坪特色产业园区工会联合会 已完成" in rows["1. 找准问题"]["returns"]
    assert rows["2. 抓住关键"]["state"] != "已完成"
    assert "格里坪特色产业园区工会联合会 进行中" in rows["2. 抓住关键"]["returns"]


# Catches the tracker's rate truncated: 2 of 3 items done is 67 %.
def test_the_trackers_completion_rate_is_rounded(site):
    rows = tracker_rows(site)
    assert all("完成率 67%" in row["circular"] for row in rows.values()), rows
    park = text(page(site, f"directory/{PARK}").cssselect("article p")[0])
    assert "完成率 67%" in park


# Catches a target's own deadline replaced by its requirement's, in the tracker.
def test_the_tracker_shows_a_targets_own_deadline(site):
    rows = tracker_rows(site)
    assert rows["3. 解决问题"]["deadline"] == "2024-06-30"
    assert rows["1. 找准问题"]["deadline"] == "2024-09-30"


# Catches `"` left unescaped in the feed: a tag with a quote is a category, as typed.
def test_a_tag_with_a_quote_in_the_feed(site):
    feed = ET.parse(site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(e for e in feed.iter(f"{atom}entry") if "四个要" in e.find(f"{atom}title").text)
    assert [c.get("term") for c in entry.iter(f"{atom}category")] == [TAG, "A&B"]
