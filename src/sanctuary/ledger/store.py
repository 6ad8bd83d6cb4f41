"""Ledger storage: entries by identity hash, sequenced leaves, signed tree heads -- plus the purgeable
personal-data table.  No UPDATE or DELETE of the log tables exists in this code, and the database
refuses them (SQLite triggers; PostgreSQL triggers).  Personal rows may be deleted (purge) -- the
leaves commit only to a salted hash of them, so every proof stays valid."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (leaf_hash BLOB PRIMARY KEY, data BLOB NOT NULL);
-- A leaf's hash is unique through entries' key (a batch repeating a record fails on it), so leaves carry no
-- index of their own on it: every insert into a random-keyed index writes a page of its own in the commit.
CREATE TABLE IF NOT EXISTS leaves (
  idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, entry_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tree_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, checkpoint TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS personal (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS leaves_kind ON leaves(kind, idx);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS leaves_no_update BEFORE UPDATE ON leaves BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS leaves_no_delete BEFORE DELETE ON leaves BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_update BEFORE UPDATE ON tree_heads BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_delete BEFORE DELETE ON tree_heads BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS personal_no_update BEFORE UPDATE ON personal BEGIN SELECT RAISE(ABORT, 'personal data is never rewritten, only purged'); END;
-- A batch in one statement: each row is a leaf (with its record and personal data) or, with a root, the
-- batch's tree head.  The statement is its own transaction, so the batch is written whole or not at all.
CREATE VIEW IF NOT EXISTS append_rows AS SELECT NULL AS idx, NULL AS leaf_hash, NULL AS entry_id, NULL AS kind,
  NULL AS recorded_at, NULL AS data, NULL AS salt, NULL AS pdata, NULL AS root, NULL AS checkpoint WHERE 0;
CREATE TRIGGER IF NOT EXISTS append_rows_insert INSTEAD OF INSERT ON append_rows BEGIN
  INSERT INTO entries(leaf_hash, data) SELECT NEW.leaf_hash, NEW.data WHERE NEW.root IS NULL;
  INSERT INTO leaves(idx, leaf_hash, entry_id, kind, recorded_at)
    SELECT NEW.idx, NEW.leaf_hash, NEW.entry_id, NEW.kind, NEW.recorded_at WHERE NEW.root IS NULL;
  INSERT INTO personal(idx, salt, data) SELECT NEW.idx, NEW.salt, NEW.pdata WHERE NEW.root IS NULL AND NEW.pdata IS NOT NULL;
  INSERT INTO tree_heads(size, root, checkpoint, created_at)
    SELECT NEW.idx, NEW.root, NEW.checkpoint, NEW.recorded_at WHERE NEW.root IS NOT NULL;
END;
"""

PG_SCHEMA = """
-- Records and personal rows are a few KiB: kept in the table's own pages (up to a page's worth) rather
-- than moved to TOAST, where a sequential read turns into an index lookup per row (and personal data,
-- already compressed, gains nothing from PostgreSQL's compression).
CREATE TABLE IF NOT EXISTS entries (leaf_hash BYTEA PRIMARY KEY, data BYTEA NOT NULL) WITH (toast_tuple_target = 8160);
CREATE TABLE IF NOT EXISTS leaves (  -- no index on leaf_hash: as in SQLITE_SCHEMA
  idx BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL, entry_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tree_heads (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, checkpoint TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS personal (idx BIGINT PRIMARY KEY, salt BYTEA NOT NULL, data BYTEA NOT NULL)
  WITH (toast_tuple_target = 8160);
CREATE INDEX IF NOT EXISTS leaves_kind ON leaves(kind, idx);
ALTER TABLE entries SET (toast_tuple_target = 8160);  -- ledgers made before the setting: rows from now on
ALTER TABLE personal SET (toast_tuple_target = 8160);
CREATE OR REPLACE FUNCTION sanctuary_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'entries_append_only') THEN
    CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION sanctuary_append_only();
    CREATE TRIGGER leaves_append_only BEFORE UPDATE OR DELETE ON leaves FOR EACH ROW EXECUTE FUNCTION sanctuary_append_only();
    CREATE TRIGGER heads_append_only BEFORE UPDATE OR DELETE ON tree_heads FOR EACH ROW EXECUTE FUNCTION sanctuary_append_only();
    CREATE TRIGGER personal_no_update BEFORE UPDATE ON personal FOR EACH ROW EXECUTE FUNCTION sanctuary_append_only();
  END IF;
END $$;
"""

