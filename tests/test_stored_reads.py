"""Issue 24: the circular files as read and validated are kept on disk between commands
(source/loading.py, StoredReads): a file whose bytes have not changed is not parsed
again, an edited one is, and a store that is damaged, unwritable or of another
language is never taken for what the file says."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import circular_yaml, retitle, run, write

from generator.i18n import use_language
from generator.source import loading
from generator.source.loading import StoredReads, load_project


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CIRCULARS_CACHE", str(folder))
    return folder / "circulars" / "reads"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files read_yaml parses, by name."""
    names: list[str] = []
    read_yaml = loading.read_yaml

    def counting(path, *args, **kwargs):
        names.append(Path(path).name)
        return read_yaml(path, *args, **kwargs)

    monkeypatch.setattr(loading, "read_yaml", counting)
    return names


def dumped(project) -> list[dict]:
    return [circular.model_dump(mode="json") for circular in project.circulars]


def test_an_unchanged_file_is_taken_from_the_store(project, store, parsed):
    write(project, "circulars/2024/panzhihua-2024-08.yaml", circular_yaml("panzhihua-2024-08", 8))
    first = load_project(project, [], StoredReads())
    assert sorted(parsed) == [
        "organizations.yaml",
        "panzhihua-2024-07.yaml",
        "panzhihua-2024-08.yaml",
        "people.yaml",
    ]
    assert len(list(store.glob("*/*.pickle"))) == 2
    parsed.clear()
    again = load_project(project, [], StoredReads())
    assert sorted(parsed) == ["organizations.yaml", "people.yaml"]  # the registry is always read
    assert dumped(again) == dumped(first) and len(again.circulars) == 2
    # what the messages point at is kept too
    [source] = [s for s in again.sources if s.circular.id == "panzhihua-2024-07"]
    assert source.source.path == (project / "circulars/2024/panzhihua-2024-07.yaml").resolve()


def test_an_edited_file_is_read_again(project, store, parsed):
    load_project(project, [], StoredReads())
    retitle(project, "关于驻点干部做到“五个要”的通知")
    parsed.clear()
    again = load_project(project, [], StoredReads())
    assert "panzhihua-2024-07.yaml" in parsed
    assert again.circulars[0].title == "关于驻点干部做到“五个要”的通知"
    parsed.clear()
    assert load_project(project, [], StoredReads()).circulars[0].title == "关于驻点干部做到“五个要”的通知"
    assert "panzhihua-2024-07.yaml" not in parsed


def test_a_damaged_store_is_read_again_and_mended(project, store, parsed):
    load_project(project, [], StoredReads())
    [kept] = store.glob("*/*.pickle")
    kept.write_bytes(b"not a pickle")
    parsed.clear()
    assert load_project(project, [], StoredReads()).circulars[0].id == "panzhihua-2024-07"
    assert "panzhihua-2024-07.yaml" in parsed
    assert kept.read_bytes() != b"not a pickle"


def test_an_invalid_file_is_never_stored(project, store):
    path = project / "circulars/2024/panzhihua-2024-07.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("issuer: panzhihua-ftu", "issuer: 攀枝花市总工会"),
        encoding="utf-8",
    )
    for _ in range(2):
        result = run(project, "check")
        assert result.exit_code != 0 and "write panzhihua-ftu" in result.output
    assert list(store.glob("*/*.pickle")) == []


def test_messages_of_another_language_are_not_taken(project, store):
    english = StoredReads().folder
    use_language("zh")
    assert StoredReads().folder != english


def test_a_store_that_cannot_be_written_reads_as_before(project, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("CIRCULARS_CACHE", str(blocked))
    for _ in range(2):
        assert load_project(project, [], StoredReads()).circulars[0].id == "panzhihua-2024-07"
    result = run(project, "check")
    assert result.exit_code == 0, result.output
