"""The HTTP API (FastAPI).  One JSON error shape for every error (``SanctuaryError.diagnostics``), and
one place that says which role may call what (``POLICY``).

Roles: clerk (submits and reads its own agency's decisions), counsel (review queue, interpretations,
all decisions), auditor (ledger and all decisions with personal data masked), administrator (users
and tokens), public (no token: aggregates, the law, the agencies, checkpoints).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..auth import (
    AuthError,
    ForbiddenError,
    Principal,
    TokenAuthenticator,
    create_user,
    issue_token,
)
from ..db.models import Refusal, ReviewCase, Role, User
from ..engine.explain import to_text
from ..engine.models import Decision, field_path, request_schema
from ..engine.models import Request as DecisionRequest
from ..errors import InputError, LedgerError, SanctuaryError
from ..law.registry import agencies, load_regime
from ..offenses.classify import profile_of
from ..offenses.parsing import parse_charge
from ..service import Sanctuary

log = logging.getLogger("sanctuary.api")
MAX_BODY = 256 * 1024
C, K, A, D, P = Role.CLERK, Role.COUNSEL, Role.AUDITOR, Role.ADMINISTRATOR, Role.PUBLIC
ALL = (C, K, A, D, P)
STAFF = (C, K, A, D)

# (method, route) -> roles allowed.  Agency scope is checked in the handlers that touch decisions.
POLICY: dict[tuple[str, str], tuple[Role, ...]] = {
    ("GET", "/healthz"): ALL, ("GET", "/readyz"): ALL,
    ("POST", "/v1/decisions"): (C,),
    ("GET", "/v1/decisions/{decision_id}"): (C, K, A),
    ("GET", "/v1/decisions/{decision_id}/trace"): (C, K, A),
    ("GET", "/v1/offenses/parse"): ALL,
    ("GET", "/v1/laws"): ALL, ("GET", "/v1/agencies"): ALL,
    ("GET", "/v1/interpretations"): ALL, ("POST", "/v1/interpretations"): (K,),
    ("GET", "/v1/ledger/checkpoint"): ALL,
    ("GET", "/v1/ledger/proof/{entry_id}"): (C, K, A),
    ("GET", "/v1/reviews"): (K, A), ("POST", "/v1/reviews/{decision_id}/determination"): (K,),
    ("GET", "/v1/users"): (D,), ("POST", "/v1/users"): (D,), ("POST", "/v1/users/{user_id}/tokens"): (D,),
    ("DELETE", "/v1/tokens/{token_id}"): (D,), ("GET", "/v1/refusals"): (D, A),
    ("GET", "/v1/stats"): ALL,
    ("POST", "/v1/screen"): (C,),
    ("POST", "/v1/screen/text"): (C,),
    ("POST", "/v1/whatif"): ALL,
    ("GET", "/v1/reports/{name}"): ALL,
    ("POST", "/v1/decisions/{decision_id}/actions"): (C,),
    ("GET", "/v1/ledger/entries/{index}"): ALL,
}
REPORT_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
                "pdf": "application/pdf"}
WHATIF_MAX_ROWS = 200_000  # generated rows per call; uploaded rows are capped by the body size


class _NotFound(SanctuaryError):
    code = "not_found"
    status = 404


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    role: Role
    agency: str | None = Field(None, max_length=80)


class Determination(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ask: int = Field(ge=0, le=50)
    outcome: str = Field(pattern="^(prohibited|permitted|required)$")
    citations: list[str] = Field(default_factory=list, max_length=20)


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    determinations: list[Determination] = Field(min_length=1, max_length=50)
    note: str = Field(min_length=1, max_length=5000)


class _ScreenHead(BaseModel):
    """Who sends, on what day, to whom and why: what every screening states."""

    model_config = ConfigDict(extra="forbid")
    agency: str = Field(min_length=1, max_length=80)
    as_of: dt.date | None = None
    to: str = Field(pattern="^(ice-ero|ice-hsi|cbp|usms|other-federal|unknown)$")
    purpose: str = Field(pattern="^(immigration-enforcement|criminal-immigration|criminal-investigation|unknown)$")


class ScreenBody(_ScreenHead):
    public_fields: list[str] = Field(default_factory=list, max_length=100)
    records: list[Any] = Field(max_length=10_000)


class ActionBody(BaseModel):
    """What staff did after the decision: a transfer made, a release notification sent, an interview held."""

    model_config = ConfigDict(extra="forbid")
    ask: int = Field(ge=0, le=50)
    action: str = Field(pattern="^(performed|declined)$")
    on: dt.date | None = None
    note: str = Field("", max_length=2000)


class ScreenTextBody(_ScreenHead):
    text: str = Field(max_length=200_000)


class WhatIfBody(BaseModel):
    """Regimes to compare over a generated year (``generate``) or over rows in the flat what-if schema."""

    model_config = ConfigDict(extra="forbid")
    regimes: list[str] = Field(min_length=2, max_length=6)
    generate: dict[str, int] | None = Field(None, description="{rows, year, seed}: a seeded, calibrated table")
    requests: list[dict[str, Any]] | None = Field(None, max_length=20_000, description="flat request rows")
    records: list[dict[str, Any]] = Field(default_factory=list, max_length=100_000, description="flat record rows")


class InterpretationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100)
    reading: str = Field(min_length=1, max_length=100)
    note: str = Field(min_length=1, max_length=5000)


def masked(rec: dict[str, Any]) -> dict[str, Any]:
    """The auditor's view: the public ledger record; the request, record and trace are withheld."""
    return {**rec["public"], "ledger_index": rec["ledger_index"], "recorded_at": rec["recorded_at"],
            "personal_data": "masked" if rec["personal"] is not None else "purged"}


