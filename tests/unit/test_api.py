"""The HTTP API: the authorization matrix, personal data, the review queue, errors, and the engine parity."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sanctuary.engine.decide import DecisionEngine
from sanctuary.ledger.service import verify_receipt
from sanctuary.testing.plugin import PACKS, scenario_cases

SECRET_REF = "BOOK-PERSONAL-9871"
SECRET_CHARGE = "459PCRES"
ROLES = ["clerk-lasd", "clerk-lapd", "counsel", "auditor", "admin", "public"]
SEES_PERSONAL = {"clerk-lasd", "counsel"}


def _h(tokens: dict, who: str) -> dict:
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


@pytest.fixture
def lasd_request(base_request: dict) -> dict:
    req = copy.deepcopy(base_request)
    req["reference"] = SECRET_REF
    req["asks"] = [{"kind": "notify-release"}, {"kind": "transfer"}]
    # 2019, before the County's 2020 motion; an old misdemeanor qualifies for nothing, and the registry
    # status is unknown, so notification and transfer go to review
    req["as_of"] = "2019-03-02"
    req["subject"]["convictions"] = [{"statute": SECRET_CHARGE, "level": "misdemeanor", "date": "2003-05-01"}]
    req["subject"]["csar_registrant"] = None
    return req


@pytest.fixture
def recorded(api, lasd_request: dict) -> str:
    client, tokens = api
    r = client.post("/v1/decisions", json=lasd_request, headers=_h(tokens, "clerk-lasd"))
    assert r.status_code == 201, r.text
    return r.json()["decision_id"]


def _matrix(did: str, user_id: int, token_id: int) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    allow = lambda ok, code=200: {r: (code if r in ok else (401 if r == "public" else 403)) for r in ROLES}  # noqa: E731
    everyone = {r: 200 for r in ROLES}
    dec = allow({"clerk-lasd", "counsel", "auditor"})
    return [
        ("GET", "/healthz", None, everyone),
        ("GET", "/readyz", None, everyone),
        ("GET", f"/v1/decisions/{did}", None, dec),
        ("GET", f"/v1/decisions/{did}/trace", None, dec),
        ("GET", "/v1/offenses/parse?q=211PC", None, everyone),
        ("GET", "/v1/laws", None, everyone),
        ("GET", "/v1/agencies", None, everyone),
        ("GET", "/v1/interpretations", None, everyone),
        ("GET", "/v1/stats", None, everyone),
        ("GET", "/v1/ledger/checkpoint", None, everyone),
        ("GET", f"/v1/ledger/proof/{did}", None, dec),
        ("GET", "/v1/reviews", None, allow({"counsel", "auditor"})),
        ("POST", f"/v1/reviews/{did}/determination",
         {"determinations": [{"ask": 0, "outcome": "prohibited"}], "note": "counsel's determination"}, allow({"counsel"}, 201)),
        ("POST", "/v1/interpretations", {"id": "window-start", "reading": "conviction-date", "note": "confirmed"},
         allow({"counsel"}, 201)),
        ("GET", "/v1/users", None, allow({"admin"})),
        ("POST", "/v1/users", {"name": "new-{role}", "role": "clerk", "agency": "lapl"}, allow({"admin"}, 201)),
        ("POST", f"/v1/users/{user_id}/tokens", None, allow({"admin"}, 201)),
        ("DELETE", f"/v1/tokens/{token_id}", None, allow({"admin"})),
        ("GET", "/v1/refusals", None, allow({"admin", "auditor"})),
        ("POST", "/v1/screen", {"agency": "lasd", "as_of": "2019-03-02", "to": "ice-ero", "purpose": "immigration-enforcement",
                                "records": [{"name": SECRET_REF, "charges": SECRET_CHARGE}]}, allow({"clerk-lasd"})),
        ("POST", "/v1/whatif", {"regimes": ["la-2026", "ca-baseline"], "generate": {"rows": 300, "year": 2025, "seed": 1}},
         everyone),
        ("POST", "/v1/screen/text", {"agency": "lasd", "to": "ice-ero", "purpose": "immigration-enforcement",
                                     "text": f"Booking {SECRET_REF}, DOB 04/17/1988, lives at 1423 W 7th St."}, allow({"clerk-lasd"})),
        ("GET", "/v1/reports/truth-access?year=2019&format=json", None, everyone),
        ("GET", "/v1/reports/forum?year=2019&format=csv", None, everyone),
        ("GET", "/v1/reports/doj-transfers?year=2019", None, allow({"counsel", "auditor", "admin"})),
        ("GET", "/v1/ledger/entries/0", None, everyone),
        ("POST", f"/v1/decisions/{did}/actions", {"ask": 1, "action": "declined"}, allow({"clerk-lasd"}, 201)),
    ]


def test_authorization_matrix(api, recorded: str, lasd_request: dict) -> None:
    client, tokens = api
    admin = _h(tokens, "admin")
    spare = client.post("/v1/users", json={"name": "spare", "role": "auditor"}, headers=admin).json()
    spare_token = client.post(f"/v1/users/{spare['id']}/tokens", headers=admin).json()
    failures = []
    for method, path, body, expected in _matrix(recorded, spare["id"], spare_token["id"]):
        for role in ROLES:
            b = None if body is None else {k: (v.replace("{role}", role) if isinstance(v, str) else v) for k, v in body.items()}
            r = client.request(method, path, json=b, headers=_h(tokens, role))
            if r.status_code != expected[role]:
                failures.append(f"{method} {path} as {role}: {r.status_code}, expected {expected[role]} ({r.text[:120]})")
            if role not in SEES_PERSONAL:
                assert SECRET_REF not in r.text and SECRET_CHARGE not in r.text, f"{method} {path} leaks to {role}"
            if r.status_code >= 400:
                assert set(r.json()) == {"error"} and {"code", "message"} <= set(r.json()["error"])
    # POST /v1/decisions: own agency only, clerks only
    for role in ROLES:
        r = client.post("/v1/decisions", json=lasd_request, headers=_h(tokens, role))
        want = {"clerk-lasd": 201, "public": 401}.get(role, 403)
        if r.status_code != want:
            failures.append(f"POST /v1/decisions as {role}: {r.status_code}, expected {want}")
    assert not failures, "\n".join(failures)


def test_personal_data_by_role(api, recorded: str) -> None:
    client, tokens = api
    full = client.get(f"/v1/decisions/{recorded}", headers=_h(tokens, "counsel")).json()
    assert full["charges"][0]["raw"] == SECRET_CHARGE
    aud = client.get(f"/v1/decisions/{recorded}", headers=_h(tokens, "auditor")).json()
    assert aud["personal_data"] == "masked" and aud["asks"][0]["outcome"]
    trace = client.get(f"/v1/decisions/{recorded}/trace", headers=_h(tokens, "auditor")).json()
    assert trace["label"] == "masked"


def test_review_queue_and_determination_entry(api, svc, recorded: str) -> None:
    client, tokens = api
    queue = client.get("/v1/reviews", headers=_h(tokens, "counsel")).json()
    assert [c["decision_id"] for c in queue] == [recorded]
    r = client.post(f"/v1/reviews/{recorded}/determination", headers=_h(tokens, "counsel"),
                    json={"determinations": [{"ask": 0, "outcome": "prohibited"}], "note": "no CSAR registration on file"})
    assert r.status_code == 201
    entry = svc.ledger.get(r.json()["entry_id"])
    assert entry["kind"] == "review" and entry["public"]["decision_id"] == recorded
    assert entry["public"]["determinations"][0] == {"ask": 0, "kind": "notify-release", "was": "review",
                                                    "outcome": "prohibited", "citations": []}
    assert client.get("/v1/reviews", headers=_h(tokens, "counsel")).json() == []
    closed = client.get("/v1/reviews?status=closed", headers=_h(tokens, "counsel")).json()
    assert closed[0]["determination_entry"] == r.json()["entry_id"]


def test_review_cases_rebuild_from_the_ledger(api, svc, sessions, recorded: str) -> None:
    from sqlalchemy import delete

    from sanctuary.db.models import ReviewCase
    with sessions.begin() as db:
        db.execute(delete(ReviewCase))  # the index is lost; the ledger is not
    assert svc.sync_cases(full=True) == 1
    assert svc.sync_cases() == 0  # the watermark: nothing new since


def test_tokens_revocation_and_refusals(api) -> None:
    client, tokens = api
    admin = _h(tokens, "admin")
    u = client.post("/v1/users", json={"name": "temp", "role": "clerk", "agency": "lapl"}, headers=admin).json()
    t = client.post(f"/v1/users/{u['id']}/tokens", headers=admin).json()
    h = {"Authorization": f"Bearer {t['token']}"}
    assert client.get("/v1/laws", headers=h).status_code == 200
    client.delete(f"/v1/tokens/{t['id']}", headers=admin)
    assert client.get("/v1/laws", headers=h).json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/laws", headers={"Authorization": "Bearer sct_nope_nope"}).status_code == 401
    log = client.get("/v1/refusals", headers=admin).json()
    assert any(r["reason"] == "token revoked" and r["token_prefix"] == t["prefix"] for r in log)
    listed = client.get("/v1/users", headers=admin).json()
    assert all("hash" not in tok and "token" not in tok for usr in listed for tok in usr["tokens"])


def test_rate_limit(svc, sessions) -> None:
    from fastapi.testclient import TestClient

    from sanctuary.api.app import create_app
    from sanctuary.auth import create_user, issue_token
    with sessions.begin() as db:
        _, tok = issue_token(db, create_user(db, "fast", "auditor", None))
    with TestClient(create_app(svc, sessions, rate=1, burst=3)) as c:
        codes = [c.get("/v1/laws", headers={"Authorization": f"Bearer {tok}"}).status_code for _ in range(6)]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]


@pytest.mark.parametrize("body,status,code", [
    (b"{not json", 422, "invalid_input"),
    (b'{"agency": "lasd", "asks": []}', 422, "invalid_input"),
    (b'{"agency": "lasd", "asks": [{"kind": "hold"}], "subject": {"convictions": [{"statute": "1", "date": "2020-99-01"}]}}', 422, "invalid_input"),
    (b'{"agency": "lasd", "asks": [{"kind": "hold"}], "colour": "red"}', 422, "invalid_input"),
    (b'{"agency": "lasd", "asks": [{"kind": "hold"}], "reference": "' + b"\\u202e<script>" * 10 + b'"}', 201, None),
    (b"x" * 300_000, 422, "invalid_input"),
])
def test_bad_bodies_get_clear_4xx(api, body: bytes, status: int, code: str | None) -> None:
    client, tokens = api
    r = client.post("/v1/decisions", content=body, headers={**_h(tokens, "clerk-lasd"), "content-type": "application/json"})
    assert r.status_code == status, r.text
    if code:
        err = r.json()["error"]
        assert err["code"] == code and err["message"] and "field" in err


def test_screen_endpoint_records_what_left(api, svc) -> None:
    client, tokens = api
    r = client.post("/v1/screen", headers=_h(tokens, "clerk-lasd"), json={
        "agency": "lasd", "as_of": "2019-03-02", "to": "ice-ero", "purpose": "immigration-enforcement",
        "records": [{"name": "Maria R.", "charges": "211PC", "dob": "1990-01-01"}]})
    body = r.json()
    assert body["records"] == [{"charges": "211PC"}] and body["withheld"] == ["dob", "name"]
    entry = svc.ledger.get(body["receipt"]["entry_id"])
    assert entry["kind"] == "screening" and entry["public"]["fields"]["dob"]["action"] == "removed"
    assert b"Maria" not in svc.ledger.store.find(body["receipt"]["entry_id"])[2]
    other = client.post("/v1/screen", headers=_h(tokens, "clerk-lapd"), json={
        "agency": "lasd", "to": "ice-ero", "purpose": "unknown", "records": []})
    assert other.status_code == 403


def test_comparison_regimes_are_not_recorded(api, base_request: dict) -> None:
    client, tokens = api
    r = client.post("/v1/decisions", json=dict(base_request, regime="texas-sb4"), headers=_h(tokens, "clerk-lasd"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "regime"


def test_bad_body_names_the_field(api) -> None:
    client, tokens = api
    r = client.post("/v1/decisions", headers=_h(tokens, "clerk-lasd"), json={
        "agency": "lasd", "asks": [{"kind": "hold"}], "subject": {"convictions": [{"statute": "1"}, {"statute": "2", "date": "2020-99-01"}]}})
    assert r.json()["error"]["field"] == "subject.convictions[1].date"


def test_ledger_endpoints(api, recorded: str) -> None:
    client, tokens = api
    cp = client.get("/v1/ledger/checkpoint").text
    assert cp.startswith("sanctuary.test/ledger\n")
    receipt = client.get(f"/v1/ledger/proof/{recorded}", headers=_h(tokens, "auditor")).json()
    assert verify_receipt(receipt)["entry"]["public"]["decision_id"] == recorded


def _all_cases() -> list[tuple[str, dict, dict]]:
    return scenario_cases(Path(__file__).parents[1] / "cases", PACKS)


def test_api_decision_equals_engine_for_every_case(tmp_path, signer) -> None:
    """A deployment records one regime, so each regime gets its own service; every case goes to its own."""
    from fastapi.testclient import TestClient

    from sanctuary.api.app import create_app
    from sanctuary.auth import create_user, issue_token
    from sanctuary.law.registry import agencies, load_regime
    from sanctuary.ledger.service import Ledger
    from sanctuary.ledger.store import SQLiteStore
    from sanctuary.service import Sanctuary, open_sessions
    cases = _all_cases()
    assert len(cases) > 150
    by_regime: dict[str, list] = {}
    for name, req, readings in cases:
        by_regime.setdefault(req.get("regime", "la-2026"), []).append((name, req, readings))
    for regime, reqs in by_regime.items():
        db = tmp_path / f"{regime}.db"
        lg = Ledger(SQLiteStore(db), signer)
        sessions = open_sessions(f"sqlite:///{db}")
        clerk = {}
        with sessions.begin() as s:
            for a in agencies():
                _, clerk[a] = issue_token(s, create_user(s, f"clerk-{a}", "clerk", a))
            _, counsel = issue_token(s, create_user(s, "counsel", "counsel", None))
        defaults = {i: it.default for i, it in load_regime(regime).interpretations.items()}
        with TestClient(create_app(Sanctuary(lg, regime, sessions), sessions, rate=1e6, burst=10**6)) as c:
            for name, req, readings in reqs:
                for iid, reading in readings.items():  # counsel switches the reading: a ledger entry
                    assert c.post("/v1/interpretations", json={"id": iid, "reading": reading, "note": name},
                                  headers={"Authorization": f"Bearer {counsel}"}).status_code == 201
                r = c.post("/v1/decisions", json=req, headers={"Authorization": f"Bearer {clerk[req['agency']]}"})
                assert r.status_code == 201, (name, r.text)
                want = DecisionEngine(regime, readings).decide(req).asks
                assert r.json()["asks"] == [a.model_dump(mode="json") for a in want], name
                for iid in readings:
                    c.post("/v1/interpretations", json={"id": iid, "reading": defaults[iid], "note": "back to default"},
                           headers={"Authorization": f"Bearer {counsel}"})
        lg.close()
        sessions.kw["bind"].dispose()


def test_whatif_over_http_equals_the_batch_engine(api) -> None:
    import polars as pl

    from sanctuary.whatif import generate
    from sanctuary.whatif.batch import BatchEngine

    client, tokens = api
    req, rec = next(generate.chunks(500, year=2025, seed=3))
    body = {"regimes": ["la-2026", "la-jail-cooperation"],
            "requests": [{**r, "as_of": r["as_of"].isoformat()} for r in req.to_dicts()],
            "records": [{**r, "date": r["date"].isoformat() if r["date"] else None} for r in rec.to_dicts()]}
    r = client.post("/v1/whatif", json=body, headers=_h(tokens, "counsel"))
    assert r.status_code == 200, r.text
    got = r.json()
    want = pl.concat(list(BatchEngine("la-jail-cooperation").run(req, rec))).group_by("outcome").len()
    counted = {}
    for c in got["counts"]:
        if c["regime"] == "la-jail-cooperation":
            counted[c["outcome"]] = counted.get(c["outcome"], 0) + c["n"]
    assert counted == dict(want.iter_rows())
    assert got["labels"]["la-jail-cooperation"].startswith("COMPARISON REGIME")
    bad = client.post("/v1/whatif", json={"regimes": ["la-2026", "mars"], "generate": {"rows": 10}}, headers=_h(tokens, "counsel"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "regimes[1]"
    big = client.post("/v1/whatif", json={"regimes": ["la-2026", "ca-baseline"], "generate": {"rows": 10**7}})
    assert big.status_code == 422 and big.json()["error"]["field"] == "generate.rows"
    page = client.post("/whatif", data={"regime": ["la-2026", "texas-sb4"], "rows": "400", "year": "2025"})
    assert page.status_code == 200 and "COMPARISON REGIME: Texas law" in page.text and "<svg" in page.text
    one = client.post("/whatif", data={"regime": ["la-2026"], "rows": "400"})
    assert one.status_code == 422 and "at least two regimes" in one.text and 'value="la-2026" id="r-la-2026" checked' in one.text


def test_the_session_cookie_belongs_to_the_pages_not_the_api(api) -> None:
    client, _ = api
    page = client.get("/app/login")  # the sign-in form keeps its CSRF token in the signed session
    assert page.status_code == 200 and "sanctuary_session" in page.headers.get("set-cookie", "")
    r = client.get("/v1/laws")  # the client now sends the cookie; the API neither reads nor renews it
    assert r.status_code == 200 and "set-cookie" not in r.headers


def test_staff_pages_send_strangers_to_sign_in_and_other_roles_home(api) -> None:
    import re
    client, tokens = api
    pages = {"/app/intake": {"clerk-lasd"}, "/app/screen": {"clerk-lasd"}, "/app/decisions": {"clerk-lasd", "counsel"},
             "/app/reviews": {"counsel"}}
    for path in pages:
        r = client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, f"/app/login?next={path}")
    for who in ("clerk-lasd", "counsel", "auditor"):
        client.cookies.clear()
        form = client.get("/app/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        assert client.post("/app/login", data={"csrf": csrf, "token": tokens[who], "next": "/app"},
                           follow_redirects=False).status_code == 303
        for path, allowed in pages.items():
            r = client.get(path, follow_redirects=False)
            if who in allowed:
                assert r.status_code == 200, (who, path)
            else:
                assert (r.status_code, r.headers["location"]) == (303, "/app?denied=1"), (who, path)


def test_a_recorded_decision_is_answered_with_the_json_pydantic_would_write(svc, lasd_request: dict) -> None:
    """The API serialises a decision once (for the ledger's personal record) and splices the receipt in
    before the closing brace: byte for byte what model_dump_json writes for the decision with its receipt,
    receipts with their checkpoint's newlines and non-ASCII signer line included."""
    import asyncio

    from sanctuary.engine.samples import sample_requests
    reqs = [lasd_request] + [dict(r, agency="lasd", regime="la-2026") for r in sample_requests(40, seed=3)]
    for r in reqs:
        d, body = asyncio.run(svc.decide_async(r))
        assert d.receipt and "\n" in d.receipt["checkpoint"]
        assert body == d.model_dump_json().encode()
        assert json.loads(body)["receipt"]["entry_id"] == d.decision_id


def test_decisions_served_directly_answer_as_the_routed_app(api, svc, lasd_request: dict) -> None:
    """POST /v1/decisions skips Starlette's middleware and FastAPI's router (SanctuaryAPI.direct); with the
    direct way switched off the same requests take the routed way.  Both must give the same status,
    headers and body (identifiers and receipts aside), and both must log the same refusals."""
    from sanctuary.db.models import Refusal
    client, tokens = api
    app = client.app
    assert app.direct is not None
    json_h = {"content-type": "application/json"}
    cases = [
        ("clerk-lasd", json.dumps(lasd_request).encode()),                        # recorded, with review outcomes
        ("clerk-lasd", json.dumps(dict(lasd_request, asks=[{"kind": "hold"}])).encode()),
        ("clerk-lapd", json.dumps(lasd_request).encode()),                        # another agency's clerk
        ("auditor", json.dumps(lasd_request).encode()),                           # a role that may not
        ("public", json.dumps(lasd_request).encode()),                            # no token
        ("clerk-lasd", b"{not json"),
        ("clerk-lasd", b'{"agency": "lasd", "asks": [{"kind": "hold"}], "colour": "red"}'),
        ("clerk-lasd", b"x" * 300_000),
        ("clerk-lasd", json.dumps(dict(lasd_request, regime="texas-sb4")).encode()),
    ]

    def answers() -> list[tuple[int, dict, Any]]:
        out = []
        for who, body in cases:
            r = client.post("/v1/decisions", content=body, headers={**_h(tokens, who), **json_h})
            got = r.json()
            if r.status_code == 201:
                assert got["receipt"]["entry_id"] == got["decision_id"] and svc.ledger.get(got["decision_id"])
                got = {k: v for k, v in got.items() if k not in ("decision_id", "receipt")}
            headers = {k: v for k, v in r.headers.items() if k != "sanctuary-ledger-size"}
            out.append((r.status_code, headers, got))
        return out

    def refusals() -> list[tuple[Any, ...]]:
        with svc.sessions() as db:
            return [(r.method, r.path, r.status, r.reason) for r in db.query(Refusal).order_by(Refusal.id)]

    direct = answers()
    logged = refusals()
    app.direct, saved = None, app.direct
    try:
        routed = answers()
    finally:
        app.direct = saved
    assert [s for s, _, _ in direct] == [201, 201, 403, 403, 401, 422, 422, 422, 422]
    assert direct == routed
    assert refusals() == logged + logged  # the same refusals, once per way
