"""The producer's local state in one SQLite file: seen ids, an outbox, feed validators, files done.

SQLite rather than a compacted topic because the state must be usable while the broker is down:
the outbox is exactly what is kept for the broker's return, and it survives a restart.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at REAL NOT NULL);
-- Pruning deletes by age: without this index every prune would read the whole seen-set.
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,          -- 'article' or 'deadletter'
    key TEXT NOT NULL,
    payload BLOB NOT NULL,
    source TEXT NOT NULL,
    fetched REAL NOT NULL,
    UNIQUE (kind, key)
);
CREATE TABLE IF NOT EXISTS validators (feed TEXT PRIMARY KEY, etag TEXT, modified TEXT);
CREATE TABLE IF NOT EXISTS digests (feed TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, signature TEXT NOT NULL, at REAL NOT NULL);
"""


@dataclass(frozen=True)
class Pending:
    """A record waiting in the outbox for the broker's acknowledgement."""

    seq: int
    kind: str
    key: str
    payload: bytes
    source: str
    fetched: float


class Pruned(NamedTuple):
    """What one :meth:`Store.prune` forgot."""

    seen: int
    files: int


class Store:
    """Single-threaded access to the producer state (the event loop thread owns it).

    ``clock`` gives the epoch seconds stamped on seen ids, done files and outbox records; the
    service passes its own clock so a test can move time on and watch the seen-set age.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes in one transaction (one commit for a whole feed's entries)."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def known(self, article_id: str) -> bool:
        """True when the id was published, or is waiting in the outbox."""
        row = self.db.execute("SELECT 1 FROM seen WHERE id = ?", (article_id,)).fetchone()
        if row:
            return True
        row = self.db.execute(
            "SELECT 1 FROM outbox WHERE kind = 'article' AND key = ?", (article_id,)
        ).fetchone()
        return row is not None

    def known_record(self, kind: str, key: str) -> bool:
        """True when a record of ``kind`` with ``key`` was published or is waiting."""
        if kind == "article":
            return self.known(key)
        row = self.db.execute("SELECT 1 FROM seen WHERE id = ?", (f"{kind}:{key}",)).fetchone()
        if row:
            return True
        row = self.db.execute(
            "SELECT 1 FROM outbox WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return row is not None

    def enqueue(self, kind: str, key: str, payload: bytes, source: str) -> bool:
        """Keep a record until the broker has it; False when it is already waiting."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO outbox (kind, key, payload, source, fetched) VALUES (?,?,?,?,?)",
            (kind, key, payload, source, self.clock()),
        )
        return cur.rowcount > 0

    def pending(self, limit: int = 500) -> list[Pending]:
        """The oldest records not yet acknowledged."""
        rows = self.db.execute(
            "SELECT seq, kind, key, payload, source, fetched FROM outbox ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        return [Pending(*row) for row in rows]

    def pending_count(self) -> int:
        """How many records wait for the broker."""
        return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def acknowledged(self, items: list[Pending]) -> int:
        """The broker has these: drop them from the outbox and remember the article ids.

        Returns how many ids the seen-set gained.
        """
        now = self.clock()
        added = 0
        with self.db:
            self.db.execute("BEGIN")
            for item in items:
                self.db.execute("DELETE FROM outbox WHERE seq = ?", (item.seq,))
                # Dead letters are remembered too (prefixed), so a feed that stays broken is
                # reported once, not on every poll.
                seen = item.key if item.kind == "article" else f"{item.kind}:{item.key}"
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO seen (id, at) VALUES (?, ?)", (seen, now)
                )
                added += cur.rowcount
        return added

    def seen_count(self) -> int:
        """How many ids (articles and dead letters) the seen-set holds."""
        return int(self.db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def prune(self, older_than: float, keep_files: Collection[str] = ()) -> Pruned:
        """Forget seen ids and done-file records stamped before ``older_than`` (epoch seconds).

        One transaction. The outbox is never touched: a record waiting for the broker stays
        there, and :meth:`known` checks the outbox as well as the seen-set, so a pending article
        is never forgotten and never queued a second time. (An id is in the seen-set or in the
        outbox, never both: :meth:`acknowledged` moves it from one to the other in one
        transaction. The ``NOT EXISTS`` below keeps a pending id's seen row all the same, should
        that ever change.) Records of ``keep_files`` (the files named in the config, still read
        at every start) are kept whatever their age, or a restart would read them again.
        """
        with self.transaction():
            seen = self.db.execute(
                """
                DELETE FROM seen WHERE at < ?
                AND NOT EXISTS (
                    SELECT 1 FROM outbox WHERE kind = 'article' AND key = seen.id)
                AND NOT EXISTS (
                    SELECT 1 FROM outbox
                    WHERE kind = substr(seen.id, 1, instr(seen.id, ':') - 1)
                    AND key = substr(seen.id, instr(seen.id, ':') + 1))
                """,
                (older_than,),
            ).rowcount
            files = self.db.execute(
                "DELETE FROM files WHERE at < ? AND path NOT IN (SELECT value FROM json_each(?))",
                (older_than, json.dumps(list(keep_files))),
            ).rowcount
        return Pruned(seen=seen, files=files)

    def validators(self, feed: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified the feed sent last time."""
        row = self.db.execute(
            "SELECT etag, modified FROM validators WHERE feed = ?", (feed,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, feed: str, etag: str | None, modified: str | None) -> None:
        """Remember the feed's validators for the next conditional GET."""
        self.db.execute(
            "INSERT OR REPLACE INTO validators (feed, etag, modified) VALUES (?, ?, ?)",
            (feed, etag, modified),
        )

    def digest(self, feed: str) -> str | None:
        """SHA-256 of the feed body parsed last time (servers without validators)."""
        row = self.db.execute("SELECT sha256 FROM digests WHERE feed = ?", (feed,)).fetchone()
        return str(row[0]) if row else None

    def set_digest(self, feed: str, sha256: str) -> None:
        """Remember the body just parsed, so an identical body next time costs no parse."""
        self.db.execute(
            "INSERT OR REPLACE INTO digests (feed, sha256) VALUES (?, ?)", (feed, sha256)
        )

    def file_done(self, path: str, signature: str) -> bool:
        """True when this file, with this size and mtime, was already read."""
        row = self.db.execute("SELECT signature FROM files WHERE path = ?", (path,)).fetchone()
        return row is not None and row[0] == signature

    def mark_file(self, path: str, signature: str) -> None:
        """Remember that the file was read."""
        self.db.execute(
            "INSERT OR REPLACE INTO files (path, signature, at) VALUES (?, ?, ?)",
            (path, signature, self.clock()),
        )
