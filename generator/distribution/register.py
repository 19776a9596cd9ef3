"""The distribution register: a SQLite database of every copy made and sent.

One row per copy: which circular, which edition (the hash of the document it
was made from), which recipient, its copy number, its files with their
SHA-256, the channel and its status with timestamps. Every change is one
transaction, so interrupting `circulars distribute` at any point leaves the
register consistent, and the next run continues where this one stopped.

Copy numbers are unique per circular and never reused: an unchanged circular
gets the same copies with the same numbers, a new recipient the next number,
and a changed circular is a new edition whose copies get new numbers.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _

# Lifecycle of a copy. "sending" is written just before the SMTP transaction:
# a copy left in it by an interruption may or may not have been delivered, and
# is never sent again without being asked (never twice to the same recipient).
ALLOCATED, PREPARED, SENDING, SENT, FAILED, ACKNOWLEDGED = (
    "allocated",
    "prepared",
    "sending",
    "sent",
    "failed",
    "acknowledged",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS editions (
    circular_id TEXT NOT NULL,
    edition TEXT NOT NULL,           -- SHA-256 of the document and attachments
    number INTEGER NOT NULL,         -- 1, 2, ... per circular
    created_at TEXT NOT NULL,
    PRIMARY KEY (circular_id, edition),
    UNIQUE (circular_id, number)
);
CREATE TABLE IF NOT EXISTS copies (
    circular_id TEXT NOT NULL,
    edition TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('main', 'cc')),
    copy_number INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    prepared_at TEXT,
    sent_at TEXT,
    acknowledged_at TEXT,
    PRIMARY KEY (circular_id, edition, recipient_id),
    UNIQUE (circular_id, copy_number),
    FOREIGN KEY (circular_id, edition) REFERENCES editions (circular_id, edition)
);
CREATE TABLE IF NOT EXISTS files (
    circular_id TEXT NOT NULL,
    copy_number INTEGER NOT NULL,
    path TEXT NOT NULL,              -- relative to the distribution folder
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (circular_id, copy_number, path),
    FOREIGN KEY (circular_id, copy_number) REFERENCES copies (circular_id, copy_number)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    circular_id TEXT NOT NULL,
    copy_number INTEGER NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT
);
"""


@dataclass(frozen=True)
class Copy:
    circular_id: str
    edition: str
    recipient_id: str
    role: str
    copy_number: int
    status: str
    channel: str | None
    error: str | None
    prepared_at: str | None
    sent_at: str | None
    acknowledged_at: str | None


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class EditionRecord:
    """One edition of a circular and how far it went."""

    number: int
    edition: str
    created_at: str
    copies: int
    sent: int  # sent or acknowledged
    last_sent_at: str | None


def now() -> str:
    """Local time with its UTC offset: what the secretariat's clock said, and still unambiguous."""
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def shown_time(stamp: str | None) -> str:
    """A register time as a clerk reads it: local, to the minute (2024-06-24 15:30). Older
    registers hold UTC times; they are shown in local time too."""
    if not stamp:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


class RegisterError(Exception):
    pass


class RegisterBusy(RegisterError):
    """Another run holds the sending lock of the circular."""


