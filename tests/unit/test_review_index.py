"""The review-case index is rebuilt from the ledger by every worker at start; a worker (re)starting while
another is deciding must neither fail nor make a recorded decision's answer an error."""

from __future__ import annotations

import threading

import pytest

from sanctuary.ledger.service import Ledger
from sanctuary.ledger.store import SQLiteStore
from sanctuary.service import Sanctuary, open_sessions


def _review_request(base_request: dict) -> dict:
    return dict(base_request, as_of="2019-03-02", subject={**base_request["subject"], "csar_registrant": None})


def _open_cases(sessions) -> list[str]:
    from sqlalchemy import select

    from sanctuary.db.models import ReviewCase
    with sessions.begin() as db:
        return sorted(db.execute(select(ReviewCase.decision_id).where(ReviewCase.status == "open")).scalars())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_case_opened_by_a_starting_worker_is_not_an_error_for_the_deciding_one(
        kind: str, tmp_path, signer, base_request: dict, request: pytest.FixtureRequest) -> None:
    from sanctuary.ledger.store import open_store
    url = f"sqlite:///{tmp_path / 'l.db'}" if kind == "sqlite" else request.getfixturevalue("pg_url")
    sessions = open_sessions(url)
    a = Sanctuary(Ledger(open_store(url.removeprefix("sqlite:///")), signer), sessions=sessions)
    d, _, public, personal = a._decision(_review_request(base_request))
    a.ledger.append("decision", d.decision_id, public, personal)  # recorded; its case not yet opened ...
    b = Sanctuary(Ledger(open_store(url.removeprefix("sqlite:///")), signer), sessions=sessions)  # ... a worker starts
    assert _open_cases(sessions) == [d.decision_id]
    a._open_case(d)  # the deciding worker opens it too: no error, one case
    assert _open_cases(sessions) == [d.decision_id]
    a.ledger.close()
    b.ledger.close()
    sessions.kw["bind"].dispose()


def test_workers_starting_together_sync_the_same_cases(tmp_path, signer, base_request: dict) -> None:
    sessions = open_sessions(f"sqlite:///{tmp_path / 'l.db'}")
    a = Sanctuary(Ledger(SQLiteStore(tmp_path / "l.db"), signer))  # no index: decisions recorded, no cases
    ids = [a.decide(_review_request(base_request)).decision_id for _ in range(30)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        try:
            barrier.wait()
            Sanctuary(Ledger(SQLiteStore(tmp_path / "l.db"), signer), sessions=sessions)
        except BaseException as e:  # pragma: no cover - surfaced below
            errors.append(e)
    ts = [threading.Thread(target=start) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    assert _open_cases(sessions) == sorted(ids)
    sessions.kw["bind"].dispose()


def test_a_recorded_decision_is_returned_when_its_case_cannot_be_written(api, svc, monkeypatch: pytest.MonkeyPatch,
                                                                       base_request: dict) -> None:
    """The ledger is the truth: the decision is recorded, so the clerk gets it (an error would invite a
    duplicate); the queue catches the case up from the ledger before it is next listed."""
    client, tokens = api
    real = Sanctuary._open_case

    def broken(self: Sanctuary, d) -> None:
        raise RuntimeError("the index database is down")
    monkeypatch.setattr(Sanctuary, "_open_case", broken)
    r = client.post("/v1/decisions", json=_review_request(base_request), headers={"Authorization": f"Bearer {tokens['clerk-lasd']}"})
    assert r.status_code == 201 and r.json()["receipt"]["ledger_index"] >= 0
    did = r.json()["decision_id"]
    monkeypatch.setattr(Sanctuary, "_open_case", real)
    queue = client.get("/v1/reviews", headers={"Authorization": f"Bearer {tokens['counsel']}"})
    assert [c["decision_id"] for c in queue.json()] == [did]
    # counsel's determination closes it, and a failure to write the index there is not an error either
    monkeypatch.setattr(Sanctuary, "_close_case", lambda self, *a: (_ for _ in ()).throw(RuntimeError("down")))
    d = client.post(f"/v1/reviews/{did}/determination", headers={"Authorization": f"Bearer {tokens['counsel']}"},
                    json={"determinations": [{"ask": 0, "outcome": "prohibited"}], "note": "checked"})
    assert d.status_code == 201
    monkeypatch.undo()
    assert client.get("/v1/reviews", headers={"Authorization": f"Bearer {tokens['counsel']}"}).json() == []