LeafRow = tuple[int, bytes, str, str, str, bytes]  # idx, leaf_hash, entry_id, kind, recorded_at, data
# idx, leaf hash, record, SHA-256(salt || stored personal bytes) (None once purged): the personal data itself
# is hashed where it is stored and never read out for a verification
FullRow = tuple[int, bytes, bytes | None, bytes | None]


class Store(Protocol):
    def transaction(self) -> Any: ...
    def size(self) -> int: ...
    def tail(self, start: int) -> list[bytes]: ...
    def last_of_kind(self, kind: str) -> int | None: ...
    def insert(self, leaves: Sequence[LeafRow], personal: Sequence[tuple[int, bytes, bytes]],
               head: tuple[int, bytes, str, str]) -> None: ...
    def iter_leaves(self) -> Iterator[tuple[int, bytes, bytes | None]]: ...
    def iter_kind(self, kinds: Sequence[str], start: int = 0) -> Iterator[tuple[int, bytes]]: ...
    def iter_full(self, start: int = 0, end: int | None = None) -> Iterator[FullRow]: ...
    def orphan_personal(self) -> list[int]: ...
    def heads(self) -> list[tuple[int, bytes, str]]: ...
    def latest_head(self) -> tuple[int, bytes, str] | None: ...
    def find(self, entry_id: str) -> tuple[int, bytes, bytes] | None: ...
    def personal(self, idx: int) -> tuple[bytes, bytes] | None: ...
    def iter_personal(self) -> Iterator[tuple[int, bytes, bytes]]: ...
    def purge(self, idxs: Sequence[int]) -> int: ...
    def entries_before(self, recorded_before: str) -> list[int]: ...
    def close(self) -> None: ...


PAGE = 10_000  # rows fetched at a time by a scan


def _rows(cur: Any) -> Iterator[Any]:
    while rows := cur.fetchmany(PAGE):
        yield from rows


def _personal_digests(rows: Iterator[tuple[int, Any, Any]]) -> Iterator[tuple[int, bytes]]:
    sha = hashlib.sha256
    for idx, salt, data in rows:
        yield idx, sha(salt + data).digest() if type(salt) is bytes and type(data) is bytes else b""


_AHEAD = 256          # records read past a leaf's expected place looking for its record
_HELD_AT_MOST = 100_000  # records held for later leaves before giving up on the stream


def _merge_full(leaves: Iterator[tuple[int, bytes]], records_from: Callable[[bytes], Iterator[tuple[bytes, bytes]]],
                lookup: Callable[[bytes], bytes | None], personal: Iterator[tuple[int, bytes]]) -> Iterator[FullRow]:
    """The join of leaves, records and personal digests, from three sequential scans.

    The records were inserted in leaf order, so the record stream (``records_from`` the first leaf's hash:
    that record and the ones stored after it) is read alongside the leaves.  Storage may place a record
    out of that order (PostgreSQL fills free space in earlier pages): records met before their leaf are
    held until it comes, a leaf whose record is not within the next few of the stream is looked up by its
    hash (so is everything, should the stream stop making sense).  The answer is the join's either way."""
    records: Iterator[tuple[bytes, bytes]] | None = None
    held: dict[bytes, bytes] = {}
    pers = next(personal, None)
    for idx, h in leaves:
        if records is None:  # the first leaf's record: the stream starts there
            records = records_from(h)
        data = held.pop(h, None)
        if data is None:
            budget = _AHEAD if len(held) < _HELD_AT_MOST else 0
            while budget:
                rec = next(records, None)
                if rec is None:
                    break
                if rec[0] == h:
                    data = rec[1]
                    break
                held[rec[0]] = rec[1]
                budget -= 1
            if data is None:
                data = lookup(h)
        while pers is not None and pers[0] < idx:  # personal data of no leaf: orphan_personal reports it
            pers = next(personal, None)
        if pers is not None and pers[0] == idx:
            yield idx, h, data, pers[1]
            pers = next(personal, None)
        else:
            yield idx, h, data, None


