"""Issue 24: the search index of a language whose pages did not change is kept from the
published site (linked, never written), and is what Pagefind would have made; a
language whose pages changed is indexed again. Real Pagefind."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.site.search import INPUT_STAMP, Indexing, _Page, index_pages


def pages(zh_title: str, en_title: str = "Notice on the skills contest") -> list[_Page]:
    return [
        _Page(
            "zh",
            "circulars/a/index.html",
            zh_title,
            f"<p>{zh_title}，各基层工会认真组织。</p>",
            "川工发〔2024〕7号",
        ),
        _Page("zh", "index.html", "工会公文", f"<ul><li>{zh_title}</li><li>{en_title}</li></ul>", ""),
        _Page(
            "en", "circulars/b/index.html", en_title, f"<p>{en_title}: every union shall take part.</p>", ""
        ),
    ]


def files(bundle: Path) -> dict[str, tuple[int, bytes]]:
    """Each file of a bundle: its inode and bytes."""
    return {
        p.relative_to(bundle).as_posix(): (p.stat().st_ino, p.read_bytes())
        for p in bundle.rglob("*")
        if p.is_file()
    }


def test_an_unchanged_language_keeps_its_bundle_and_a_changed_one_is_indexed_again(tmp_path):
    published = tmp_path / "site/pagefind"
    index_pages(pages("关于开展劳动竞赛的通知"), published, False)  # as `circulars serve` does
    assert (published / f"en{INPUT_STAMP}").is_file() and (published / f"zh{INPUT_STAMP}").is_file()
    before = {language: files(published / language) for language in ("zh", "en")}

    # the Chinese circular retitled: the English bundle is the published one, linked
    edited = pages("关于开展职工技能竞赛的通知")
    following = tmp_path / "site/.pagefind-next"
    Indexing(edited, following, False, published).wait()
    assert files(following / "en") == before["en"]  # the same files: same inodes, same bytes
    zh = files(following / "zh")
    assert not {inode for inode, _data in zh.values()} & {inode for inode, _data in before["zh"].values()}
    assert {data for _inode, data in zh.values()} != {data for _inode, data in before["zh"].values()}

    # byte for byte what indexing from nothing makes
    scratch = tmp_path / "scratch"
    Indexing(edited, scratch, False, None).wait()
    for language in ("zh", "en"):
        ours = {name: data for name, (_inode, data) in files(following / language).items()}
        assert ours == {name: data for name, (_inode, data) in files(scratch / language).items()}
    assert (following / f"en{INPUT_STAMP}").read_bytes() == (scratch / f"en{INPUT_STAMP}").read_bytes()

    # the English circular retitled too: nothing is kept
    again = tmp_path / "site/.pagefind-again"
    Indexing(pages("关于开展职工技能竞赛的通知", "Notice on the contest"), again, False, following).wait()
    inodes = {inode for inode, _data in files(following / "en").values()}
    assert not {inode for inode, _data in files(again / "en").values()} & inodes


def test_a_stamp_that_does_not_match_or_a_missing_bundle_is_indexed_again(tmp_path):
    published = tmp_path / "pagefind"
    Indexing(pages("关于开展劳动竞赛的通知"), published, False, None).wait()
    (published / f"en{INPUT_STAMP}").write_text("not the digest", encoding="utf-8")
    following = tmp_path / "next"
    Indexing(pages("关于开展劳动竞赛的通知"), following, False, published).wait()
    en_inodes = {inode for inode, _data in files(published / "en").values()}
    assert not {inode for inode, _data in files(following / "en").values()} & en_inodes
    # zh was kept; its bundle gone from the published folder, it is indexed again
    assert files(following / "zh") == files(published / "zh")
    for path in sorted((published / "zh").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (published / "zh").rmdir()
    third = tmp_path / "third"
    Indexing(pages("关于开展劳动竞赛的通知"), third, False, published).wait()
    assert (third / "zh/pagefind-entry.json").is_file()


def test_the_input_is_written_in_memory_unless_tmpdir_chooses(monkeypatch):
    """Pagefind's input (a folder per page) goes to /dev/shm when there is room for it;
    TMPDIR, when set, is where the user wants temporary files."""
    from generator.site import search

    monkeypatch.delenv("TMPDIR", raising=False)
    if not search.MEMORY.is_dir():
        pytest.skip("no /dev/shm here")
    assert search._scratch(1_000) == str(search.MEMORY)
    assert search._scratch(1 << 62) is None  # more than there is room for
    monkeypatch.setenv("TMPDIR", "/var/tmp")
    assert search._scratch(1_000) is None
