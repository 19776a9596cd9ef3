"""Issue 24: `circulars build` with nothing changed stops after looking, and any change
to what the site is built from (or to the site it made) builds it again, into what a
build from scratch of the same inputs makes."""

from __future__ import annotations

import errno
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, add_site, copy_examples, retitle, run, site_folders_beside, write

UNCHANGED = "Nothing the site is built from has changed since the last build"


def site_files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def identities(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a build that writes makes new ones."""
    return {
        path.relative_to(site).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in site.rglob("*")
        if path.is_file()
    }


def hold(site: Path, held: Path) -> dict[str, bytes]:
    """Hard links to every file of the site, in held; the site's files as they are now."""
    for path in site.rglob("*"):
        if path.is_file():
            target = held / path.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return site_files(site)


def build(project: Path, *args: str) -> str:
    result = run(project, "build", *args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def built(project: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")
    add_site(project)
    output = build(project)
    assert UNCHANGED not in output
    return project


def same_as_from_scratch(project: Path, tmp_path: Path) -> None:
    """The site equals, file for file and byte for byte, a build of a copy of the project
    with no earlier build."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("build"))
    build(fresh)
    ours, theirs = site_files(project / "build/site"), site_files(fresh / "build/site")
    assert sorted(ours) == sorted(theirs)
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []


def test_an_edit_among_many_circulars_keeps_the_tags_in_build_order(tmp_path, monkeypatch):
    """Material's tags plugin lists and exports (tags.json) the pages in the order it is
    handed them: on a kept site the converted page came first (live.read_the_rest)."""
    monkeypatch.setenv("CIRCULARS_TODAY", "2024-06-01")
    project = copy_examples(tmp_path / "project")
    build(project)
    source = project / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("深入职工群众", "深入一线职工群众", 1), encoding="utf-8")
    assert "Built the site" in build(project)
    same_as_from_scratch(project, tmp_path)


def test_nothing_changed_leaves_the_site_as_it_is(built):
    site = built / "build/site"
    before = identities(site)
    output = build(built)
    assert UNCHANGED in output and "Built the site" not in output
    assert "Wrote 0 Word documents to build/docx/ (1 up to date)" in output
    assert identities(site) == before  # not a file written again
    output = build(built, "--force")
    assert UNCHANGED not in output and identities(site) != before


def test_nothing_changed_is_seen_before_the_project_is_read(built, monkeypatch):
    """The look reads no circular; the warnings the project's check gave are shown again,
    in the language they were worded in (in another, the project is read to word them)."""
    import generator.source.loading as loading

    source = built / "circulars/2024/panzhihua-2024-07.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("status: issued", "status: superseded"), encoding="utf-8")
    warning = "marked superseded, but no circular supersedes it"
    first = build(built)
    assert UNCHANGED not in first and first.count(warning) == 1
    with monkeypatch.context() as patched:
        patched.setattr(loading, "load_project", lambda *args, **kwargs: pytest.fail("the project was read"))
        again = build(built)
    assert UNCHANGED in again
    assert [line for line in again.splitlines() if warning in line] == [
        line for line in first.splitlines() if warning in line
    ]
    chinese = run(built, "--lang", "zh_CN", "build")
    assert chinese.exit_code == 0, chinese.output
    assert "标为已被替代，但没有公文替代它" in chinese.output and warning not in chinese.output
    assert "网站所依据的内容均未改动" in chinese.output


@pytest.mark.parametrize(
    "change",
    [
        "title",
        "tags",
        "new circular",
        "removed circular",
        "renamed circular",
        "registry",
        "template",
        "mkdocs.yml",
        "site page",
        "table file",
        "site file deleted",
        "attachment dropped",
        "date",
        "drafts",
    ],
)
def test_a_change_builds_again_what_a_build_from_scratch_makes(built, tmp_path, monkeypatch, change):
    site = built / "build/site"
    before = site_files(site)
    source = built / "circulars/2024/panzhihua-2024-07.yaml"
    args: tuple[str, ...] = ()
    if change == "title":
        retitle(built, "关于开展职工技能竞赛的通知")
        kept = identities(site)
    elif change == "tags":  # a tag added: a page of its own, and a link on the tags page
        text = source.read_text(encoding="utf-8")
        assert "tags:" not in text
        source.write_text(text.rstrip("\n") + "\ntags: [新标签]\n", encoding="utf-8")
    elif change == "new circular":
        text = source.read_text(encoding="utf-8")
        write(built, "circulars/2024/panzhihua-2024-08.yaml", _other(text, "panzhihua-2024-08", 8))
    elif change == "removed circular":
        text = source.read_text(encoding="utf-8")
        write(built, "circulars/2024/panzhihua-2024-08.yaml", _other(text, "panzhihua-2024-08", 8))
        build(built)
        before = site_files(site)
        (built / "circulars/2024/panzhihua-2024-08.yaml").unlink()
    elif change == "renamed circular":
        text = source.read_text(encoding="utf-8")
        source.unlink()
        write(built, "circulars/2024/panzhihua-2024-77.yaml", _other(text, "panzhihua-2024-77", 7))
    elif change == "registry":
        registry = built / "circulars/organizations.yaml"
        registry.write_text(
            registry.read_text(encoding="utf-8").replace("攀枝花市总工会", "攀枝花市总工会（新）", 1),
            encoding="utf-8",
        )
    elif change == "template":
        # the project's own notice template, closing with other words
        notice = (REPO / "templates/notice.md.j2").read_text(encoding="utf-8")
        write(built, "templates/notice.md.j2", notice.replace("特此通知。", "特此通知，请遵照执行。"))
    elif change == "mkdocs.yml":
        config = built / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("site_name: ", "site_name: 新 ", 1), encoding="utf-8")
    elif change == "site page":
        page = built / "site/index.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    elif change == "table file":
        text = source.read_text(encoding="utf-8").replace(
            "    deadline: 2024-09-30\n",
            "    deadline: 2024-09-30\n    tables:\n      - file: attachments/units.csv\n",
            1,
        )
        source.write_text(text, encoding="utf-8")
        write(built, "circulars/2024/attachments/units.csv", "单位,人数\n焦化厂,12\n")
        build(built)
        before = site_files(site)
        write(built, "circulars/2024/attachments/units.csv", "单位,人数\n焦化厂,13\n")
    elif change == "attachment dropped":  # a file the site offers, no page of its own
        text = source.read_text(encoding="utf-8")
        offered = "\nattachments:\n  - title: 问题清单\n    file: attachments/list.csv\n"
        source.write_text(text.rstrip("\n") + offered, encoding="utf-8")
        write(built, "circulars/2024/attachments/list.csv", "单位,问题\n焦化厂,无\n")
        build(built)
        before = site_files(site)
        assert any(name.endswith("list.csv") for name in before)
        source.write_text(text, encoding="utf-8")
    elif change == "site file deleted":
        (site / "index.html").unlink()
        before = {}
    elif change == "date":
        monkeypatch.setenv("CIRCULARS_TODAY", "2024-12-01")
    elif change == "drafts":
        text = source.read_text(encoding="utf-8")
        write(
            built,
            "circulars/2024/panzhihua-2024-08.yaml",
            _other(text, "panzhihua-2024-08", 8).replace("status: issued", "status: draft"),
        )
        build(built)
        before = site_files(site)
        args = ("--drafts",)
    held = hold(site, tmp_path / "held")
    output = build(built, *args)
    assert UNCHANGED not in output
    assert site_files(site) != before
    # the site it replaced was never written to (its files are hard links in the next build)
    assert site_files(tmp_path / "held") == held
    if change == "title":  # only what shows the title was written again: the rest kept
        now = identities(site)
        written = sorted(name for name in now if now[name] != kept.get(name))
        assert "circulars/panzhihua-2024-07/index.html" in written
        assert "circulars/panzhihua-2024-07/panzhihua-2024-07.docx" in written
        assert not any(name.startswith("assets/") for name in written), written
        assert len(written) < len(now) / 2, written
    if change == "tags":
        tag_pages = [name for name in site_files(site) if name.startswith("tags/新标签-")]
        assert tag_pages == [tag_pages[0]] and "新标签" in (site / "tags/index.html").read_text(
            encoding="utf-8"
        )
    if change != "drafts":
        same_as_from_scratch(built, tmp_path)
    assert UNCHANGED in build(built, *args)  # and then it is up to date again


def _other(text: str, circular_id: str, number: int) -> str:
    """The test circular as another one, with its own id and number."""
    text = text.replace("id: panzhihua-2024-07", f"id: {circular_id}", 1)
    return text.replace("number: 7\n", f"number: {number}\n", 1)


def test_a_killed_build_is_not_taken_for_a_finished_one(built, monkeypatch):
    """The record of the last build goes before a build writes anything: a build that
    stops part-way (here, MkDocs fails) leaves the next build to build again."""
    from generator.site import build as site_build

    retitle(built, "关于开展职工技能竞赛的通知")

    def fails(config, **options):
        raise OSError(28, "No space left on device", str(Path(config.site_dir) / "index.html"))

    original = site_build.build
    monkeypatch.setattr(site_build, "build", fails)
    result = run(built, "build")
    assert result.exit_code != 0
    monkeypatch.setattr(site_build, "build", original)
    output = build(built)
    assert UNCHANGED not in output and "关于开展职工技能竞赛的通知" in (
        built / "build/site/circulars/panzhihua-2024-07/index.html"
    ).read_text(encoding="utf-8")


def test_a_strict_build_after_an_edit_writes_only_what_changed(built):
    """--strict fails on any warning: MkDocs' own about a dirty build (the plugin decides
    what is stale) is not one, nor is the edit."""
    site = built / "build/site"
    config = built / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "site_url: https://intranet.example.org/circulars/\n",
        encoding="utf-8",
    )
    build(built, "--strict")
    before = identities(site)
    retitle(built, "关于开展职工技能竞赛的通知")
    result = run(built, "build", "--strict")
    assert result.exit_code == 0, result.output
    assert "dirty" not in result.output
    now = identities(site)
    assert [name for name in now if now[name] == before.get(name)]  # some files kept
    assert "关于开展职工技能竞赛的通知" in (site / "circulars/panzhihua-2024-07/index.html").read_text(
        encoding="utf-8"
    )


def test_a_file_system_without_hard_links_builds_from_scratch(built, tmp_path, monkeypatch):
    """The published site is linked into the new one; where links fail from the first
    (a USB stick's FAT), the build starts from scratch and makes the same site."""

    def no_links(source, target, **options):
        raise OSError(errno.EPERM, "Operation not permitted", str(target))

    retitle(built, "关于开展职工技能竞赛的通知")
    with monkeypatch.context() as patched:
        patched.setattr(os, "link", no_links)
        output = build(built)
    assert "Built the site" in output
    assert site_folders_beside(built / "build") == []  # neither the staging nor the old site left
    same_as_from_scratch(built, tmp_path)


def test_links_that_fail_part_way_leave_the_published_site(built, monkeypatch):
    """A link that fails once the first has worked (a full disk) stops the build with the
    file it could not write; the site stays as published, and the next build makes it."""
    from generator.site import build as site_build

    site = built / "build/site"
    before = site_files(site)
    # in the linking process (a process of its own): its os.link fails after one link
    fails_after_one = textwrap.dedent(
        """
        import errno, os
        linked, made = os.link, []
        def link(source, target, **options):
            if made:
                raise OSError(errno.ENOSPC, "No space left on device", target)
            made.append(target)
            linked(source, target, **options)
        os.link = link
        """
    )
    retitle(built, "关于开展职工技能竞赛的通知")
    with monkeypatch.context() as patched:
        patched.setattr(site_build, "_LINKING", fails_after_one + site_build._LINKING)
        result = run(built, "build")
    assert result.exit_code == 1
    assert "error: cannot write to" in result.output and "No space left on device" in result.output
    assert site_files(site) == before
    assert site_folders_beside(built / "build") == []
    assert "Built the site" in build(built)
    page = (site / "circulars/panzhihua-2024-07/index.html").read_text(encoding="utf-8")
    assert "关于开展职工技能竞赛的通知" in page


def test_a_search_that_fails_leaves_the_published_site(built, tmp_path, monkeypatch):
    """On a kept site the search is indexed while the pages are written and the build
    recorded: Pagefind failing stops the build with its reason, the site stays as
    published (no staging left), and the next build makes it as from scratch."""
    from generator.site import search

    site = built / "build/site"
    before = site_files(site)
    retitle(built, "关于开展职工技能竞赛的通知")
    with monkeypatch.context() as patched:
        patched.setattr(search, "_pagefind", lambda pages, output, keep: "out of memory")
        result = run(built, "build")
    assert result.exit_code == 1
    assert (
        "error: the site was not built: Pagefind could not index the search: out of memory" in result.output
    )
    assert site_files(site) == before
    assert site_folders_beside(built / "build") == []
    assert UNCHANGED not in build(built)
    same_as_from_scratch(built, tmp_path)


def test_another_libreoffice_is_a_change(built, tmp_path, monkeypatch):
    """An upgraded LibreOffice makes other PDFs (their cache's key names its build): the
    look for a change reads its versionrc too."""
    from generator.site import unchanged

    versionrc = tmp_path / "versionrc"
    versionrc.write_text("[Version]\nbuildid=24.2.7\n", encoding="utf-8")
    monkeypatch.setattr(unchanged, "versionrc", lambda: versionrc)
    build(built)
    assert UNCHANGED in build(built)
    versionrc.write_text("[Version]\nbuildid=25.2.1\n", encoding="utf-8")
    assert UNCHANGED not in build(built)


def test_a_lock_that_cannot_be_made_is_reported_by_the_build(built, monkeypatch):
    """The look holds the site's lock; where the lock file cannot be made (a read-only
    folder), the build says so, as it does for any folder it cannot write to."""
    from generator.site import outputs

    def read_only(path, mode="r", *args, **kwargs):
        if str(path).endswith(".site.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(outputs, "open", read_only, raising=False)
    result = run(built, "build")
    assert result.exit_code == 1
    assert "error: cannot write to" in result.output and "Permission denied" in result.output
    assert "Traceback" not in result.output