class SQLiteStore:
    """SQLite in WAL mode with synchronous=FULL: a committed transaction survives power loss."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=60)
        # 8 KiB pages for a new ledger (no effect on an existing file).  A record (about 1.4 KiB) and its
        # compressed personal row (about 0.4 KiB) would leave much of a 4 KiB page unused; larger pages
        # cost each commit more, since every random-keyed index insert writes a whole page to the WAL.
        # Measured at 1M entries: 8 KiB verifies as fast as 16 KiB (5.2-5.4 s against 5.1-5.5 s) and
        # appends 4-8 % faster.
        self._db.execute("PRAGMA page_size=8192")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SQLITE_SCHEMA)
        # The writer's own connection: a long scan (a report, a verification) holds a read transaction on
        # its connection, and on that connection a write after another process's commit is refused at
        # once (SQLITE_BUSY: its snapshot is stale), so appends would fail while the scan is open.
        self._w = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=60)
        self._w.execute("PRAGMA synchronous=FULL")
        self._lock = threading.RLock()
        self._lockfile = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time, across processes too: an exclusive lock on a sidecar file, so a second
        process waits in the kernel and wakes the moment the first commits (SQLite's own busy handler
        would poll with sleeps of up to 100 ms).  Every append goes through this lock, so what is read
        inside it (the log's size) stays true until the insert.  The insert is atomic by itself (see
        :meth:`insert`)."""
        with self._lock:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lockfile, fcntl.LOCK_UN)

    def size(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()[0])

    def tail(self, start: int) -> list[bytes]:
        """The leaf hashes from index ``start`` to the end (what others appended since)."""
        with self._lock:
            return [r[0] for r in self._w.execute("SELECT leaf_hash FROM leaves WHERE idx >= ? ORDER BY idx", (start,))]

    def last_of_kind(self, kind: str) -> int | None:
        """The index of the latest entry of ``kind`` (from the (kind, idx) index), or None."""
        return self._db.execute("SELECT MAX(idx) FROM leaves WHERE kind = ?", (kind,)).fetchone()[0]

    APPEND_WIDTH = 10  # columns of the append_rows view
    APPEND_ROWS = 32_766 // APPEND_WIDTH  # rows per statement under SQLite's bound-parameter limit

    def insert(self, leaves: Sequence[LeafRow], personal: Sequence[tuple[int, bytes, bytes]],
               head: tuple[int, bytes, str, str]) -> None:
        """The batch's records, leaves, personal rows and tree head, as rows of the ``append_rows`` view
        whose trigger files each part in its table.  A batch that fits one statement (up to
        :attr:`APPEND_ROWS` - 1 entries) is written by that statement alone, which SQLite commits
        atomically; a larger one is wrapped in a transaction.  Few statements matter here: the sqlite3
        module releases the GIL around every prepare and step, and while many threads are preparing
        entries, each time the writer wants it back it queues behind them.  Called inside
        :meth:`transaction`, on the writer's connection."""
        pers = {i: (salt, data) for i, salt, data in personal}
        rows: list[tuple[Any, ...]] = [(*r[:5], r[5], *pers.get(r[0], (None, None)), None, None) for r in leaves]
        size, root, note, created = head
        rows.append((size, None, None, None, created, None, None, None, root, note))
        one = "(" + ",".join("?" * self.APPEND_WIDTH) + ")"
        chunks = [rows[i:i + self.APPEND_ROWS] for i in range(0, len(rows), self.APPEND_ROWS)]
        if len(chunks) > 1:
            self._w.execute("BEGIN IMMEDIATE")
        try:
            for chunk in chunks:
                self._w.execute("INSERT INTO append_rows VALUES " + ",".join([one] * len(chunk)),
                                [v for row in chunk for v in row])
        except BaseException:
            if self._w.in_transaction:
                self._w.execute("ROLLBACK")
            raise
        if len(chunks) > 1:
            self._w.execute("COMMIT")

    def iter_leaves(self) -> Iterator[tuple[int, bytes, bytes | None]]:
        cur = self._db.execute("SELECT l.idx, l.leaf_hash, e.data FROM leaves l LEFT JOIN entries e "
                               "ON e.leaf_hash = l.leaf_hash ORDER BY l.idx")
        while rows := cur.fetchmany(PAGE):
            yield from rows

    def iter_full(self, start: int = 0, end: int | None = None) -> Iterator[FullRow]:
        """(idx, leaf_hash, leaf data, personal digest) in index order, by three sequential scans merged
        (:func:`_merge_full`) rather than a join that looks every record up by its hash.  The personal
        digest is SHA-256(salt || stored bytes); a salt or data rewritten as another type gets an empty
        digest, which matches no commitment."""
        end = end if end is not None else 2**62
        db = self._db

        def records_from(h: bytes) -> Iterator[tuple[bytes, bytes]]:
            first = db.execute("SELECT rowid FROM entries WHERE leaf_hash = ?", (h,)).fetchone()
            return _rows(db.execute("SELECT leaf_hash, data FROM entries WHERE rowid >= ? ORDER BY rowid",
                                    (first[0] if first else 2**62,)))

        def lookup(h: bytes) -> bytes | None:
            row = db.execute("SELECT data FROM entries WHERE leaf_hash = ?", (h,)).fetchone()
            return None if row is None else row[0]
        return _merge_full(
            _rows(db.execute("SELECT idx, leaf_hash FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end))),
            records_from, lookup,
            _personal_digests(_rows(db.execute("SELECT idx, salt, data FROM personal WHERE idx >= ? AND idx < ? "
                                               "ORDER BY idx", (start, end)))))

    def orphan_personal(self) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT p.idx FROM personal p LEFT JOIN leaves l ON l.idx = p.idx WHERE l.idx IS NULL LIMIT 10")]

    def iter_kind(self, kinds: Sequence[str], start: int = 0) -> Iterator[tuple[int, bytes]]:
        """(idx, leaf data) of the entries of the given kinds from ``start``, in index order."""
        marks = ",".join("?" * len(kinds))
        cur = self._db.execute(f"SELECT l.idx, e.data FROM leaves l JOIN entries e ON e.leaf_hash = l.leaf_hash "
                               f"WHERE l.kind IN ({marks}) AND l.idx >= ? ORDER BY l.idx", (*kinds, start))
        while rows := cur.fetchmany(PAGE):
            yield from rows

    def heads(self) -> list[tuple[int, bytes, str]]:
        return list(self._db.execute("SELECT size, root, checkpoint FROM tree_heads ORDER BY size"))

    def latest_head(self) -> tuple[int, bytes, str] | None:
        return self._db.execute("SELECT size, root, checkpoint FROM tree_heads ORDER BY size DESC LIMIT 1").fetchone()

    def find(self, entry_id: str) -> tuple[int, bytes, bytes] | None:
        return self._db.execute("SELECT l.idx, l.leaf_hash, e.data FROM leaves l JOIN entries e "
                                "ON e.leaf_hash = l.leaf_hash WHERE l.entry_id = ?", (entry_id,)).fetchone()

    def personal(self, idx: int) -> tuple[bytes, bytes] | None:
        return self._db.execute("SELECT salt, data FROM personal WHERE idx = ?", (idx,)).fetchone()

    def iter_personal(self) -> Iterator[tuple[int, bytes, bytes]]:
        cur = self._db.execute("SELECT idx, salt, data FROM personal ORDER BY idx")
        while rows := cur.fetchmany(PAGE):
            yield from rows

    def entries_before(self, recorded_before: str) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT l.idx FROM leaves l JOIN personal p ON p.idx = l.idx WHERE l.recorded_at < ?", (recorded_before,))]

    def purge(self, idxs: Sequence[int]) -> int:
        with self._lock:
            cur = self._db.executemany("DELETE FROM personal WHERE idx = ?", [(i,) for i in idxs])
            return cur.rowcount

    def close(self) -> None:
        self._w.close()
        self._db.close()
        os.close(self._lockfile)


class PostgresStore:
    """PostgreSQL (psycopg 3).  Appends take a transaction-level advisory lock, so writers in any number
    of processes are serialised; synchronous_commit stays on (durable commits).

    An append is two round trips, on a connection of its own in pipeline mode: BEGIN, the lock and the
    leaves appended since (:meth:`tail`) in one, the inserts and COMMIT in the other.  Every round trip
    counts twice over, since the lock is held across it and, in a busy web worker, the writer thread
    waits for the GIL when the answer comes back (one to two milliseconds measured under load, nine
    round trips before).  The writer's transaction took 9.6 ms for 8 entries instead of 11.5; this alone
    did not move the API's throughput beyond the machine's noise (the two cores were 84 % busy).
    Reads use the other connection, so they never run inside the writer's open transaction."""

    LOCK = 7_284_6  # advisory lock key

    def __init__(self, url: str) -> None:
        import psycopg
        self._psycopg = psycopg
        self.url = url
        self._db = psycopg.connect(url, autocommit=True)
        with self._db.cursor() as c:
            c.execute("SELECT pg_advisory_lock(%s)", (self.LOCK,))
            try:
                c.execute(PG_SCHEMA)
            finally:
                c.execute("SELECT pg_advisory_unlock(%s)", (self.LOCK,))
        self._w = psycopg.connect(url, autocommit=True)  # the writer's
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self._w.pipeline(), self._w.transaction():
            self._w.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK,))
            yield

    def size(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()[0])

    def tail(self, start: int) -> list[bytes]:
        """The leaf hashes from index ``start`` to the end; inside :meth:`transaction`, what the lock
        lets this writer append after."""
        # Planned afresh each time: psycopg prepares a statement after five runs, and the plan made then,
        # while the table was small, took 1.5 ms a call instead of 0.1 after a burst of appends (measured
        # with 30,000 leaves), all of it inside the append lock.
        with self._lock:
            return [bytes(r[0]) for r in self._w.execute(
                "SELECT leaf_hash FROM leaves WHERE idx >= %s ORDER BY idx", (start,), binary=True,
                prepare=False).fetchall()]

    def last_of_kind(self, kind: str) -> int | None:
        """The index of the latest entry of ``kind`` (from the (kind, idx) index), or None."""
        return self._db.execute("SELECT MAX(idx) FROM leaves WHERE kind = %s", (kind,)).fetchone()[0]

    MAX_PARAMS = 65_535  # bound parameters in one statement (the protocol's limit)

    def insert(self, leaves: Sequence[LeafRow], personal: Sequence[tuple[int, bytes, bytes]],
               head: tuple[int, bytes, str, str]) -> None:
        """Each table's rows in multi-row INSERTs (as many rows as the parameter limit allows), not one
        execution per row: per entry, 107 -> 73-80 us of the writer's CPU and 127 -> 107-119 us of the
        server's (batches of 8, interleaved runs)."""
        with self._lock, self._w.cursor() as c:
            self._rows(c, "entries(leaf_hash, data)", [(r[1], r[5]) for r in leaves])
            self._rows(c, "leaves(idx, leaf_hash, entry_id, kind, recorded_at)", [r[:5] for r in leaves])
            self._rows(c, "personal(idx, salt, data)", personal)
            c.execute("INSERT INTO tree_heads(size, root, checkpoint, created_at) VALUES (%s,%s,%s,%s)", head)

    def _rows(self, c: Any, into: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        width = len(rows[0])
        one = "(" + ",".join(["%s"] * width) + ")"
        step = self.MAX_PARAMS // width
        for i in range(0, len(rows), step):
            chunk = rows[i:i + step]
            c.execute(f"INSERT INTO {into} VALUES " + ",".join([one] * len(chunk)), [v for r in chunk for v in r])

    def iter_leaves(self) -> Iterator[tuple[int, bytes, bytes | None]]:
        with self._db.cursor() as c:
            c.execute("SELECT l.idx, l.leaf_hash, e.data FROM leaves l LEFT JOIN entries e "
                      "ON e.leaf_hash = l.leaf_hash ORDER BY l.idx")
            while rows := c.fetchmany(PAGE):
                for i, h, d in rows:
                    yield i, bytes(h), None if d is None else bytes(d)

    def iter_full(self, start: int = 0, end: int | None = None) -> Iterator[FullRow]:
        """As :meth:`SQLiteStore.iter_full`: three scans merged (:func:`_merge_full`), the records read in
        their physical order from the first leaf's (a TID range scan), instead of a join that looks each up
        in the hash index.  Server-side cursors with binary results: rows stream in pages, byte strings
        arrive as they are.  The server hashes the personal rows (``sha256(salt || data)``): the verifier
        never reads personal data, and a scan sends 32 bytes for each row instead of its few KiB."""
        end = end if end is not None else 2**62
        # its own connection: the cursors need a transaction, and on the shared connection an append made
        # meanwhile by the writer thread would become a savepoint inside it, not a durable commit
        db = self._psycopg.connect(self.url, autocommit=True)
        try:
            with db.transaction():
                db.execute("SET LOCAL jit = off")  # compiling the plan costs more than it saves here
                db.execute("SET LOCAL synchronize_seqscans = off")  # a scan starting mid-table would reorder

                def cursor(name: str, sql: str, args: tuple[Any, ...]) -> Iterator[Any]:
                    c = db.cursor(name=f"sanctuary_{name}", binary=True)
                    c.execute(sql, args)
                    try:
                        yield from _rows(c)
                    finally:
                        c.close()

                def records_from(h: bytes) -> Iterator[tuple[bytes, bytes]]:
                    first = db.execute("SELECT ctid FROM entries WHERE leaf_hash = %s", (h,)).fetchone()
                    if first is None:
                        return iter(())
                    return cursor("records", "SELECT leaf_hash, data FROM entries WHERE ctid >= %s::tid", (first[0],))

                def lookup(h: bytes) -> bytes | None:
                    row = db.execute("SELECT data FROM entries WHERE leaf_hash = %s", (h,), binary=True).fetchone()
                    return None if row is None else row[0]
                yield from _merge_full(
                    cursor("leaves", "SELECT idx, leaf_hash FROM leaves WHERE idx >= %s AND idx < %s ORDER BY idx",
                           (start, end)),
                    records_from, lookup,
                    cursor("personal", "SELECT idx, sha256(salt || data) FROM personal WHERE idx >= %s AND idx < %s "
                           "ORDER BY idx",
                           (start, end)))
        finally:
            db.close()

    def orphan_personal(self) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT p.idx FROM personal p LEFT JOIN leaves l ON l.idx = p.idx WHERE l.idx IS NULL LIMIT 10")]

    def iter_kind(self, kinds: Sequence[str], start: int = 0) -> Iterator[tuple[int, bytes]]:
        with self._db.cursor(binary=True) as c:  # records arrive as bytes, not hex text (reports read many)
            c.execute("SELECT l.idx, e.data FROM leaves l JOIN entries e ON e.leaf_hash = l.leaf_hash "
                      "WHERE l.kind = ANY(%s) AND l.idx >= %s ORDER BY l.idx", (list(kinds), start))
            while rows := c.fetchmany(PAGE):
                for i, d in rows:
                    yield i, bytes(d)

    def heads(self) -> list[tuple[int, bytes, str]]:
        return [(s, bytes(r), c) for s, r, c in self._db.execute("SELECT size, root, checkpoint FROM tree_heads ORDER BY size")]

    def latest_head(self) -> tuple[int, bytes, str] | None:
        r = self._db.execute("SELECT size, root, checkpoint FROM tree_heads ORDER BY size DESC LIMIT 1").fetchone()
        return None if r is None else (r[0], bytes(r[1]), r[2])

    def find(self, entry_id: str) -> tuple[int, bytes, bytes] | None:
        r = self._db.execute("SELECT l.idx, l.leaf_hash, e.data FROM leaves l JOIN entries e "
                             "ON e.leaf_hash = l.leaf_hash WHERE l.entry_id = %s", (entry_id,)).fetchone()
        return None if r is None else (r[0], bytes(r[1]), bytes(r[2]))

    def personal(self, idx: int) -> tuple[bytes, bytes] | None:
        r = self._db.execute("SELECT salt, data FROM personal WHERE idx = %s", (idx,)).fetchone()
        return None if r is None else (bytes(r[0]), bytes(r[1]))

    def iter_personal(self) -> Iterator[tuple[int, bytes, bytes]]:
        for i, s, d in self._db.execute("SELECT idx, salt, data FROM personal ORDER BY idx"):
            yield i, bytes(s), bytes(d)

    def entries_before(self, recorded_before: str) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT l.idx FROM leaves l JOIN personal p ON p.idx = l.idx WHERE l.recorded_at < %s", (recorded_before,))]

    def purge(self, idxs: Sequence[int]) -> int:
        with self._lock, self._db.cursor() as c:
            c.execute("DELETE FROM personal WHERE idx = ANY(%s)", (list(idxs),))
            return c.rowcount

    def close(self) -> None:
        self._w.close()
        self._db.close()


def open_store(url_or_path: str | Path) -> SQLiteStore | PostgresStore:
    s = str(url_or_path)
    if s.startswith(("postgresql://", "postgres://")):
        return PostgresStore(s)
    if s.startswith("sqlite:///"):
        s = s[len("sqlite:///"):]
    return SQLiteStore(s)