class _PagesOnly:
    """Apply a middleware (the staff pages' signed session cookie) to everything but the token-authenticated
    ``/v1`` API, whose requests never carry or read a session."""

    def __init__(self, app: Any, wrap: Any, **kw: Any) -> None:
        self.app, self.wrapped = app, wrap(app, **kw)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
        else:
            await self.wrapped(scope, receive, send)


class SanctuaryAPI(FastAPI):
    """The FastAPI app, with the one hot route -- ``POST /v1/decisions``, what jail systems call -- served
    straight from the ASGI call by the same endpoint function and the same error handler.

    Starlette's middleware, FastAPI's router and its request handling cost a worker about 70 of the 860
    microseconds of CPU a recorded decision took in process (means of interleaved runs: 860 routed, 790
    direct).  The route stays declared (it is in the OpenAPI document), and with ``direct``
    off every request takes the routed way; a test holds both ways to the same answers.  Nothing is
    skipped that applies to ``/v1``: its requests carry no session, and errors use the app's handlers."""

    direct: Any = None  # (endpoint, error handler) for POST /v1/decisions, set by create_app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.direct is not None and scope["type"] == "http" and scope["path"] == "/v1/decisions" \
                and scope["method"] == "POST":
            endpoint, on_error = self.direct
            scope["app"] = self
            request = Request(scope, receive)
            try:
                response = await endpoint(request)
            except SanctuaryError as e:
                response = await on_error(request, e)
            except Exception:  # as Starlette's ServerErrorMiddleware: a plain 500, then the server logs it
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
                raise
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(svc: Sanctuary, sessions: Any, *, rate: float = 200.0, burst: int = 400) -> SanctuaryAPI:
    app = SanctuaryAPI(title="Sanctuary", version="0.1.0", docs_url=None, redoc_url=None)
    auth = TokenAuthenticator(sessions, rate, burst)
    from .. import settings
    threshold = int(settings.get("suppress_below"))
    dash_cache: dict[Any, Any] = {}
    from starlette.middleware.sessions import SessionMiddleware

    from ..web.routes import Redirect
    from ..web.routes import router as web_router
    app.add_middleware(_PagesOnly, wrap=SessionMiddleware, secret_key=_session_secret(), session_cookie="sanctuary_session",
                       max_age=12 * 3600, same_site="strict", https_only=False)
    app.add_exception_handler(Redirect, lambda _request, e: e.response())  # type: ignore[arg-type,attr-defined]

    def refuse(request: Request, e: SanctuaryError, principal: Principal | None = None) -> JSONResponse:
        prefix = (principal.token_prefix if principal else None) or e.details.get("token_prefix")
        try:
            with sessions.begin() as db:
                db.add(Refusal(token_prefix=prefix, user_id=principal.user_id if principal else None,
                               method=request.method, path=request.url.path[:300], status=e.status, reason=e.message))
        except Exception:  # noqa: BLE001 - the refusal stands even if its log row cannot be written
            log.exception("could not write refusal log row")
        log.warning("refused %s %s (%s): %s", request.method, request.url.path, e.status, e.message)
        body = e.diagnostics()
        body["error"].pop("token_prefix", None)
        return JSONResponse(body, status_code=e.status)

    def who(request: Request, route: str) -> Principal:
        p = auth.authenticate(request.headers.get("authorization"))
        allowed = POLICY[(request.method, route)]
        if p.role not in allowed:
            if p.anonymous:
                raise AuthError("this needs a token")
            raise ForbiddenError(f"a {p.role} may not {request.method} {route}")
        request.state.principal = p
        return p

    @app.exception_handler(SanctuaryError)
    async def _err(request: Request, e: SanctuaryError) -> JSONResponse:
        if e.status in (401, 403, 429):
            return refuse(request, e, getattr(request.state, "principal", None))
        body = e.diagnostics()
        body["error"].pop("token_prefix", None)
        return JSONResponse(body, status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _val(_: Request, e: RequestValidationError) -> JSONResponse:
        errs = [{"field": field_path(tuple(x["loc"][1:])), "message": x["msg"]} for x in e.errors()]
        return JSONResponse(InputError(errs[0]["message"] if errs else "invalid", field=errs[0]["field"] if errs else None,
                                       errors=errs).diagnostics(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(e.detail), "field": None}}, status_code=e.status_code)

    def own_or_any(p: Principal, agency: str) -> None:
        if p.role == C and p.agency != agency:
            raise ForbiddenError(f"a clerk of {p.agency} may not see {agency}'s decisions")

    # ---------------------------------------------------------------- health
    @app.get("/healthz")
    def health(request: Request) -> dict[str, str]:
        who(request, "/healthz")
        return {"status": "ok"}

    @app.get("/readyz")
    def ready(request: Request) -> dict[str, Any]:
        who(request, "/readyz")
        return {"status": "ready", "ledger_size": svc.ledger.size(), "law_version": svc.engine.regime.law_version}

    # ---------------------------------------------------------------- decisions
    @app.post("/v1/decisions", status_code=201, openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Request"}}}}},
        responses={201: {"description": "the decision, recorded", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Decision"}}}}})
    async def post_decision(request: Request) -> Response:
        p = who(request, "/v1/decisions")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InputError(f"request body is larger than {MAX_BODY} bytes", field="")
        try:
            req = DecisionRequest.parse_json(raw)
        except (ValueError, UnicodeDecodeError) as e:  # not JSON at all (InputError is neither)
            raise InputError(f"body is not valid JSON: {e}", field="") from None
        if req.agency != p.agency:
            raise ForbiddenError(f"a clerk of {p.agency} may not submit for {req.agency}", field="agency")
        # The commit is awaited, so this worker keeps accepting requests while the ledger commits: concurrent
        # decisions share one durable commit (group commit).  Returned only after the commit.
        d, body = await svc.decide_async(req)
        return Response(body, status_code=201, media_type="application/json",
                        headers={"Sanctuary-Law-Version": d.law_version,
                                 "Sanctuary-Ledger-Size": str(d.receipt["tree_size"] if d.receipt else "")})

    app.direct = (post_decision, _err)

    def _decision(decision_id: str) -> dict[str, Any]:
        rec = svc.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            raise _NotFound(f"no decision {decision_id!r}")
        return rec

    @app.get("/v1/decisions/{decision_id}")
    def get_decision(request: Request, decision_id: str) -> dict[str, Any]:
        p = who(request, "/v1/decisions/{decision_id}")
        rec = _decision(decision_id)
        own_or_any(p, rec["public"]["agency"])
        if p.role == A or rec["personal"] is None:
            return masked(rec)
        return {**rec["personal"]["decision"], "ledger_index": rec["ledger_index"]}

    @app.get("/v1/decisions/{decision_id}/trace")
    def get_trace(request: Request, decision_id: str) -> dict[str, Any]:
        p = who(request, "/v1/decisions/{decision_id}/trace")
        rec = _decision(decision_id)
        own_or_any(p, rec["public"]["agency"])
        if rec["personal"] is None:
            raise _NotFound(f"the trace of {decision_id!r} was purged with its personal data")
        trace = rec["personal"]["decision"]["trace"]
        if p.role == A:  # rule, outcome and citations; no reasons or missing facts about the person
            return {"label": "masked", "asks": [{"ask": a["ask"], "outcome": a["outcome"], "deciding_rule": a["deciding_rule"],
                                                 "citations": a["citations"]} for a in trace["asks"]]}
        return trace

    # ---------------------------------------------------------------- law and offenses
    @app.get("/v1/offenses/parse")
    def offense(request: Request, q: str) -> dict[str, Any]:
        who(request, "/v1/offenses/parse")
        p = parse_charge(q[:200])
        prof = profile_of(p)
        return {"parsed": p.to_dict(), "profile": prof.to_dict() if prof else None}

    @app.get("/v1/laws")
    def laws(request: Request) -> dict[str, Any]:
        who(request, "/v1/laws")
        r = load_regime(svc.regime_id)
        return {"regime": r.id, "law_version": r.law_version,
                "instruments": [i.model_dump(mode="json") for i in r.instruments.values()],
                "interpretations": [i.model_dump(mode="json") for i in r.interpretations.values()]}

    @app.get("/v1/agencies")
    def list_agencies(request: Request) -> list[dict[str, Any]]:
        who(request, "/v1/agencies")
        return [a.model_dump() for a in agencies().values()]

    @app.get("/v1/interpretations")
    def interpretations(request: Request) -> dict[str, str]:
        who(request, "/v1/interpretations")
        r = load_regime(svc.regime_id)
        return {i: svc.readings.get(i, it.default) for i, it in r.interpretations.items()}

    @app.post("/v1/interpretations", status_code=201)
    def set_interpretation(request: Request, body: InterpretationBody) -> dict[str, Any]:
        p = who(request, "/v1/interpretations")
        return svc.set_interpretation(body.id, body.reading, p.name, body.note)

    # ---------------------------------------------------------------- ledger
    @app.get("/v1/ledger/checkpoint", response_class=PlainTextResponse)
    def checkpoint(request: Request) -> str:
        who(request, "/v1/ledger/checkpoint")
        return svc.ledger.checkpoint()

    @app.get("/v1/ledger/proof/{entry_id}")
    def proof(request: Request, entry_id: str) -> dict[str, Any]:
        p = who(request, "/v1/ledger/proof/{entry_id}")
        rec = svc.ledger.get(entry_id)
        if rec is None:
            raise _NotFound(f"no ledger entry {entry_id!r}")
        if p.role == C:
            own_or_any(p, rec["public"].get("agency", ""))
        try:
            return svc.ledger.prove(entry_id)
        except LedgerError:
            raise _NotFound(f"no ledger entry {entry_id!r}") from None

    @app.get("/v1/ledger/entries/{index}")
    def ledger_entry(request: Request, index: int) -> dict[str, Any]:
        """One entry by its index in the log, with its inclusion proof against the latest checkpoint.  Staff
        see the public record; without a token, the kind, leaf hash and proof (enough to check that a
        report's figure counts entries that are in the log)."""
        p = who(request, "/v1/ledger/entries/{index}")
        from ..ledger.canonical import from_canonical
        if index < 0 or index >= svc.ledger.size():
            raise _NotFound(f"no ledger entry at index {index}")
        row = next(iter(svc.ledger.store.iter_full(index, index + 1)), None)
        if row is None or row[2] is None:
            raise _NotFound(f"no ledger entry at index {index}")
        rec = from_canonical(row[2])
        proof = svc.ledger.prove(rec["id"])
        out: dict[str, Any] = {"index": index, "kind": rec["kind"], "leaf_hash": row[1].hex(), "proof": proof}
        if p.role == P or (p.role == C and rec["public"].get("agency") not in (None, p.agency)):
            return out
        return {**out, "id": rec["id"], "recorded_at": rec["recorded_at"], "public": rec["public"]}

    @app.post("/v1/decisions/{decision_id}/actions", status_code=201)
    def action(request: Request, decision_id: str, body: ActionBody) -> dict[str, Any]:
        """Record what was done after a decision (its own ledger entry, linked to the decision); the DOJ
        transfer report and the TRUTH Act records count these acts."""
        p = who(request, "/v1/decisions/{decision_id}/actions")
        rec = svc.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            raise _NotFound(f"no decision {decision_id!r}")
        own_or_any(p, rec["public"]["agency"])
        return svc.record_action(decision_id, body.ask, body.action, p.name, body.on, body.note)

    # ---------------------------------------------------------------- reports and the dashboard
    @app.get("/v1/reports/{name}")
    def report(request: Request, name: str, year: int, format: str = "json") -> Response:  # noqa: A002
        """A statutory report from the ledger: doj-transfers (exact, for counsel, auditors, administrators),
        truth-access, forum, task-force, reentry-exception (public, small cells suppressed)."""
        p = who(request, "/v1/reports/{name}")
        from ..reports.build import REPORTS
        from ..reports.render import render
        if name not in REPORTS:
            raise _NotFound(f"no report {name!r}; reports: {', '.join(REPORTS)}")
        if not 2000 <= year <= 2100:
            raise InputError("year must be between 2000 and 2100", field="year")
        if format not in REPORT_MEDIA:
            raise InputError("format must be json, csv, html or pdf", field="format")
        if name == "doj-transfers" and p.role not in (K, A, D):
            if p.anonymous:
                raise AuthError("the DOJ transfer report needs a token")
            raise ForbiddenError("the DOJ transfer report has exact counts: counsel, auditors and administrators; "
                                 "its public form is truth-access")
        body = render(REPORTS[name](svc.ledger, year, threshold), format)
        return Response(body, media_type=REPORT_MEDIA[format])

    def _dash(year: int | None) -> Any:
        from ..reports import dashboard
        key = (svc.ledger.size(), year)
        got = dash_cache.get(key)
        if got is None:
            dash_cache.clear()
            got = dash_cache[key] = dashboard.build(svc.ledger, year, threshold, svc.regime_id)
        return got

    def _dash_html(year: int | None) -> str:
        from ..reports import dashboard
        if year is not None and not 2000 <= year <= 2100:
            raise InputError("year must be between 2000 and 2100", field="year")
        d = _dash(year)
        years = sorted({y for y in _dash(None).lt.asks["as_of"].dt.year().unique().to_list()})
        return dashboard.env.get_template("dashboard.html.j2").render(
            d=d, years=years or [dt.date.today().year],
            charts={"trend": dashboard.chart(d, "trend"), "asks": dashboard.chart(d, "asks")})

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard_page(year: int | None = None) -> str:
        return _dash_html(year)

    @app.get("/dashboard.pdf")
    def dashboard_pdf(year: int | None = None) -> Response:
        """The dashboard as a PDF, charts embedded as vector graphics."""
        from weasyprint import HTML
        pdf = HTML(string=_dash_html(year), base_url="http://127.0.0.1/").write_pdf()
        return Response(pdf, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="dashboard-{year or "all"}.pdf"'})

    @app.get("/dashboard/{name}.csv")
    def dashboard_csv(name: str, year: int | None = None) -> Response:
        d = _dash(year)
        if name not in d.tables:
            raise _NotFound(f"no table {name!r}; tables: {', '.join(d.tables)}")
        return Response(d.csv(name), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.csv"'})

    @app.get("/dashboard/{name}.svg")
    def dashboard_svg(name: str, year: int | None = None) -> Response:
        from ..reports import dashboard
        if name not in ("trend", "asks", "agencies"):
            raise _NotFound(f"no chart {name!r}; charts: trend, asks, agencies")
        return Response(dashboard.chart(_dash(year), name), media_type="image/svg+xml")

    # ---------------------------------------------------------------- review queue
    @app.get("/v1/reviews")
    def reviews(request: Request, status: str = "open") -> list[dict[str, Any]]:
        who(request, "/v1/reviews")
        svc.catch_up_cases()
        with sessions() as db:
            rows = db.execute(select(ReviewCase).where(ReviewCase.status == status[:12])
                              .order_by(ReviewCase.opened_at).limit(500)).scalars()
            return [{"decision_id": r.decision_id, "agency": r.agency, "opened_at": r.opened_at.isoformat(),
                     "status": r.status, "determination_entry": r.determination_entry} for r in rows]

    @app.post("/v1/reviews/{decision_id}/determination", status_code=201)
    def determine(request: Request, decision_id: str, body: ReviewBody) -> dict[str, Any]:
        p = who(request, "/v1/reviews/{decision_id}/determination")
        _decision(decision_id)
        return svc.determine(decision_id, [d.model_dump() for d in body.determinations], body.note, p.name)

    # ---------------------------------------------------------------- administration
    @app.get("/v1/users")
    def users(request: Request) -> list[dict[str, Any]]:
        who(request, "/v1/users")
        with sessions() as db:
            return [{"id": u.id, "name": u.name, "role": u.role, "agency": u.agency,
                     "tokens": [{"id": t.id, "prefix": t.prefix, "revoked": t.revoked_at is not None} for t in u.tokens]}
                    for u in db.execute(select(User)).scalars()]

    @app.post("/v1/users", status_code=201)
    def add_user(request: Request, body: NewUser) -> dict[str, Any]:
        who(request, "/v1/users")
        if body.agency is not None and body.agency not in agencies():
            raise InputError(f"unknown agency {body.agency!r}", field="agency")
        with sessions.begin() as db:
            u = create_user(db, body.name, body.role, body.agency)
            return {"id": u.id, "name": u.name, "role": u.role, "agency": u.agency}

    @app.post("/v1/users/{user_id}/tokens", status_code=201)
    def add_token(request: Request, user_id: int) -> dict[str, Any]:
        who(request, "/v1/users/{user_id}/tokens")
        with sessions.begin() as db:
            u = db.get(User, user_id)
            if u is None:
                raise _NotFound(f"no user {user_id}")
            t, token = issue_token(db, u)
            return {"id": t.id, "prefix": t.prefix, "token": token, "note": "shown once; only its hash is stored"}

    @app.delete("/v1/tokens/{token_id}")
    def revoke(request: Request, token_id: int) -> dict[str, Any]:
        who(request, "/v1/tokens/{token_id}")
        with sessions.begin() as db:
            auth.revoke(db, token_id)
        return {"id": token_id, "revoked": True}

    @app.get("/v1/refusals")
    def refusals(request: Request, limit: int = 100) -> list[dict[str, Any]]:
        who(request, "/v1/refusals")
        with sessions() as db:
            rows = db.execute(select(Refusal).order_by(Refusal.id.desc()).limit(max(1, min(limit, 1000)))).scalars()
            return [{"at": r.at.isoformat(), "token_prefix": r.token_prefix, "user_id": r.user_id, "method": r.method,
                     "path": r.path, "status": r.status, "reason": r.reason} for r in rows]

    # ---------------------------------------------------------------- aggregates (public)
    @app.post("/v1/screen")
    def screen(request: Request, body: ScreenBody) -> dict[str, Any]:
        """What of these records may leave for the recipient: each field kept or withheld, with its citation."""
        p = who(request, "/v1/screen")
        if body.agency != p.agency:
            raise ForbiddenError(f"a clerk of {p.agency} may not screen for {body.agency}", field="agency")
        result, receipt = svc.screen(body.records, body.agency, body.as_of or dt.date.today(), body.to, body.purpose,
                                     tuple(body.public_fields), by=p.name)
        return {"records": result.records, "withheld": result.withheld, "receipt": receipt,
                "fields": {k: {"action": r.action, "label": r.label, "outcome": r.outcome, "reason": r.reason,
                               "citations": r.citations} for k, r in sorted(result.rulings.items())}}

    @app.post("/v1/whatif")
    def whatif(request: Request, body: WhatIfBody) -> dict[str, Any]:
        """Run two or more regimes over the same requests: counts by ask, agency, category and year,
        transitions against the first regime, and examples of changes with the provisions on each side."""
        who(request, "/v1/whatif")
        return _whatif_json(body)

    @app.post("/v1/screen/text")
    def screen_text(request: Request, body: ScreenTextBody) -> dict[str, Any]:
        """What of this text (a narrative, an e-mail) may leave for the recipient: findings redacted or kept, each cited."""
        p = who(request, "/v1/screen/text")
        if body.agency != p.agency:
            raise ForbiddenError(f"a clerk of {p.agency} may not screen for {body.agency}", field="agency")
        res, receipt = svc.screen_text(body.text, body.agency, body.as_of or dt.date.today(), body.to, body.purpose, by=p.name)
        return {"text": res.text, "receipt": receipt,
                "findings": [{**f.public(), "label": f.label, "reason": f.reason} for f in res.findings]}

    stats_state: dict[str, Any] = {"next": 0, "counts": {}}
    stats_lock = threading.Lock()

    @app.get("/v1/stats")
    def stats(request: Request) -> dict[str, Any]:
        """Counts of recorded decisions by agency, ask and outcome; cells under 11 are suppressed.
        Counted incrementally: each request reads only the entries recorded since the last one."""
        who(request, "/v1/stats")
        from ..ledger.canonical import from_canonical
        with stats_lock:
            counts: dict[tuple[str, str, str], int] = stats_state["counts"]
            for idx, data in svc.ledger.store.iter_kind(["decision"], stats_state["next"]):
                pub = from_canonical(data)["public"]
                for a in pub["asks"]:
                    key = (pub["agency"], a["kind"], a["outcome"])
                    counts[key] = counts.get(key, 0) + 1
                stats_state["next"] = idx + 1
            cells = sorted(counts.items())
        return {"suppressed_below": 11, "cells": [
            {"agency": k[0], "ask": k[1], "outcome": k[2], "count": v if v >= 11 else None} for k, v in cells]}

    # ---------------------------------------------------------------- the page
    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return _HOME.replace("__REQ__", "")

    @app.get("/whatif", response_class=HTMLResponse)
    def whatif_page() -> str:
        return _whatif_form()

    @app.post("/whatif", response_class=HTMLResponse)
    async def whatif_run(request: Request) -> HTMLResponse:
        """The what-if page: pick regimes, a generated year or uploaded CSV/Parquet tables; see the report."""
        from ..whatif import compare as cmpmod
        form = await request.form()
        regimes = [str(x) for x in form.getlist("regime")]
        try:
            data = await run_in_threadpool(_whatif_frames, form)
            if len(regimes) < 2:
                raise InputError("choose at least two regimes", field="regime")
            cmp = await run_in_threadpool(cmpmod.compare, data, regimes, None)
            return HTMLResponse(cmpmod.render_html(cmp, "What-if comparison"))
        except (SanctuaryError, ValueError) as e:
            msg = e.message if isinstance(e, SanctuaryError) else str(e)
            return HTMLResponse(_whatif_form(error=msg, chosen=regimes), status_code=422)

    @app.post("/ui/decide", response_class=HTMLResponse)
    async def ui_decide(request: Request) -> str:
        """A clerk pastes a request and a token; the decision is recorded and shown as the clerk's text."""
        form = await request.form()
        text, token = str(form.get("request", "")), str(form.get("token", ""))
        try:
            p = auth.authenticate(f"Bearer {token}" if token else None)
            if p.role != C:
                raise ForbiddenError("only a clerk's token can record a decision here")
            req = DecisionRequest.parse(json.loads(text))
            if req.agency != p.agency:
                raise ForbiddenError(f"a clerk of {p.agency} may not submit for {req.agency}")
            body = to_text(svc.decide(req))
        except SanctuaryError as e:
            body = json.dumps(e.diagnostics(), indent=2)
        except ValueError as e:
            body = f"not valid JSON: {e}"
        return _HOME.replace("<!--RESULT-->", f"<pre>{html.escape(body)}</pre>").replace("__REQ__", html.escape(text))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                             description="Decisions on immigration-authority requests to Los Angeles agencies, "
                                         "recorded in a verifiable ledger.")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model_schema in (("Request", DecisionRequest.model_json_schema(ref_template="#/components/schemas/{model}")),
                                   ("Decision", Decision.model_json_schema(ref_template="#/components/schemas/{model}"))):
            comps.update(model_schema.pop("$defs", {}))
            comps[name] = model_schema
        comps["Request"]["x-ask-details"] = request_schema()["x-ask-details"]
        schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        schema["security"] = [{"bearer": []}, {}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    # The staff pages last: routes are matched in order, and an API request would otherwise be tried
    # against every page first (their paths never overlap).
    app.include_router(web_router(svc, auth, lambda: svc.engine))
    return app


def _session_secret() -> str:
    """The key that signs staff sessions: HOME/session.key (0600), created on first use.

    Every worker process starts by reading it, and on a fresh home they start together: the key is
    written whole under a name of its own and then linked into place, which only the first can do, so
    no worker reads a half-written (or empty) key or signs with a key the others do not share.  A home
    that cannot be written gets a key for this process alone (sessions then last as long as it)."""
    import contextlib
    import os
    import secrets
    from pathlib import Path

    from .. import settings
    path = Path(settings.get("home")) / "session.key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".session.key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
                    fh.flush()
                    os.fsync(fh.fileno())
                with contextlib.suppress(FileExistsError):  # another worker's key is in place first: use it
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        key = path.read_text().strip()
    except OSError:
        return secrets.token_urlsafe(48)
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key ({len(key)} characters): delete it and restart")
    return key


def _check_regimes(regimes: list[str]) -> None:
    from ..law.registry import regimes as known
    for i, g in enumerate(regimes):
        if g not in known():
            raise InputError(f"unknown regime {g!r}; known: {', '.join(known())}", field=f"regimes[{i}]")


def _whatif_json(body: WhatIfBody) -> dict[str, Any]:
    import polars as pl

    from ..whatif import compare as cmpmod
    from ..whatif import generate
    _check_regimes(body.regimes)
    if (body.generate is None) == (body.requests is None):
        raise InputError("give either generate {rows, year, seed} or requests rows", field="generate")
    if body.generate is not None:
        unknown = set(body.generate) - {"rows", "year", "seed"}
        if unknown:
            raise InputError(f"unknown key {sorted(unknown)[0]!r}", field=f"generate.{sorted(unknown)[0]}")
        rows = body.generate.get("rows", generate.requests_per_year())
        if not 1 <= rows <= WHATIF_MAX_ROWS:
            raise InputError(f"rows must be between 1 and {WHATIF_MAX_ROWS:,}", field="generate.rows")
        year = body.generate.get("year", 2025)
        if not 2000 <= year <= 2100:
            raise InputError("year must be between 2000 and 2100", field="generate.year")
        data = next(generate.chunks(rows, year=year, seed=body.generate.get("seed", 2025), chunk=rows))
    else:
        try:
            data = (pl.DataFrame(body.requests, infer_schema_length=None),
                    pl.DataFrame(body.records, infer_schema_length=None) if body.records
                    else pl.DataFrame(schema={"request_id": pl.Int64, "statute": pl.String}))
        except (TypeError, ValueError, pl.exceptions.PolarsError) as e:
            raise InputError(f"rows do not form a table: {e}", field="requests") from e
    try:
        return cmpmod.as_json(cmpmod.compare(data, body.regimes, None))
    except pl.exceptions.PolarsError as e:
        raise InputError(f"the table does not fit the flat what-if schema: {e}", field="requests") from e


def _whatif_frames(form: Any) -> Any:
    import io

    import polars as pl

    from ..whatif import generate
    up = form.get("requests")
    if up is not None and getattr(up, "filename", ""):
        def table(f: Any) -> pl.DataFrame:
            raw = f.file.read()
            return pl.read_parquet(io.BytesIO(raw)) if f.filename.endswith(".parquet") else \
                pl.read_csv(io.BytesIO(raw), try_parse_dates=True, infer_schema_length=10_000)
        rec = form.get("records")
        return (table(up), table(rec) if rec is not None and getattr(rec, "filename", "")
                else pl.DataFrame(schema={"request_id": pl.Int64, "statute": pl.String}))
    try:
        rows = int(str(form.get("rows") or generate.requests_per_year()))
        year = int(str(form.get("year") or 2025))
    except ValueError as e:
        raise InputError("rows and year must be whole numbers", field="rows") from e
    if not 1 <= rows <= WHATIF_MAX_ROWS:
        raise InputError(f"rows must be between 1 and {WHATIF_MAX_ROWS:,}", field="rows")
    if not 2000 <= year <= 2100:
        raise InputError("year must be between 2000 and 2100", field="year")
    return next(generate.chunks(rows, year=year, seed=2025, chunk=rows))


def _whatif_form(error: str | None = None, chosen: list[str] | None = None) -> str:
    from ..law.registry import regimes as known
    chosen = chosen or ["la-2026", "la-jail-cooperation", "texas-sb4"]
    boxes = "".join(
        f'<div><input type="checkbox" name="regime" value="{html.escape(g)}" id="r-{html.escape(g)}"'
        f'{" checked" if g in chosen else ""}><label for="r-{html.escape(g)}"> <strong>{html.escape(g)}</strong>: '
        f'{html.escape(spec.get("label") or spec.get("title", ""))}</label></div>' for g, spec in known().items())
    err = f'<p role="alert" class="err">{html.escape(error)}</p>' if error else ""
    return _WHATIF.replace("<!--BOXES-->", boxes).replace("<!--ERR-->", err)


_WHATIF = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>What-if: regime against regime</title><style>body{font:16px system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
fieldset{margin:1rem 0}.err{color:#b3261e;font-weight:bold}label{line-height:1.8}input[type=number]{width:8rem}</style></head>
<body><h1>What-if: the same requests under other law</h1>
<p>Run regimes over the same table of requests and see, in total and request by request, what changes and which
provision changes it. Only <strong>la-2026</strong> is the law in force; every other regime is labelled for what it is.</p>
<!--ERR--><form method="post" action="/whatif" enctype="multipart/form-data">
<fieldset><legend>Regimes (the first checked is the baseline)</legend><!--BOXES--></fieldset>
<fieldset><legend>Requests</legend>
<p><label for="rows">Generated requests (a calibrated LA year is about 3,700)</label><br><input type="number" id="rows" name="rows" value="3685" min="1" max="200000">
<label for="year">Year</label> <input type="number" id="year" name="year" value="2025" min="2000" max="2100"></p>
<p>Or upload your own tables in the flat schema (<code>docs/whatif.md</code>):<br>
<label for="requests">requests (.csv or .parquet)</label> <input type="file" id="requests" name="requests" accept=".csv,.parquet"><br>
<label for="records">records (.csv or .parquet)</label> <input type="file" id="records" name="records" accept=".csv,.parquet"></p>
</fieldset><button type="submit">Compare</button></form></body></html>"""


_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sanctuary</title><style>body{font:16px system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
textarea,input{width:100%;font:14px monospace}textarea{height:18rem}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}</style></head>
<body><h1>Sanctuary</h1><p>Paste a request (the v1 contract, <code>docs/schema/request.schema.json</code>) and a clerk's token;
the decision is recorded in the ledger and shown as the clerk reads it. Staff sign in to the web app at
<a href="/app">/app</a> (intake, decisions, TRUTH Act papers, review queue, outbound screening). Open to all:
<a href="/guides">field guides</a>, <a href="/law">the law in force</a>, <a href="/dashboard">the public dashboard</a>,
<a href="/whatif">what-if</a>. The JSON API is under <code>/v1/</code> and described at <code>/openapi.json</code>.</p>
<form method="post" action="/ui/decide"><label for="token">Clerk token</label><input id="token" name="token" type="password" autocomplete="off">
<label for="request">Request (JSON)</label><textarea id="request" name="request">__REQ__</textarea>
<button type="submit">Decide and record</button></form><!--RESULT--></body></html>"""
