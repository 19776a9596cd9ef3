"""The site is safe to publish: text from YAML is never markup, a build never destroys sources.

Driven as a user does: `circulars build` (and `mkdocs build`) on a project,
then the built files read as HTML, JSON and XML, and in Chromium.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browsing import chromium, need_chromium, serving
from conftest import add_site, run, site_folders_beside
from lxml import html

from generator.site.outputs import MARKER

HOSTILE_TAGS = [
    "zebra <img src=x onerror=alert(1)>",
    "<b>x</b><script>alert(2)</script>",
    "R&D &amp; <i>co</i>",
]
HOSTILE_TITLE = "</title><script>alert(3)</script><b>bold</b> & <img src=x onerror=alert(4)>"
HOSTILE_ORG = "攀枝花<img src=x onerror=alert(5)>总工会 <b>&amp;</b>"
HOSTILE_LABEL = "<script>alert(6)</script>各单位"
ATOM = "{http://www.w3.org/2005/Atom}"
CIRCULAR = "circulars/2024/panzhihua-2024-07.yaml"


def _yaml_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def make_hostile(project: Path) -> None:
    """Hostile tags, title, organization name and recipient label in the test project."""
    add_site(project)
    path = project / CIRCULAR
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 关于驻点干部做到“四个要”的通知", f"title: {_yaml_string(HOSTILE_TITLE)}")
    text = text.replace(
        "    deadline: 2024-09-30\n",
        "    deadline: 2024-09-30\n"
        f"    responsible: [{{children_of: geliping-park, label: {_yaml_string(HOSTILE_LABEL)}}}]\n",
    )
    text += "tags: [" + ", ".join(_yaml_string(t) for t in HOSTILE_TAGS) + "]\n"
    path.write_text(text, encoding="utf-8")
    registry = project / "circulars/organizations.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "zh: 攀枝花市总工会}", f"zh: {_yaml_string(HOSTILE_ORG)}}}"
        ),
        encoding="utf-8",
    )


def injected(fragment: html.HtmlElement) -> list[str]:
    """Elements that text from YAML would have made, had it been taken as markup."""
    found = [f"<img src={e.get('src')}>" for e in fragment.iter("img") if e.get("src") == "x"]
    found += [f"<script>{e.text}" for e in fragment.iter("script") if "alert(" in (e.text or "")]
    found += [f"<{e.tag}>{e.text_content()}" for e in fragment.iter("b", "i") if e.text_content()]
    return found


def visible(element) -> str:
    return " ".join(element.text_content().replace("¶", "").split())


@pytest.fixture
def hostile_site(project: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")
    make_hostile(project)
    result = run(project, "build", "--site-url", "https://circulars.example.org/")
    assert result.exit_code == 0, result.output
    return project / "build/site"


def test_hostile_text_is_never_markup_on_any_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        assert injected(html.fromstring(page.read_bytes())) == [], page


def test_circular_page_shows_hostile_tags_title_and_name_literally(hostile_site):
    doc = html.fromstring((hostile_site / "circulars/panzhihua-2024-07/index.html").read_bytes())
    assert sorted(visible(t) for t in doc.cssselect(".md-tag")) == sorted(HOSTILE_TAGS)
    assert visible(doc.cssselect("h1.title")[0]) == HOSTILE_TITLE
    assert doc.findtext(".//title").startswith(HOSTILE_TITLE + " - ")
    assert HOSTILE_ORG in visible(doc.cssselect(".circular-meta")[0])


def test_tags_index_shows_hostile_tags_literally(hostile_site):
    """The tags page links each tag, as text, to the tag's own page, which shows the tag
    as its heading and lists the circular by its title, as text."""
    doc = html.fromstring((hostile_site / "tags/index.html").read_bytes())
    links = doc.cssselect("article li a")
    assert sorted(visible(a) for a in links) == sorted(HOSTILE_TAGS)
    for a in links:
        tag_page = html.fromstring((hostile_site / "tags" / a.get("href") / "index.html").read_bytes())
        assert [visible(h) for h in tag_page.cssselect("article h2")] == [visible(a)]
        assert [visible(li) for li in tag_page.cssselect("article li a")] == [HOSTILE_TITLE]


def test_tracker_shows_hostile_label_and_name_literally(hostile_site):
    doc = html.fromstring((hostile_site / "tracker/index.html").read_bytes())
    row = doc.cssselect("article tbody tr")[0]
    assert HOSTILE_LABEL in visible(row)
    issuers = html.fromstring((hostile_site / "issuers/index.html").read_bytes())
    assert HOSTILE_ORG in visible(issuers.cssselect("article")[0])


def test_search_index_holds_the_hostile_text_as_text(hostile_site):
    """Pagefind's fragments hold what the search shows: the title as plain text (search.js
    prints it as text), the page's text and tags escaped (a search.js excerpt keeps text only)."""
    fragments = {}
    for path in (hostile_site / "pagefind").glob("*/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        fragments[fragment["url"]] = fragment
    entry = fragments["/circulars/panzhihua-2024-07/"]
    assert entry["meta"]["title"] == HOSTILE_TITLE
    content = " ".join(entry["content"].split())
    for tag in HOSTILE_TAGS:
        assert " ".join(tag.split()) in content  # as text, for a reader to find


def test_feed_and_sitemap_hold_hostile_text_as_text(hostile_site):
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == HOSTILE_TITLE
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == HOSTILE_TAGS
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == HOSTILE_ORG
    assert HOSTILE_ORG in entry.findtext(f"{ATOM}summary")
    sitemap = ET.parse(hostile_site / "sitemap.xml").getroot()
    urls = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://circulars.example.org/circulars/panzhihua-2024-07/" in urls


# --- in a browser --------------------------------------------------------------------


def test_hostile_tags_run_nothing_in_chromium(hostile_site):
    need_chromium()
    with serving(hostile_site) as base, chromium() as browser:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("/circulars/panzhihua-2024-07/", "/tags/", "tag's page"):
            if path == "tag's page":  # reached from the tags page
                page.locator("article li a", has_text="zebra").click()
                page.wait_for_url("**/tags/zebra-*/")
            else:
                page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert dialogs == [], path
            assert HOSTILE_TAGS[0] in page.locator(".md-content").inner_text()
        # search for a word of the hostile tag: the result shows the circular, as text
        page.goto(base + "/")
        page.get_by_role("button", name="搜索").click()
        page.get_by_role("searchbox").fill("zebra")
        result = page.locator(".circulars-search__results li").first
        result.wait_for(timeout=15000)
        page.wait_for_timeout(500)  # an onerror would have fired by now
        assert dialogs == [], "search"
        assert page.locator(".circulars-search img, .circulars-search script").count() == 0
        shown = result.locator("a").inner_text()
        assert shown.endswith(HOSTILE_TITLE), shown
        assert HOSTILE_TAGS[0] in result.inner_text()  # in the excerpt, as text


# --- output folders: never the sources, never someone else's files ----------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def sources(project: Path) -> dict[str, bytes]:
    return {
        name: snapshot(project / name) if (project / name).is_dir() else (project / name).read_bytes()
        for name in ("circulars", "site", "templates", "mkdocs.yml")
        if (project / name).exists()
    }


@pytest.mark.parametrize(
    ("output", "why"),
    [
        (".", "it is the project folder itself"),
        ("..", "it contains the project folder"),
        ("site", "it is site/ (the site's own pages, docs_dir in mkdocs.yml)"),
        ("site/overrides", "lies inside site/"),
        ("circulars", "it is circulars/ (the circulars and the registry)"),
        ("circulars/2024/out", "it lies inside circulars/"),
        ("templates", "it is templates/"),
    ],
)
def test_build_refuses_an_output_folder_in_the_sources(project, output, why):
    add_site(project)
    (project / "templates").mkdir()
    (project / "templates/note.txt").write_text("mine\n", encoding="utf-8")
    before = sources(project)
    result = run(project, "build", "-o", output)
    assert result.exit_code == 1
    assert "error: nothing was built: cannot write the" in result.stderr
    assert why in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert sources(project) == before  # site/index.md, site/overrides/… untouched, nothing added
    assert not (project / "build").exists()
    assert not (project.parent / "site").exists() and not (project.parent / "docx").exists()


def test_build_refuses_whatever_folder_mkdocs_yml_names_docs_dir(project):
    add_site(project)
    (project / "site").rename(project / "pages")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("docs_dir: site", "docs_dir: pages")
        .replace("custom_dir: site/overrides", "custom_dir: pages/overrides"),
        encoding="utf-8",
    )
    before = sources(project) | {"pages": snapshot(project / "pages")}
    result = run(project, "build", "-o", "pages/..")
    assert result.exit_code == 1
    assert "cannot write the build output into ./: it is the project folder itself" in result.stderr
    result = run(project, "build", "-o", "pages")
    assert result.exit_code == 1
    assert "into pages/: it is pages/ (the site's own pages, docs_dir in mkdocs.yml)" in result.stderr
    result = run(project, "build", "-o", "pages/overrides/out")
    assert result.exit_code == 1
    assert "it lies inside pages/ (the site's own pages" in result.stderr
    assert sources(project) | {"pages": snapshot(project / "pages")} == before
    assert run(project, "build", "-o", "site").exit_code == 0  # no longer a source folder here


