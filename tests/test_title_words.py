"""A title's words from jieba's dictionary kept in an SQLite index (generator/docx/title_words.py)
are the words jieba finds with its dictionary loaded whole: titles break where they did."""

from __future__ import annotations

import os
from pathlib import Path

import jieba
import pytest

from generator.docx import title_words
from generator.source.files import CACHE_VARIABLE
from generator.source.inline_markup import to_plain
from generator.source.loading import load_project

REPO = Path(__file__).resolve().parent.parent

TRICKY = [
    "关于印发《2024年度职工之家建设“提质增效”实施方案》的通知",
    "关于转发全总办公厅《关于开展2024年“工会进万家”活动》的通知（川工发〔2024〕12号）",
    "攀枝花市总工会关于格里坪特色产业园区工会联合会2024年度工作的批复",
    "关于做好ChemChina工会2012年第3季度ERP系统上线培训工作的通知",
    "鑫淼焱垚工会关于龘靐齉爩职工的通知",  # rare characters: jieba's HMM guesses the words
    "",
]


@pytest.fixture
def fresh_tokenizer(tmp_path, monkeypatch):
    """A tokenizer whose index is built afresh in tmp_path."""
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    title_words.tokenizer.cache_clear()
    yield tmp_path
    title_words.tokenizer.cache_clear()


def jieba_ends(text: str) -> list[int]:
    whole = jieba.Tokenizer()
    whole.initialize()
    return [end for _, _, end in whole.tokenize(text)]


def test_the_index_finds_the_words_jieba_finds_in_every_example_title_and_hard_ones(fresh_tokenizer):
    titles = [to_plain(c.title) for c in load_project(REPO).circulars if c.language == "zh"]
    assert len(titles) >= 5
    whole = jieba.Tokenizer()
    whole.initialize()
    for text in [*titles, *TRICKY]:
        assert title_words.word_ends(text) == [end for _, _, end in whole.tokenize(text)], text
    assert isinstance(title_words.tokenizer(os.getpid()).FREQ, title_words._Frequencies)
    assert [p.suffix for p in (fresh_tokenizer / "circulars").iterdir()] == [".sqlite3"]


def test_without_a_folder_for_the_index_jieba_loads_its_dictionary(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker))
    title_words.tokenizer.cache_clear()
    try:
        assert title_words.word_ends(TRICKY[0]) == jieba_ends(TRICKY[0])
        assert isinstance(title_words.tokenizer(os.getpid()).FREQ, dict)
    finally:
        title_words.tokenizer.cache_clear()


def test_a_damaged_index_is_built_again(fresh_tokenizer):
    title_words.word_ends(TRICKY[1])  # builds the index
    index = next((fresh_tokenizer / "circulars").iterdir())
    index.write_bytes(b"not an SQLite database")
    title_words.tokenizer.cache_clear()
    assert title_words.word_ends(TRICKY[1]) == jieba_ends(TRICKY[1])
    assert isinstance(title_words.tokenizer(os.getpid()).FREQ, title_words._Frequencies)
    assert index.read_bytes().startswith(b"SQLite format 3")
