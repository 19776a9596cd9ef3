"""The site shows what each kept edition changed, in Chromium, on screen and in print."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import chromium, need_chromium, serving
from conftest import ORGANIZATIONS, PEOPLE, add_site, circular_yaml, run, write
from lxml import etree, html

from generator.docx.package import read_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PAGE = "site/circulars/panzhihua-2024-07/index.html"


def _edited(text: str) -> str:
    return (
        text.replace("驻点干部到位后要迅速深入职工群众。", "驻点干部到位后要在一周内深入基层职工群众。")
        .replace("2024-09-30", "2024-10-31")
        .rstrip("\n")
        + "\nchanges:\n  - {date: 2024-05-06, note: 更正完成时限}\n"
    )


def _project(tmp_path: Path, kept: bool) -> Path:
    write(tmp_path, "circulars/organizations.yaml", ORGANIZATIONS)
    write(tmp_path, "circulars/people.yaml", PEOPLE)
    original = circular_yaml()
    write(tmp_path, "circulars/2024/panzhihua-2024-07.yaml", _edited(original))
    if kept:
        write(tmp_path, "editions/panzhihua-2024-07/2024-04-18.yaml", original)
    return add_site(tmp_path)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = _project(tmp_path_factory.mktemp("redline-site"), kept=True)
    result = run(root, "build", "-o", str(root / "out"))
    assert result.exit_code == 0, result.output
    return root / "out"


def test_the_page_shows_the_changes_and_links_the_redline(site):
    page = html.fromstring((site / PAGE).read_text(encoding="utf-8"))
    section = page.get_element_by_id("edition-changes").getparent()
    assert "edition-changes" in section.get("class")
    deleted = [d.text_content() for d in section.iter("del")]
    inserted = [i.text_content() for i in section.iter("ins")]
    assert deleted == ["［删除：迅速深入］", "［删除：9月30］"]
    assert inserted == ["［插入：在一周内深入基层］", "［插入：10月31］"]
    assert "更正完成时限" in section.text_content()
    link = section.cssselect("a.redline-download")[0]
    redline = site / "site/circulars/panzhihua-2024-07" / link.get("href")
    document = etree.fromstring(read_parts(redline)["word/document.xml"])
    assert "在一周内深入基层" in "".join(document.xpath("//w:ins//w:t/text()", namespaces={"w": W}))


def test_a_circular_without_kept_editions_shows_nothing_more(tmp_path):
    root = _project(tmp_path, kept=False)
    result = run(root, "build", "-o", str(root / "out"))
    assert result.exit_code == 0, result.output
    text = (root / "out" / PAGE).read_text(encoding="utf-8")
    assert "edition-changes" not in text and "<ins>" not in text
    assert not list((root / "out/site/circulars/panzhihua-2024-07").glob("*changes*"))


def test_in_chromium_on_screen_and_in_print(site):
    need_chromium()
    with serving(site / "site") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/circulars/panzhihua-2024-07/")
        changes = page.locator(".edition-changes")
        assert changes.is_visible()
        ins, deleted = changes.locator("ins").first, changes.locator("del").first
        assert "underline" in ins.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
        label = ins.locator(".change-label").first
        assert label.bounding_box()["width"] <= 1  # for screen readers only, on screen
        assert "［插入：" in ins.text_content()
        page.emulate_media(media="print")
        assert changes.is_visible()
        assert "underline" in ins.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert label.bounding_box()["width"] > 5  # printed: the words say what changed
        assert not changes.locator("a.redline-download").is_visible()
        assert not page.locator(".document-info").is_visible()


def test_keep_edition_keeps_each_text_once_and_never_overwrites(tmp_path):
    root = _project(tmp_path, kept=False)
    source = root / "circulars/2024/panzhihua-2024-07.yaml"
    first = run(root, "keep-edition", "panzhihua-2024-07")
    assert first.exit_code == 0, first.output
    kept = root / "editions/panzhihua-2024-07/2024-05-06.yaml"  # the date of its last change
    assert first.stdout.strip() == "editions/panzhihua-2024-07/2024-05-06.yaml"
    assert kept.read_bytes() == source.read_bytes()
    again = run(root, "keep-edition", "panzhihua-2024-07")
    assert again.exit_code == 0 and "already kept" in again.stdout
    source.write_text(source.read_text(encoding="utf-8").replace("职工群众", "广大职工"), encoding="utf-8")
    third = run(root, "keep-edition", "panzhihua-2024-07")
    assert third.stdout.strip() == "editions/panzhihua-2024-07/2024-05-06-2.yaml"
    assert kept.read_bytes() != source.read_bytes()  # the first text is still there
    unknown = run(root, "keep-edition", "no-such-circular")
    assert unknown.exit_code == 2 and "no circular 'no-such-circular'" in unknown.output


def test_a_broken_kept_edition_is_a_warning_not_a_failure(tmp_path):
    root = _project(tmp_path, kept=True)
    write(root, "editions/panzhihua-2024-07/2024-04-20.yaml", "id: panzhihua-2024-07\nstatus: [\n")
    result = run(root, "build", "-o", str(root / "out"))
    assert result.exit_code == 0, result.output
    assert "editions/panzhihua-2024-07/2024-04-20.yaml" in result.output
    assert "Traceback" not in result.output
    page = (root / "out" / PAGE).read_text(encoding="utf-8")
    assert "edition-changes" in page  # the edition kept that reads is still compared


def test_a_build_never_replaces_the_kept_editions(tmp_path):
    root = _project(tmp_path, kept=True)
    kept = root / "editions/panzhihua-2024-07/2024-04-18.yaml"
    before = kept.read_bytes()
    result = run(root, "build", "-o", "editions")
    assert result.exit_code != 0 and "editions/" in result.output
    assert kept.read_bytes() == before


def test_an_edition_kept_after_a_build_is_shown_by_the_next(tmp_path):
    """The site reads editions/: an edition kept after a build (by distribute or
    keep-edition, nothing else changed) is a change the next build sees, not "up to date"."""
    root = _project(tmp_path, kept=False)
    assert run(root, "build").exit_code == 0
    assert "edition-changes" not in (root / "build" / PAGE).read_text(encoding="utf-8")
    write(root, "editions/panzhihua-2024-07/2024-04-18.yaml", circular_yaml())
    result = run(root, "build")
    assert result.exit_code == 0, result.output
    assert "Nothing the site is built from has changed" not in result.output
    assert "edition-changes" in (root / "build" / PAGE).read_text(encoding="utf-8")
