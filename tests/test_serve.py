"""`circulars serve` rebuilds what a change shows, and what it serves is what a
full build of the same sources would be.

Each test builds a copy of the shipped examples the way serve does (LiveBuild:
the first build, then one rebuild per change), changes a source, rebuilds, and
compares every file of the served folder with a build from scratch of the
same sources; and checks that the rebuild left alone what the change does not
show. The last test runs the real command and reads the page over HTTP.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, free_port, run

from generator.site.build import LiveBuild
from generator.site.live import NEXT_BUNDLE
from generator.site.search import BUNDLE_DIR, characters_apart
from generator.source.loading import ReadCache, load_project

CHANGED = "circulars/2024/panzhihua-2024-07.yaml"
OTHER_PAGE = "circulars/chemchina-2012-03/index.html"
ADDRESS = "127.0.0.1:8123"  # in the site's URLs only: nothing listens


@pytest.fixture
def example(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the shipped examples, its site without PDFs (LibreOffice is not what is tested)."""
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")
    root = tmp_path / "project"
    for folder in ("circulars", "site"):
        shutil.copytree(REPO / folder, root / folder)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - circulars\n" in config
    config = config.replace("  - circulars\n", "  - circulars:\n      pdf: false\n")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


@pytest.fixture
def served(example: Path, tmp_path: Path):
    """The example built as serve builds it, into tmp_path/served."""
    builds = LiveBuild(example, tmp_path / "served", drafts=False, dev_addr=ADDRESS)
    builds.build(builds.config)
    yield builds
    builds.close()


def outputs(site: Path) -> dict[str, bytes]:
    """Every file of a built site but the search index, which serve brings up to date
    after the rebuild, and the marker of a built folder."""
    found = {}
    for path in site.rglob("*"):
        relative = path.relative_to(site).as_posix()
        if path.is_file() and not relative.startswith((BUNDLE_DIR + "/", NEXT_BUNDLE, ".circulars-site")):
            found[relative] = path.read_bytes()
    return found


def same_as_full_build(served: LiveBuild, example: Path, tmp_path: Path) -> None:
    served.live.settle()
    served_site = served.site_dir
    fresh = LiveBuild(example, tmp_path / "fresh", drafts=False, dev_addr=ADDRESS)
    try:
        fresh.build(fresh.config)
        fresh.live.settle()
    finally:
        fresh.close()
    assert served.live.searched == fresh.live.searched  # what the search indexes, page by page
    served_files, fresh_files = outputs(served_site), outputs(tmp_path / "fresh")
    assert sorted(served_files) == sorted(fresh_files)
    different = [name for name in fresh_files if served_files[name] != fresh_files[name]]
    if "tags.json" in different:  # Material lists the pages in the order it read them
        different.remove("tags.json")
        assert tag_mappings(served_files["tags.json"]) == tag_mappings(fresh_files["tags.json"])
    assert different == []


def tag_mappings(data: bytes) -> list[str]:
    return sorted(json.dumps(mapping, sort_keys=True) for mapping in json.loads(data)["mappings"])