def test_docs_dir_is_read_as_mkdocs_reads_it_through_inherit_and_env(project, monkeypatch):
    """`build ID` reads docs_dir without loading the whole configuration: MkDocs'
    INHERIT and !ENV still decide which folder is the site's own pages."""
    add_site(project)
    (project / "site").rename(project / "pages")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "custom_dir: site/overrides", "custom_dir: pages/overrides"
    )
    (project / "base.yml").write_text("docs_dir: !ENV [PAGES, site]\n", encoding="utf-8")
    config.write_text("INHERIT: base.yml\n" + text.replace("docs_dir: site\n", ""), encoding="utf-8")
    monkeypatch.setenv("PAGES", "pages")
    result = run(project, "build", "-o", "pages/out", "panzhihua-2024-07")
    assert result.exit_code == 1
    assert "it lies inside pages/ (the site's own pages, docs_dir in mkdocs.yml)" in result.stderr
    assert not (project / "pages/out").exists()
    monkeypatch.setenv("PAGES", "elsewhere")
    assert run(project, "build", "-o", "pages/out", "panzhihua-2024-07").exit_code == 0


def test_building_only_some_documents_refuses_the_sources_too(project):
    before = sources(project)
    result = run(project, "build", "panzhihua-2024-07", "-o", "circulars")
    assert result.exit_code == 1
    assert "cannot write the build output into circulars/: it is circulars/" in result.stderr
    assert sources(project) == before


