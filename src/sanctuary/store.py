"""Durable decision records (SQLite, WAL, synchronous=FULL): a decision is returned only after its
record is committed.  The Merkle ledger (issue #4) will sit on top of this append-only table."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .engine.models import Decision

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  agency TEXT NOT NULL,
  as_of TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""


class DecisionStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def record(self, d: Decision) -> Decision:
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        body = d.model_dump(mode="json", exclude={"receipt"})
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT INTO decisions(id, agency, as_of, recorded_at, record) VALUES (?,?,?,?,?)",
                    (d.decision_id, d.agency, d.as_of.isoformat(), now, json.dumps(body, sort_keys=True)))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return d.model_copy(update={"receipt": {"id": d.decision_id, "seq": cur.lastrowid, "recorded_at": now,
                                                "store": "sqlite"}})

    def get(self, decision_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT record, seq, recorded_at FROM decisions WHERE id=?", (decision_id,)).fetchone()
        if row is None:
            return None
        rec = json.loads(row[0])
        rec["receipt"] = {"id": decision_id, "seq": row[1], "recorded_at": row[2], "store": "sqlite"}
        return rec

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        self._db.close()
