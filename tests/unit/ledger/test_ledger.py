"""The ledger loses nothing and any change is detected, with the index named."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary.errors import IntegrityError, LedgerError, ProofError
from sanctuary.ledger import store as store_mod
from sanctuary.ledger.checkpoint import Verifier
from sanctuary.ledger.service import Ledger, verify_receipt
from sanctuary.ledger.store import SQLiteStore, open_store


def _fill(lg: Ledger, n: int) -> None:
    for i in range(n):
        lg.append("decision", f"d{i}", {"i": i, "agency": "lasd"}, {"booking": f"B{i}"})


def _raw(lg: Ledger) -> sqlite3.Connection:
    db = sqlite3.connect(lg.store.path)
    for t in ("entries_no_update", "leaves_no_update", "heads_no_update", "entries_no_delete", "leaves_no_delete",
              "heads_no_delete", "personal_no_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {t}")  # an attacker with file access
    return db


def test_receipts_and_checkpoints(ledger: Ledger) -> None:
    _fill(ledger, 20)
    cp = Verifier(ledger.signer.verifier_key).verify(ledger.checkpoint())
    assert cp.size == 20
    r = verify_receipt(ledger.prove("d7"), ledger.signer.verifier_key)
    assert r["entry"]["public"]["i"] == 7 and r["key_pinned"]
    assert ledger.verify()["ok"]


def test_receipt_tamper_is_rejected(ledger: Ledger) -> None:
    _fill(ledger, 5)
    rec = ledger.prove("d3")
    bad = dict(rec, leaf_index=2)
    with pytest.raises(ProofError):
        verify_receipt(bad)
    other = Ledger(SQLiteStore(ledger.store.path.with_name("other.db")), _other_signer(ledger))
    with pytest.raises(ProofError):
        verify_receipt(rec, other.signer.verifier_key)


def _other_signer(lg: Ledger):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sanctuary.ledger.checkpoint import Signer
    return Signer(lg.signer.name, Ed25519PrivateKey.generate())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_single_byte_change_is_detected_and_named(ledger: Ledger, data: st.DataObject) -> None:
    if ledger.size() == 0:
        _fill(ledger, 12)
    db = _raw(ledger)
    table = data.draw(st.sampled_from(["entries.data", "entries.leaf_hash", "leaves.leaf_hash", "tree_heads.root",
                                       "tree_heads.checkpoint", "personal.data", "personal.salt"]))
    tbl, col = table.split(".")
    key = {"entries": "leaf_hash", "leaves": "idx", "tree_heads": "size", "personal": "idx"}[tbl]
    rows = db.execute(f"SELECT {key}, {col} FROM {tbl}").fetchall()
    k, val = data.draw(st.sampled_from(rows))
    blob = bytearray(val.encode() if isinstance(val, str) else val)
    pos = data.draw(st.integers(0, len(blob) - 1))
    blob[pos] ^= data.draw(st.integers(1, 255))
    new = bytes(blob).decode("latin-1") if isinstance(val, str) else bytes(blob)
    db.execute(f"UPDATE {tbl} SET {col} = ? WHERE {key} = ?", (new, k))
    db.commit()
    try:
        with pytest.raises(IntegrityError) as e:
            ledger.verify()
        assert e.value.details["index"] is not None
    finally:
        where = new if col == key else k  # the tampered column may be the row's own key
        db.execute(f"UPDATE {tbl} SET {col} = ? WHERE {key} = ?", (val, where))
        db.commit()
    assert ledger.verify()["ok"]


def test_truncation_is_detected_against_a_saved_checkpoint(ledger: Ledger) -> None:
    _fill(ledger, 10)
    saved = ledger.checkpoint()
    db = _raw(ledger)
    db.execute("DELETE FROM tree_heads WHERE size > 6")
    db.execute("DELETE FROM entries WHERE leaf_hash IN (SELECT leaf_hash FROM leaves WHERE idx >= 6)")
    db.execute("DELETE FROM leaves WHERE idx >= 6")
    db.execute("DELETE FROM personal WHERE idx >= 6")
    db.commit()
    fresh = Ledger(SQLiteStore(ledger.store.path), ledger.signer)
    assert fresh.verify()["tree_size"] == 6  # consistent on its own ...
    with pytest.raises(IntegrityError, match="truncated"):
        fresh.verify(saved)  # ... but not against what was published


def test_database_refuses_update_and_delete(ledger: Ledger) -> None:
    _fill(ledger, 2)
    db = sqlite3.connect(ledger.store.path)
    for sql in ("UPDATE entries SET data = x'00'", "DELETE FROM leaves", "UPDATE tree_heads SET root = x'00'",
                "DELETE FROM tree_heads", "UPDATE personal SET data = x'00'"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)


def test_purge_removes_personal_data_and_keeps_proofs(ledger: Ledger) -> None:
    _fill(ledger, 8)
    receipt = ledger.prove("d2")
    saved = ledger.checkpoint()
    n = ledger.purge_personal(dt.date.today() + dt.timedelta(days=1), "retention test")
    assert n == 8
    assert ledger.get("d2")["personal"] is None
    assert not list(ledger.store.iter_personal())
    rep = ledger.verify(saved)
    assert rep["ok"] and rep["personal_purged"] == 8
    assert verify_receipt(receipt)["ok"]


def test_concurrent_appends_lose_nothing(ledger: Ledger) -> None:
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(50):
                ledger.append("decision", f"c{k}-{i}", {"k": k, "i": i}, None)
        except BaseException as e:  # pragma: no cover - surfaced below
            errors.append(e)
    ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert ledger.size() == 400
    assert all(ledger.get(f"c{k}-{i}") for k in range(8) for i in range(50))
    assert ledger.verify()["ok"]


def test_a_failed_commit_returns_no_receipt(ledger: Ledger) -> None:
    _fill(ledger, 1)
    with pytest.raises(LedgerError, match="could not record d0"):
        ledger.append("decision", "d0", {"dup": True}, None)  # duplicate id: the store refuses
    assert ledger.size() == 1 and ledger.verify()["ok"]
    ledger.append("decision", "d1", {}, None)
    assert ledger.size() == 2 and ledger.verify()["ok"]


def test_a_record_written_again_is_refused(ledger: Ledger) -> None:
    """Leaves carry no index on their hash (entries' key already makes it unique): the same sealed record
    written again, alone or twice in one batch, is refused and the log stays as it was."""
    from sanctuary.ledger.service import _held_lock, _Pending

    p = _Pending.prepare("decision", "once", {"i": 0}, {"p": 0})
    ledger._write([p])
    assert p.error is None
    again = _Pending.prepare("decision", "twice", {"i": 1}, None)
    for batch in ([p], [again, dataclasses.replace(again)]):
        for q in batch:
            q.error, q.done = None, _held_lock()
        ledger._write(batch)
        assert all(isinstance(q.error, LedgerError) for q in batch)
    assert ledger.size() == 1 and ledger.verify()["ok"]


def test_parallel_verification_equals_serial(ledger: Ledger) -> None:
    _fill(ledger, 300)
    one = ledger.verify(workers=1)
    two = ledger.verify(workers=2)
    assert one["root"] == two["root"] and two["workers"] == 2
    db = _raw(ledger)
    db.execute("UPDATE entries SET data = data || x'20' WHERE leaf_hash = (SELECT leaf_hash FROM leaves WHERE idx = 250)")
    db.commit()
    with pytest.raises(IntegrityError) as e:
        ledger.verify(workers=2)
    assert e.value.details["index"] == 250


def test_personal_records_written_before_dictionaries_still_read_and_verify(ledger: Ledger,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Personal records are Zstandard with a shipped dictionary now; those written before (plain
    Zstandard, and zlib before that) are told apart by their frame and still read and verify."""
    import zlib

    import zstandard

    from sanctuary.ledger import compression, service

    with monkeypatch.context() as m:
        m.setattr(service, "pack_personal", lambda b: zlib.compress(b, 1))
        ledger.append("decision", "zlib", {"i": 0}, {"booking": "B-zlib"})
        m.setattr(service, "pack_personal", lambda b: zstandard.ZstdCompressor(level=1).compress(b))
        ledger.append("decision", "plain", {"i": 1}, {"booking": "B-plain"})
    ledger.append("decision", "dict", {"i": 2}, {"booking": "B-dict"})
    stored = {i: data for i, _, data in ledger.store.iter_personal()}
    assert stored[0][:1] == b"\x78"
    assert [zstandard.get_frame_parameters(stored[i]).dict_id for i in (1, 2)] == [0, compression.CURRENT]
    for name in ("zlib", "plain", "dict"):
        assert ledger.get(name)["personal"] == {"booking": f"B-{name}"}
    assert ledger.verify()["ok"]


def test_records_stored_out_of_leaf_order_still_verify(ledger: Ledger) -> None:
    """Verification reads the records alongside the leaves (they are inserted in leaf order) and looks a
    record up by its hash when it is not next: a table rebuilt in another order verifies the same."""
    _fill(ledger, 30)
    db = _raw(ledger)
    db.executescript("DROP TRIGGER append_rows_insert;"  # it names the table (the store puts it back on open)
                     "CREATE TABLE e2 (leaf_hash BLOB PRIMARY KEY, data BLOB NOT NULL);"
                     "INSERT INTO e2 SELECT leaf_hash, data FROM entries ORDER BY rowid DESC;"
                     "DROP TABLE entries; ALTER TABLE e2 RENAME TO entries;")
    db.close()
    rep = ledger.verify()
    assert rep["ok"] and rep["tree_size"] == 30
    db = _raw(ledger)
    db.execute("DELETE FROM entries WHERE rowid = (SELECT MIN(rowid) FROM entries)")  # the last leaf's record
    db.commit()
    db.close()
    with pytest.raises(IntegrityError) as e:
        ledger.verify()
    assert e.value.details["index"] == 29


@pytest.mark.parametrize("rows_per_statement", [None, 3])
def test_a_batch_is_written_whole_or_not_at_all(ledger: Ledger, monkeypatch: pytest.MonkeyPatch,
                                                rows_per_statement: int | None) -> None:
    """A batch is one INSERT (atomic by itself) or, when it needs several, one transaction: a duplicate at
    its end leaves none of it behind, in the database or in the tree."""
    from sanctuary.ledger.service import _Pending

    if rows_per_statement:
        monkeypatch.setattr(SQLiteStore, "APPEND_ROWS", rows_per_statement)
    _fill(ledger, 2)
    batch = [_Pending.prepare("decision", f"b{i}", {"i": i}, {"p": i}) for i in range(7)]
    batch.append(_Pending.prepare("decision", "d1", {"dup": True}, None))
    ledger._write(batch)
    assert all(isinstance(p.error, LedgerError) for p in batch)
    assert ledger.size() == 2 and ledger.get("b0") is None
    assert ledger.store.personal(2) is None and len(ledger.store.heads()) == 2
    ok = [_Pending.prepare("decision", f"b{i}", {"i": i}, {"p": i}) for i in range(7)]
    ledger._write(ok)
    assert [p.receipt["ledger_index"] for p in ok] == list(range(2, 9))  # type: ignore[index]
    assert ledger.get("b6")["personal"] == {"p": 6}  # type: ignore[index]
    assert ledger.verify()["ok"] and ledger.verify()["tree_heads"] == 3


def test_an_entry_that_cannot_be_encoded_fails_alone(ledger: Ledger) -> None:
    """Entries are sealed off the caller's thread; a bad one gets its own error back and the rest go on."""
    errors: list[BaseException] = []

    def bad() -> None:
        try:
            ledger.append("decision", "bad", {"x": object()}, None)
        except TypeError as e:
            errors.append(e)
    ts = [threading.Thread(target=bad)] + [threading.Thread(target=_fill, args=(ledger, 1))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(errors) == 1 and ledger.size() == 1 and ledger.get("bad") is None
    ledger.close()
    with pytest.raises(LedgerError, match="closed"):
        ledger.append("decision", "late", {}, None)


def test_merged_scans_hold_records_stored_ahead_of_their_leaf() -> None:
    """PostgreSQL may store a record in free space ahead of its place: the merge holds it until its leaf
    comes rather than losing the stream, and looks up only what the stream does not hold nearby."""
    from sanctuary.ledger.store import _merge_full

    leaves = [(i, bytes([i]) * 32) for i in range(6)]
    stored = {h: b"rec%d" % i for i, h in leaves}
    order = [0, 3, 1, 2, 5, 4]  # 3 and 5 stored early; 0's record starts the stream
    looked: list[bytes] = []

    def lookup(h: bytes) -> bytes | None:
        looked.append(h)
        return stored.get(h)
    personal = iter([(2, b"digest2")])
    rows = list(_merge_full(iter(leaves), lambda h: iter([(leaves[i][1], stored[leaves[i][1]]) for i in order]),
                            lookup, personal))
    assert [(r[0], r[2], r[3]) for r in rows] == [(i, b"rec%d" % i, b"digest2" if i == 2 else None) for i in range(6)]
    assert looked == []
    # a stream that lacks a record: that one is looked up (and a missing one comes back as None)
    del stored[leaves[4][1]]
    rows = list(_merge_full(iter(leaves), lambda h: iter([(leaves[i][1], stored[leaves[i][1]]) for i in (0, 1, 2, 3, 5)]),
                            lookup, iter(())))
    assert [r[2] for r in rows] == [b"rec0", b"rec1", b"rec2", b"rec3", None, b"rec5"] and looked == [leaves[4][1]]


def test_an_append_during_a_verification_scan_is_committed_at_once(ledger: Ledger) -> None:
    """A batch is one autocommit statement; a verification scan left open on the same connection must
    not hold it back from being committed (seen from another connection)."""
    _fill(ledger, 30)
    scan = ledger.store.iter_full(0, 30)
    assert next(scan)[0] == 0
    ledger.append("decision", "during-scan", {}, None)
    db = sqlite3.connect(ledger.store.path)
    assert db.execute("SELECT count(*) FROM leaves WHERE entry_id = 'during-scan'").fetchone()[0] == 1
    db.close()
    assert [r[0] for r in scan] == list(range(1, 30))


def test_appends_awaited_on_an_event_loop_share_commits_and_get_their_own_errors(ledger: Ledger) -> None:
    """append_async is the same group commit, awaited: many appends on one loop are committed together
    (fewer tree heads than entries), each gets its own receipt after the commit, a refused one gets its
    error, and a closed ledger refuses."""
    import asyncio

    async def run(n: int) -> list[dict[str, Any]]:
        return await asyncio.gather(*(ledger.append_async("decision", f"a{i}", {"i": i}, {"p": i}) for i in range(n)))
    receipts = asyncio.run(run(200))
    assert [r["entry_id"] for r in receipts] == [f"a{i}" for i in range(200)]
    assert sorted(r["ledger_index"] for r in receipts) == list(range(200))
    assert ledger.size() == 200 and ledger.verify()["ok"] and len(ledger.store.heads()) < 100
    assert ledger.get("a150")["personal"] == {"p": 150}  # type: ignore[index]
    with pytest.raises(LedgerError, match="could not record a7"):
        asyncio.run(ledger.append_async("decision", "a7", {"dup": True}, None))  # the same id: the store refuses
    ledger.close()
    with pytest.raises(LedgerError, match="closed"):
        asyncio.run(ledger.append_async("decision", "late", {}, None))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_reads_that_catch_up_with_another_writer_do_not_race_this_ones_appends(kind: str, tmp_path, signer,
                                                                               request: pytest.FixtureRequest) -> None:
    """Two ledgers on one store (two processes), one of them also read by other threads: each read that
    finds the other's entries adds them to the in-memory tree, as the writer's own commit does.  Done by
    both at once, a leaf would go in twice and the next signed root would be wrong."""
    url = str(tmp_path / "shared.db") if kind == "sqlite" else request.getfixturevalue("pg_url")
    a, b = Ledger(open_store(url), signer), Ledger(open_store(url), signer)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                a.size()
            except BaseException as e:  # pragma: no cover - surfaced below
                errors.append(e)

    def write(lg: Ledger, k: int) -> None:
        for i in range(150):
            lg.append("decision", f"{k}-{i}", {"i": i}, None)
    readers = [threading.Thread(target=read) for _ in range(3)]
    writers = [threading.Thread(target=write, args=(lg, k)) for k, lg in enumerate((a, b, a, b))]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert a.size() == b.size() == 600
    assert a.verify()["ok"]
    for k in range(4):
        assert verify_receipt(a.prove(f"{k}-7"))["entry"]["public"] == {"i": 7}
    a.close()
    b.close()


def test_a_scan_left_open_does_not_refuse_appends_after_another_process_wrote(tmp_path, signer,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Two web workers on one SQLite file: one streams a long scan (the public statistics, a report)
    while the other appends.  The scan's read transaction must not be the one the first worker's next
    append is written in: a write on a stale snapshot is refused at once."""
    monkeypatch.setattr(store_mod, "PAGE", 5)  # a scan longer than one page stays open
    a, b = Ledger(SQLiteStore(tmp_path / "shared.db"), signer), Ledger(SQLiteStore(tmp_path / "shared.db"), signer)
    _fill(a, 30)
    scan = a.store.iter_kind(["decision"])
    assert next(scan)[0] == 0
    b.append("decision", "from-b", {}, None)
    receipt = a.append("decision", "from-a", {}, None)
    assert receipt["ledger_index"] == 31
    assert [i for i, _ in scan] == list(range(1, 30))  # the scan's own snapshot
    assert a.verify()["ok"] and b.size() == 32
    a.close()
    b.close()
