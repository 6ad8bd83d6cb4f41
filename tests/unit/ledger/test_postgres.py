"""The same ledger on PostgreSQL: append, verify, prove, purge, refuse rewrites, survive SIGKILL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from sanctuary.errors import IntegrityError
from sanctuary.ledger.service import Ledger, verify_receipt
from sanctuary.ledger.store import PostgresStore, open_store


def test_postgres_ledger(pg_url: str, signer) -> None:
    lg = Ledger(open_store(pg_url), signer)
    assert isinstance(lg.store, PostgresStore)

    def work(k: int) -> None:
        for i in range(40):
            lg.append("decision", f"p{k}-{i}", {"k": k, "i": i}, {"booking": f"B{k}{i}"})
    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert lg.size() == 160
    saved = lg.checkpoint()
    assert verify_receipt(lg.prove("p2-7"))["entry"]["public"] == {"k": 2, "i": 7}
    lg.append("decision", "later", {}, None)
    assert lg.verify(saved)["consistent_with"]["size"] == 160
    assert lg.purge_personal(dt.date.today() + dt.timedelta(days=1), "test") == 160
    assert lg.verify()["ok"] and lg.get("p0-0")["personal"] is None
    # a second process (here: a second connection) sees the same log and appends after it
    other = Ledger(open_store(pg_url), signer)
    other.append("decision", "from-other", {}, None)
    lg.append("decision", "back-again", {}, None)
    assert lg.verify()["tree_size"] == other.size() == 164
    other.close()
    lg.close()


def test_postgres_refuses_rewrites_and_detects_tamper(pg_url: str, signer) -> None:
    import psycopg
    lg = Ledger(open_store(pg_url), signer)
    for i in range(5):
        lg.append("decision", f"x{i}", {"i": i}, None)
    with psycopg.connect(pg_url, autocommit=True) as c:
        for sql in ("UPDATE entries SET data = '\\x00'", "DELETE FROM leaves", "DELETE FROM tree_heads"):
            with pytest.raises(psycopg.errors.RaiseException):
                c.execute(sql)
        c.execute("ALTER TABLE entries DISABLE TRIGGER USER")  # an attacker with the owner's rights
        c.execute("UPDATE entries SET data = overlay(data placing '\\x21' from 10 for 1) WHERE leaf_hash = "
                  "(SELECT leaf_hash FROM leaves WHERE idx = 3)")
    with pytest.raises(IntegrityError) as e:
        lg.verify()
    assert e.value.details["index"] == 3
    lg.close()


def test_postgres_sigkill(pg_url: str, signer, tmp_path) -> None:
    from .test_crash import crash_rounds
    assert crash_rounds(pg_url, tmp_path / "keys" / "ledger.key", signer, rounds=3, seed=5) > 10


def test_api_on_postgres(pg_url: str, signer, base_request: dict) -> None:
    """The application tables (Alembic on PostgreSQL) and the ledger, through the API."""
    from fastapi.testclient import TestClient

    from sanctuary.api.app import create_app
    from sanctuary.auth import create_user, issue_token
    from sanctuary.service import Sanctuary, open_sessions
    sessions = open_sessions(pg_url)
    lg = Ledger(open_store(pg_url), signer)
    with sessions.begin() as db:
        _, clerk = issue_token(db, create_user(db, "clerk", "clerk", "lasd"))
        _, counsel = issue_token(db, create_user(db, "counsel", "counsel", None))
    svc = Sanctuary(lg, sessions=sessions)
    req = dict(base_request, as_of="2019-03-02", subject={**base_request["subject"], "csar_registrant": None})  # a review
    with TestClient(create_app(svc, sessions)) as c:
        d = c.post("/v1/decisions", json=req, headers={"Authorization": f"Bearer {clerk}"}).json()
        assert d["receipt"]["ledger_index"] >= 1
        queue = c.get("/v1/reviews", headers={"Authorization": f"Bearer {counsel}"}).json()
        assert [q["decision_id"] for q in queue] == [d["decision_id"]]
        assert c.get("/v1/users", headers={"Authorization": f"Bearer {counsel}"}).status_code == 403
    assert lg.verify()["ok"]
    lg.close()
    sessions.kw["bind"].dispose()


def test_an_append_during_a_verification_scan_is_committed_at_once(pg_url: str, signer) -> None:
    """The verification scan holds a transaction open; an append made meanwhile on the same store must
    still be its own durable commit (seen from another connection), not a savepoint inside that scan."""
    import psycopg
    lg = Ledger(open_store(pg_url), signer)
    for i in range(30):
        lg.append("decision", f"v{i}", {"i": i}, {"p": i})
    scan = lg.store.iter_full(0, 30)
    assert next(scan)[0] == 0  # the scan is open, mid-way
    lg.append("decision", "during-scan", {}, None)
    with psycopg.connect(pg_url) as c:
        assert c.execute("SELECT count(*) FROM leaves WHERE entry_id = 'during-scan'").fetchone()[0] == 1
    assert [r[0] for r in scan] == list(range(1, 30))
    assert lg.verify()["tree_size"] == 31
    lg.close()


@pytest.mark.parametrize("case", ["failed_commit", "written_again"])
def test_postgres_refused_batches_leave_the_log_as_it_was(case: str, pg_url: str, signer) -> None:
    """An append is pipelined (BEGIN, lock and tail, then the inserts and COMMIT): a refused insert
    surfaces at the commit, the batch gets no receipt, and the next append finds the log as it was."""
    from . import test_ledger
    lg = Ledger(open_store(pg_url), signer)
    try:
        {"failed_commit": test_ledger.test_a_failed_commit_returns_no_receipt,
         "written_again": test_ledger.test_a_record_written_again_is_refused}[case](lg)
        lg.append("decision", "after", {}, None)
        assert verify_receipt(lg.prove("after"))["entry"]["public"] == {}
    finally:
        lg.close()


def test_postgres_batches_larger_than_one_statement(pg_url: str, signer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows go in multi-row INSERTs of at most MAX_PARAMS parameters; a larger batch takes several, in
    the one transaction, and a refusal in a later statement takes the whole batch back."""
    from sanctuary.ledger.service import _held_lock, _Pending
    lg = Ledger(open_store(pg_url), signer)
    monkeypatch.setattr(PostgresStore, "MAX_PARAMS", 11)  # two records, leaves or personal rows at a time
    batch = [_Pending.prepare("decision", f"b{i}", {"i": i}, {"p": i}) for i in range(7)]
    lg._write(batch)
    assert all(p.error is None for p in batch)
    assert lg.size() == 7 and lg.get("b6")["personal"] == {"p": 6} and lg.verify()["ok"]
    again = [_Pending.prepare("decision", f"c{i}", {"i": i}, None) for i in range(5)] + [dataclasses.replace(batch[3])]
    for p in again:
        p.error, p.done = None, _held_lock()
    lg._write(again)  # the last record is already stored: refused in the last statement of entries
    assert all(p.error is not None for p in again)
    assert lg.size() == 7 and lg.get("c0") is None and lg.verify()["ok"]
    lg.close()
