"""The words of a Chinese title, as jieba finds them, without loading its dictionary.

jieba keeps its 350,000 words and their prefixes in one dict that it unpickles
whole before it cuts the first sentence: 0.5 s in every process that writes a
GB/T 9704 document, more than writing a hundred of them takes. A title needs a
few hundred look-ups, so the same dictionary is kept in an SQLite index (built
once from jieba's own, in the user's cache folder, keyed by jieba's version and
dictionary file) and a jieba tokenizer looks words up there as it goes: the same
words, in 1 ms instead of 500. Where no index can be written, jieba loads its
dictionary as usual.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from ..source.files import cache_dir


def _import_jieba():
    """jieba 0.42 imports pkg_resources (0.1 s, and deprecated) only to open its
    data files; when that import fails it opens the same files by path."""
    absent = "pkg_resources" not in sys.modules
    if absent:
        sys.modules["pkg_resources"] = None  # makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if absent:
            del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()


class _Frequencies:
    """jieba's FREQ dict (word or prefix -> count, 0 for a bare prefix), read from the index."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self.known: dict[str, int | None] = {}

    def _count(self, word: str) -> int | None:
        if word not in self.known:
            row = self.connection.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
            self.known[word] = None if row is None else row[0]
        return self.known[word]

    def __contains__(self, word: str) -> bool:
        return self._count(word) is not None

    def __getitem__(self, word: str) -> int:
        count = self._count(word)
        if count is None:
            raise KeyError(word)
        return count

    def get(self, word: str, default: int | None = None) -> int | None:
        count = self._count(word)
        return default if count is None else count


def _dictionary_file() -> Path:
    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


def _index_path() -> Path:
    source = _dictionary_file().stat()
    return cache_dir() / f"jieba-{jieba.__version__}-{source.st_size}-{int(source.st_mtime)}.sqlite3"


def _build_index(path: Path) -> None:
    """Write jieba's dictionary, as jieba loads it, into an index beside `path`, then rename
    it into place: processes building it at once each write their own, and one wins."""
    loaded = jieba.Tokenizer()
    loaded.initialize()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with sqlite3.connect(temporary) as connection:
            connection.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            connection.execute("CREATE TABLE total (n INTEGER NOT NULL)")
            connection.executemany("INSERT INTO freq VALUES (?, ?)", loaded.FREQ.items())
            connection.execute("INSERT INTO total VALUES (?)", (loaded.total,))
        connection.close()
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _open_index(path: Path) -> tuple[sqlite3.Connection, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    (total,) = connection.execute("SELECT n FROM total").fetchone()
    return connection, total


@functools.cache
def tokenizer(process: int | None = None) -> jieba.Tokenizer:
    """A jieba tokenizer reading the index (jieba's own dictionary where there can be none).

    One per process (word_ends passes its id): an SQLite connection must not be
    carried into a worker process forked from the one that opened it."""
    jieba.setLogLevel(logging.WARNING)
    cutter = jieba.Tokenizer()
    try:
        path = _index_path()
        if not path.is_file():
            _build_index(path)
        try:
            connection, total = _open_index(path)
        except (sqlite3.Error, TypeError):  # damaged (a disk filled while it was copied?): build it again
            _build_index(path)
            connection, total = _open_index(path)
    except (OSError, sqlite3.Error, TypeError):
        return cutter  # no cache folder to write: jieba loads its dictionary as usual
    cutter.FREQ, cutter.total, cutter.initialized = _Frequencies(connection), total, True
    return cutter


def word_ends(text: str) -> list[int]:
    """The offset after each word of `text`, as jieba cuts it."""
    return [end for _, _, end in tokenizer(os.getpid()).tokenize(text)]