def test_build_never_replaces_a_folder_it_did_not_make(project):
    add_site(project)
    mine = project / "out/site"
    mine.mkdir(parents=True)
    (mine / "index.html").write_text("my own page\n", encoding="utf-8")
    (mine / ".htaccess").write_text("Require all granted\n", encoding="utf-8")
    before = snapshot(mine)
    result = run(project, "build", "-o", "out")
    assert result.exit_code == 1
    assert "cannot build the site into out/site/: it holds files that a build did not make" in result.stderr
    assert snapshot(mine) == before
    assert not (project / "out/docx").exists()  # refused before anything was written
    # the build's own folder is replaced, again and again
    assert run(project, "build").exit_code == 0
    assert (project / "build/site" / MARKER).is_file()
    (project / "build/site/stale.html").write_text("from an earlier build\n", encoding="utf-8")
    assert run(project, "build").exit_code == 0
    assert not (project / "build/site/stale.html").exists()
    assert (project / "build/site/circulars/panzhihua-2024-07/index.html").exists()


def _mkdocs_build(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_mkdocs_build_refuses_a_site_dir_in_the_sources(project):
    add_site(project)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("site_dir: build/site", "site_dir: circulars"),
        encoding="utf-8",
    )
    before = sources(project)
    done = _mkdocs_build(project)
    assert done.returncode != 0
    assert "cannot write the site (site_dir) into circulars/: it is circulars/" in done.stderr
    assert "Traceback" not in done.stderr
    assert sources(project) == before


def test_mkdocs_build_never_empties_a_folder_it_did_not_make(project):
    add_site(project)
    mine = project / "build/site"
    mine.mkdir(parents=True)
    (mine / "report.pdf").write_bytes(b"%PDF-1.4 mine")
    done = _mkdocs_build(project)
    assert done.returncode != 0
    assert "it holds files that a build did not make" in done.stderr
    assert (mine / "report.pdf").read_bytes() == b"%PDF-1.4 mine"
    (mine / "report.pdf").unlink()
    (mine / ".git").mkdir()  # a checked-out site: MkDocs keeps hidden files
    assert _mkdocs_build(project).returncode == 0
    assert (mine / MARKER).is_file() and (mine / ".git").is_dir()
    assert _mkdocs_build(project).returncode == 0  # and builds again over its own output


