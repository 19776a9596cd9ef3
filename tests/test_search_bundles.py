"""Issue 24: a language of many pages is searched in several Pagefind bundles (zh, zh-2,
…), so that an edit re-indexes only the bundle holding its page. Here the shipped
examples split into bundles of four pages: an edit keeps the other bundles as they
were, the site is byte for byte what a build from scratch makes, and in Debian's
Chromium the split site finds what the one-bundle example site finds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browsing import chromium, need_chromium, serving
from conftest import copy_examples, run
from test_site_build_unchanged import identities, same_as_from_scratch
from test_site_search import PREFIX, ZH_PAGE, circulars, search

from generator.site import search as site_search

SPLIT = 4  # pages per bundle


@pytest.fixture
def split(monkeypatch):
    monkeypatch.setattr(site_search, "BUNDLE_PAGES", SPLIT)
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")


@pytest.fixture
def examples(tmp_path: Path, split) -> Path:
    """A copy of the shipped examples, built with bundles of four pages."""
    project = copy_examples(tmp_path / "project")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    return project


def bundles(site: Path) -> list[str]:
    return json.loads((site / "pagefind/languages.json").read_text(encoding="utf-8"))


def test_an_edit_reindexes_the_bundle_of_its_page_only(examples, tmp_path):
    site = examples / "build/site"
    names = bundles(site)
    assert names[0] == "zh" and "zh-2" in names and "en" in names and "en-2" in names
    before = identities(site)
    source = examples / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("深入职工群众", "深入一线职工群众", 1), encoding="utf-8")
    result = run(examples, "build")
    assert result.exit_code == 0, result.output
    after = identities(site)
    written = {
        path.split("/")[1]
        for path in after
        if path.startswith("pagefind/") and after[path] != before.get(path)
    }
    # the edited page's bundle, and the list of bundles and their stamps beside them
    assert len(written - {"languages.json", *(f"{name}.input" for name in names)}) == 1
    [again] = written & set(names)
    assert again.startswith("zh")
    same_as_from_scratch(examples, tmp_path)


def test_the_split_site_finds_what_one_bundle_finds(examples, example_site, tmp_path):
    need_chromium()
    split_root, whole_root = tmp_path / "split", tmp_path / "whole"
    shutil.copytree(examples / "build/site", split_root / PREFIX.strip("/"))
    shutil.copytree(example_site / "site", whole_root / PREFIX.strip("/"))
    with chromium() as browser, serving(split_root) as split_base, serving(whole_root) as whole_base:
        page = browser.new_context().new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        status = page.locator(".circulars-search__status")
        # Chinese is looked up as phrases of characters; English words in the Chinese
        # bundles are not compared: Pagefind splits a query for a Chinese index by the
        # words that index holds, so they match by bundle (in one bundle, "stationed
        # cadres" finds one of the three Chinese pages holding both words)
        for query in ("驻点干部", "格里坪", "攀工发〔2024〕7号"):  # fewer than a page of results
            found = circulars(search(page, f"{split_base}{PREFIX}{ZH_PAGE}", query))
            expected = circulars(search(page, f"{whole_base}{PREFIX}{ZH_PAGE}", query))
            assert found and sorted(found) == sorted(expected), query
        english = circulars(search(page, f"{split_base}{PREFIX}{ZH_PAGE}", "stationed"))
        assert {"panzhihua-2024-07-en", "sichuan-2024-12-en", "fujian-2023-28-en"} <= set(english)
        search(page, f"{split_base}{PREFIX}{ZH_PAGE}", "职工")  # many: ranked by each bundle's counts
        count = status.inner_text()
        search(page, f"{whole_base}{PREFIX}{ZH_PAGE}", "职工")
        assert count == status.inner_text() and "找到" in count
        assert problems == []