def _expected_columns() -> dict[str, set[str]]:
    """Each table of SCHEMA and its columns, read from SCHEMA itself."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for table in tables
            if not table.startswith("sqlite_")
        }
    finally:
        db.close()


COLUMNS = _expected_columns()


class Register:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (sqlite3.Error, OSError) as error:
            raise RegisterError(
                _("cannot open the register {path}: {error}").format(path=path, error=error)
            ) from None
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self._check_schema()
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as error:
            self.db.close()
            if type(error) is sqlite3.DatabaseError:  # "file is not a database", "malformed"
                raise RegisterError(
                    _(
                        "{path} is not a circulars register ({error}); give another file with --register"
                    ).format(path=path, error=error)
                ) from None
            raise RegisterError(
                _("cannot open the register {path}: {error}").format(path=path, error=error)
            ) from None
        except RegisterError:
            self.db.close()
            raise

    def _check_schema(self) -> None:
        """An empty file becomes a register; a database with other tables, or with
        our tables missing columns, is refused rather than written into."""
        tables = {
            row[0]
            for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if not tables:
            return
        missing = [table for table in COLUMNS if table not in tables]
        if missing:
            raise RegisterError(
                _(
                    "{path} is not a circulars register: it holds the tables {sorted}, not {missing}; give "
                    "another file with --register"
                ).format(path=self.path, sorted=", ".join(sorted(tables)), missing=", ".join(missing))
            )
        for table, columns in COLUMNS.items():
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            lacking = sorted(columns - have)
            if lacking:
                raise RegisterError(
                    _(
                        "{path}: the register's table '{table}' has no column {lacking}: it was made by "
                        "another program or version; give another file with --register"
                    ).format(path=self.path, table=table, lacking=", ".join(lacking))
                )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: the changes inside are committed together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- editions and copies ------------------------------------------------------

    def edition_number(self, circular_id: str, edition: str) -> int | None:
        row = self.db.execute(
            "SELECT number FROM editions WHERE circular_id = ? AND edition = ?", (circular_id, edition)
        ).fetchone()
        return row[0] if row else None

    def editions(self, circular_id: str) -> list[tuple[str, int]]:
        return self.db.execute(
            "SELECT edition, number FROM editions WHERE circular_id = ? ORDER BY number", (circular_id,)
        ).fetchall()

    def history(self, circular_id: str) -> list[EditionRecord]:
        """Every edition of the circular, oldest first, with its copies counted."""
        rows = self.db.execute(
            "SELECT e.number, e.edition, e.created_at, COUNT(c.copy_number),"
            " COALESCE(SUM(c.status IN (?, ?)), 0), MAX(c.sent_at)"
            " FROM editions e LEFT JOIN copies c ON c.circular_id = e.circular_id AND c.edition = e.edition"
            " WHERE e.circular_id = ? GROUP BY e.number, e.edition, e.created_at ORDER BY e.number",
            (SENT, ACKNOWLEDGED, circular_id),
        ).fetchall()
        return [EditionRecord(*row) for row in rows]

    def allocate(self, circular_id: str, edition: str, recipients: list[tuple[str, str]]) -> tuple[int, bool]:
        """Register the edition and give each (recipient, role) without a copy of
        it the next copy number, in one transaction. Returns (edition number, new?)."""
        with self.transaction() as db:
            number = self.edition_number(circular_id, edition)
            new = number is None
            if new:
                latest = db.execute(
                    "SELECT COALESCE(MAX(number), 0) FROM editions WHERE circular_id = ?", (circular_id,)
                ).fetchone()[0]
                number = latest + 1
                db.execute(
                    "INSERT INTO editions (circular_id, edition, number, created_at) VALUES (?, ?, ?, ?)",
                    (circular_id, edition, number, now()),
                )
            have = {
                row[0]
                for row in db.execute(
                    "SELECT recipient_id FROM copies WHERE circular_id = ? AND edition = ?",
                    (circular_id, edition),
                )
            }
            next_number = db.execute(
                "SELECT COALESCE(MAX(copy_number), 0) FROM copies WHERE circular_id = ?", (circular_id,)
            ).fetchone()[0]
            stamp = now()
            for recipient_id, role in recipients:
                if recipient_id in have:
                    continue
                next_number += 1
                db.execute(
                    "INSERT INTO copies (circular_id, edition, recipient_id, role, copy_number, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (circular_id, edition, recipient_id, role, next_number, ALLOCATED, stamp, stamp),
                )
                self._event(db, circular_id, next_number, ALLOCATED, recipient_id)
        return number, new

    def copies(self, circular_id: str, edition: str | None = None) -> list[Copy]:
        query = (
            "SELECT circular_id, edition, recipient_id, role, copy_number, status, channel, error,"
            " prepared_at, sent_at, acknowledged_at FROM copies WHERE circular_id = ?"
        )
        params: tuple = (circular_id,)
        if edition is not None:
            query += " AND edition = ?"
            params += (edition,)
        return [Copy(*row) for row in self.db.execute(query + " ORDER BY copy_number", params)]

    def copy(self, circular_id: str, copy_number: int) -> Copy | None:
        found = [c for c in self.copies(circular_id) if c.copy_number == copy_number]
        return found[0] if found else None

    def files(self, circular_id: str, copy_number: int) -> list[FileRecord]:
        rows = self.db.execute(
            "SELECT path, size, sha256 FROM files WHERE circular_id = ? AND copy_number = ? ORDER BY path",
            (circular_id, copy_number),
        )
        return [FileRecord(*row) for row in rows]

    # --- status changes -----------------------------------------------------------

    @staticmethod
    def _event(db, circular_id: str, copy_number: int, status: str, detail: str | None = None) -> None:
        db.execute(
            "INSERT INTO events (circular_id, copy_number, at, status, detail) VALUES (?, ?, ?, ?, ?)",
            (circular_id, copy_number, now(), status, detail),
        )

    def prepared_many(self, circular_id: str, copies: list[tuple[int, list[FileRecord]]]) -> None:
        """The copies' files are written: record them (a copy already sent keeps its status).

        One transaction for all: one commit and one sync of the journal instead of one
        per copy; a kill before the commit leaves them all as they were, to be prepared again."""
        with self.transaction() as db:
            for copy_number, files in copies:
                db.execute(
                    "DELETE FROM files WHERE circular_id = ? AND copy_number = ?", (circular_id, copy_number)
                )
                db.executemany(
                    "INSERT INTO files (circular_id, copy_number, path, size, sha256) VALUES (?, ?, ?, ?, ?)",
                    [(circular_id, copy_number, f.path, f.size, f.sha256) for f in files],
                )
                stamp = now()
                changed = db.execute(
                    "UPDATE copies SET status = ?, prepared_at = ?, updated_at = ? "
                    "WHERE circular_id = ? AND copy_number = ? AND status = ?",
                    (PREPARED, stamp, stamp, circular_id, copy_number, ALLOCATED),
                ).rowcount
                if changed:
                    self._event(db, circular_id, copy_number, PREPARED)

    def set_status(
        self,
        circular_id: str,
        copy_number: int,
        status: str,
        channel: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.transaction() as db:
            stamp = now()
            column = {SENT: "sent_at", ACKNOWLEDGED: "acknowledged_at"}.get(status)
            extra = f", {column} = ?" if column else ""
            params = (
                [status, channel, error, stamp] + ([stamp] if column else []) + [circular_id, copy_number]
            )
            db.execute(
                "UPDATE copies SET status = ?, channel = COALESCE(?, channel), error = ?, updated_at = ?"
                f"{extra} WHERE circular_id = ? AND copy_number = ?",
                params,
            )
            self._event(db, circular_id, copy_number, status, error)

    def claim(self, circular_id: str, copy_number: int, allowed: tuple[str, ...], channel: str) -> str | None:
        """Mark a copy SENDING if its status is one of `allowed`, in one transaction.

        Returns the status it had, or None when it has another (another run
        sent it, or someone acknowledged it meanwhile): then it must not be sent."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT status FROM copies WHERE circular_id = ? AND copy_number = ?",
                (circular_id, copy_number),
            ).fetchone()
            if row is None or row[0] not in allowed:
                return None
            db.execute(
                "UPDATE copies SET status = ?, channel = ?, error = NULL, updated_at = ?"
                " WHERE circular_id = ? AND copy_number = ?",
                (SENDING, channel, now(), circular_id, copy_number),
            )
            self._event(db, circular_id, copy_number, SENDING, channel)
        return row[0]

    # --- one sender at a time ---------------------------------------------------------

    def lock_path(self, circular_id: str) -> Path:
        name = (
            circular_id
            if _SAFE_NAME.fullmatch(circular_id)
            else hashlib.sha256(circular_id.encode("utf-8", "surrogatepass")).hexdigest()
        )
        return self.path.parent / f"{self.path.name}-locks" / f"{name}.lock"

    @contextmanager
    def sending_lock(self, circular_id: str) -> Iterator[None]:
        """Held while copies of the circular are sent: a second run that tries
        meanwhile gets RegisterBusy at once. The lock is on a file beside the
        register, and the system releases it when the process ends, however it ends."""
        path = self.lock_path(circular_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a+b")
        except OSError as error:
            raise RegisterError(
                _("cannot create the lock file {path}: {value}").format(
                    path=path, value=error.strerror or error
                )
            ) from None
        try:
            if not _try_lock(handle):
                raise RegisterBusy(
                    _(
                        "another run is sending copies of {circular_id} right now (it holds {path}); "
                        "nothing was sent by this one: wait for it to finish, then run again to send what "
                        "is left"
                    ).format(circular_id=circular_id, path=path)
                )
            try:
                yield
            finally:
                _unlock(handle)
        finally:
            handle.close()


_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