# --- staging folders of killed builds ---------------------------------------------------


def test_a_killed_build_leaves_nothing_behind_after_the_next_build(project):
    add_site(project)
    build = project / "build"
    foreign = build / ".site-notes"
    foreign.mkdir(parents=True)
    (foreign / "keep.txt").write_text("not the build's\n", encoding="utf-8")
    command = [sys.executable, "-m", "generator", "-C", str(project), "build"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staging = []
    while not staging and process.poll() is None and time.monotonic() < deadline:
        staging = [p for p in build.glob(".site-*") if p != foreign and (p / MARKER).exists()]
        time.sleep(0.005)
    assert staging, "the build ended before a staging folder was seen"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert staging[0].exists()  # left behind by the killed build
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert site_folders_beside(build) == [".site-notes"]
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "not the build's\n"
    assert (build / "site/circulars/panzhihua-2024-07/index.html").exists()


def test_a_build_in_progress_keeps_its_staging_folder_and_excludes_another(project):
    add_site(project)
    assert run(project, "build").exit_code == 0
    site_before = snapshot(project / "build/site")
    staging = project / "build/.site-inuse123"
    staging.mkdir()
    (staging / MARKER).write_text("a build is writing here\n", encoding="utf-8")
    with open(project / "build/.site.lock", "a") as lock:  # as a running build holds it
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run(project, "build")
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert result.exit_code == 1
    assert "another build is writing build/site/ right now" in result.stderr
    assert staging.is_dir()
    assert snapshot(project / "build/site") == site_before


# --- the tracker, on the day a requirement is due --------------------------------------


@pytest.mark.parametrize(("today", "overdue"), [("2024-09-30", False), ("2024-10-01", True)])
def test_a_requirement_due_today_is_not_overdue(project, monkeypatch, today, overdue):
    add_site(project)  # the requirement is due 2024-09-30
    monkeypatch.setenv("CIRCULARS_TODAY", today)
    assert run(project, "build").exit_code == 0
    doc = html.fromstring((project / "build/site/tracker/index.html").read_bytes())
    assert today in visible(doc.cssselect("article .overdue-as-of")[0])  # "overdue as of" that day
    (row,) = doc.cssselect("article tbody tr")
    assert "2024-09-30" in visible(row)
    (state,) = row.cssselect("td.col-state .state")
    assert ("state-overdue" in state.get("class")) == overdue
    assert ("state-open" in state.get("class")) == (not overdue)
    assert state.get("data-due") == "2024-09-30"  # the reader's browser decides again


# --- site_url ----------------------------------------------------------------------


def test_a_build_without_site_url_warns_once(project):
    add_site(project)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("site_url: https://circulars.example.org/\n", ""),
        encoding="utf-8",
    )
    result = run(project, "build")
    assert result.exit_code == 0
    assert result.stderr.count("warning: no site_url (in mkdocs.yml, or --site-url)") == 1, result.stderr
    feed = ET.parse(project / "build/site/feed.xml").getroot()
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == "circulars/panzhihua-2024-07/"
    result = run(project, "build", "--site-url", "https://intranet.example.org/circulars/")
    assert result.exit_code == 0
    assert "site_url" not in result.stderr
    feed = ET.parse(project / "build/site/feed.xml").getroot()
    assert (
        feed.find(f"{ATOM}entry/{ATOM}link").get("href")
        == "https://intranet.example.org/circulars/circulars/panzhihua-2024-07/"
    )


def test_an_inherit_that_is_not_a_path_is_a_message_not_a_traceback(project):
    add_site(project)
    config = project / "mkdocs.yml"
    config.write_text("INHERIT: 5\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(project, "build", "panzhihua-2024-07")  # the documents alone: docs_dir is the default
    assert result.exit_code == 0, result.output
    result = run(project, "build")
    assert result.exit_code == 1
    assert "error: the site was not built: mkdocs.yml: a value of the wrong type" in result.stderr
    assert "Traceback" not in result.output