def stamp(site: Path, relative: str) -> tuple[int, int]:
    stat = (site / relative).stat()
    return stat.st_ino, stat.st_mtime_ns


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_text_rebuilds_its_page_and_nothing_it_does_not_show(served, example, tmp_path):
    site = tmp_path / "served"
    other = stamp(site, OTHER_PAGE)
    edit(example, CHANGED, "驻点干部到位后", "驻点干部报到后")
    served.build()
    page = (site / "circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    assert "驻点干部报到后" in page
    assert stamp(site, OTHER_PAGE) == other  # not written again
    assert not served.live.full
    searched = served.live.searched["circulars/panzhihua-2024-07/index.html"]
    assert characters_apart("驻点干部报到后") in searched.content  # the search indexes the new text
    same_as_full_build(served, example, tmp_path)


def test_a_changed_title_reaches_every_listing_and_the_tags(served, example, tmp_path):
    edit(example, CHANGED, "title: 关于驻点干部", "title: 关于改过标题的驻点干部")
    served.build()
    site = tmp_path / "served"
    for listing in (
        "index.html",
        "years/2024/index.html",
        "kinds/notice/index.html",
        "feed.xml",
        "tags/驻点-13cc3a07/index.html",  # its tag's page (Material's listing of that tag)
    ):
        assert "关于改过标题的驻点干部" in (site / listing).read_text(encoding="utf-8"), listing
    assert not served.live.full
    same_as_full_build(served, example, tmp_path)


def test_changed_tags_and_status(served, example, tmp_path):
    edit(example, CHANGED, "tags:\n", "tags:\n  - 新标签\n")
    edit(example, CHANGED, "status: issued", "status: repealed")
    served.build()
    same_as_full_build(served, example, tmp_path)


def test_a_changed_title_reaches_the_page_of_the_circular_it_supersedes(served, example, tmp_path):
    edit(example, "circulars/2024/sichuan-2024-12.yaml", "title: 关于", "title: 关于改题")
    served.build()
    superseded = tmp_path / "served/circulars/sichuan-2022-05/index.html"
    assert "关于改题" in superseded.read_text(encoding="utf-8")
    same_as_full_build(served, example, tmp_path)


def test_a_changed_registry_or_template(served, example, tmp_path):
    edit(example, "circulars/organizations.yaml", "攀枝花市总工会}", "攀枝花市总工会（改）}")
    served.build()
    same_as_full_build(served, example, tmp_path)
    notice = (REPO / "templates" / "notice.md.j2").read_text(encoding="utf-8")
    (example / "templates").mkdir()
    (example / "templates" / "notice.md.j2").write_text(
        notice.replace('t("", "特此通知。")', 't("So noticed.", "特此通知！")'), encoding="utf-8"
    )
    served.build()
    assert "特此通知！" in (tmp_path / "served/circulars/panzhihua-2024-07/index.html").read_text("utf-8")
    same_as_full_build(served, example, tmp_path)


def test_a_changed_reference_document_changes_only_what_the_pages_offer(served, example, tmp_path):
    """The Markdown stays, the Word documents change: their pages offer new sizes and SHA-256."""
    page = tmp_path / "served/circulars/panzhihua-2024-07/index.html"
    before = page.read_text(encoding="utf-8")
    reference = (REPO / "templates" / "gbt9704.docx").read_bytes()
    (example / "templates").mkdir()
    (example / "templates" / "gbt9704.docx").write_bytes(restyled(reference))
    served.build()
    assert page.read_text(encoding="utf-8") != before
    same_as_full_build(served, example, tmp_path)


def restyled(reference: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(reference)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":
                data = data.replace(b'w:val="FF0000"', b'w:val="C00000"')
            target.writestr(info, data)
    return out.getvalue()


def test_a_return_recorded(served, example, tmp_path):
    answer = example / "phoned-in.yaml"
    answer.write_text(
        "circular: panzhihua-2024-07\norganization: geliping-park-federation\nwho: 王五\n"
        "answers:\n  - {requirement: 2, target: 1, status: 进行中, value: 85%, date: 2024-05-20}\n",
        encoding="utf-8",
    )
    assert run(example, "returns", "import", str(answer)).exit_code == 0
    served.build()
    assert "85%" in (tmp_path / "served/tracker/index.html").read_text(encoding="utf-8")
    same_as_full_build(served, example, tmp_path)


def test_a_circular_added_then_removed(served, example, tmp_path):
    copy = (example / CHANGED).read_text(encoding="utf-8")
    copy = copy.replace("id: panzhihua-2024-07", "id: panzhihua-2024-08").replace("number: 7", "number: 8")
    added = example / "circulars/2024/panzhihua-2024-08.yaml"
    added.write_text(copy, encoding="utf-8")
    served.build()
    assert served.live.full  # another page: every page's navigation may change
    assert (tmp_path / "served/circulars/panzhihua-2024-08/index.html").is_file()
    same_as_full_build(served, example, tmp_path)
    added.unlink()
    served.build()
    assert not (tmp_path / "served/circulars/panzhihua-2024-08").exists()
    same_as_full_build(served, example, tmp_path)


def test_a_failed_rebuild_then_a_good_one(served, example, tmp_path):
    edit(example, CHANGED, "date: 2024-04-18", "date: 2024-02-30")
    with pytest.raises(SystemExit):  # MkDocs' Abort: serve prints it and waits
        served.build()
    edit(example, CHANGED, "date: 2024-02-30", "date: 2024-04-19")
    served.build()
    same_as_full_build(served, example, tmp_path)


def test_a_changed_document_is_offered_as_pdf_once_made(tmp_path, monkeypatch):
    """Serving, LibreOffice makes the PDF of a changed document after the rebuild; the
    rebuild that follows (its PDF in the watched cache) offers it."""
    if shutil.which("soffice") is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail("LibreOffice is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip("LibreOffice is not installed")
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")
    monkeypatch.setenv("CIRCULARS_PDF_CACHE", str(tmp_path / "pdf-cache"))
    root = tmp_path / "project"
    shutil.copytree(REPO / "site", root / "site")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for name in (
        "organizations.yaml",
        "people.yaml",
        "2012/chemchina-2012-03.yaml",
        CHANGED.removeprefix("circulars/"),
    ):
        (root / "circulars" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "circulars" / name, root / "circulars" / name)
    shutil.copytree(REPO / "circulars/2024/attachments", root / "circulars/2024/attachments")
    served = LiveBuild(root, tmp_path / "served", drafts=False, dev_addr=ADDRESS)
    page = tmp_path / "served/circulars/panzhihua-2024-07/index.html"
    try:
        served.build(served.config)
        assert "download-pdf" not in page.read_text(encoding="utf-8")  # none made yet
        served.live.settle()
        served.build()
        assert "download-pdf" in page.read_text(encoding="utf-8")
        edit(root, CHANGED, "驻点干部到位后", "驻点干部报到后")
        served.build()
        assert "download-pdf" not in page.read_text(encoding="utf-8")  # not this document's
        served.live.settle()
        served.build()
        assert "download-pdf" in page.read_text(encoding="utf-8")
        same_as_full_build(served, root, tmp_path)
        # back to the first text: its PDF, made earlier, is older than the one served now
        edit(root, CHANGED, "驻点干部报到后", "驻点干部到位后")
        served.build()
        same_as_full_build(served, root, tmp_path)
    finally:
        served.close()


def test_the_read_cache_reads_again_only_the_files_that_changed(example):
    cache = ReadCache()
    first = load_project(example, cache=cache)
    edit(example, CHANGED, "驻点干部到位后", "驻点干部报到后")
    second = load_project(example, cache=cache)
    assert second.source("chemchina-2012-03").circular is first.source("chemchina-2012-03").circular
    changed = second.source("panzhihua-2024-07").circular
    assert changed is not first.source("panzhihua-2024-07").circular
    assert "驻点干部报到后" in changed.requirements[0].text
    assert [d.format() for d in second.diagnostics.sorted()] == [
        d.format() for d in first.diagnostics.sorted()
    ]
    edit(example, CHANGED, "date: 2024-04-18", "date: 2024-02-30")
    broken = load_project(example, cache=cache)
    assert broken.source("panzhihua-2024-07") is None
    assert any("2024-02-30" in d.message for d in broken.diagnostics.errors)
    again = load_project(example, cache=cache)  # the same error, from the cache
    assert [d.format() for d in again.diagnostics.errors] == [d.format() for d in broken.diagnostics.errors]
    assert "panzhihua-2024-07" in again.invalid_ids


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, process: subprocess.Popen, limit: float = 300) -> str:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        assert process.poll() is None, "circulars serve stopped"
        try:
            page = fetch(url)
        except OSError:
            page = ""
        if text in page:
            return page
        time.sleep(0.1)
    raise AssertionError(f"{url} never showed {text!r}")


def test_serve_shows_a_saved_change(example):
    port = free_port()
    command = [sys.executable, "-m", "generator", "-C", str(example), "serve", "-a", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = f"http://127.0.0.1:{port}/circulars/panzhihua-2024-07/"
        wait_for(page, "驻点干部到位后", process)
        edit(example, CHANGED, "驻点干部到位后", "驻点干部报到后")
        shown = wait_for(page, "驻点干部报到后", process)
        assert "驻点干部到位后" not in shown
        edit(example, CHANGED, "title: 关于驻点干部", "title: 关于改过标题的驻点干部")
        wait_for(f"http://127.0.0.1:{port}/years/2024/", "关于改过标题的驻点干部", process)
    finally:
        process.terminate()
        process.wait(timeout=60)
