"""The staff web app: server-rendered pages over the same services as the API (Jinja2; a few lines of
JavaScript only to show how a typed charge reads).  Signed-in sessions carry the API token, so every page
gets the API's roles, agency scope, revocation and rate limits; every form carries a CSRF token."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import papers
from ..auth import Principal
from ..db.models import Role
from ..engine.models import ASK_KINDS, DOCUMENT_KINDS
from ..engine.models import Request as DecisionRequest
from ..errors import InputError, SanctuaryError
from ..law.registry import agencies, get_agency
from .guides import GUIDES, guide

env = Environment(loader=PackageLoader("sanctuary.web", "templates"), autoescape=select_autoescape())
SIGNERS = ("immigration-officer", "federal-judge", "federal-magistrate-judge", "state-judge", "unknown")
BASES = ("civil-immigration", "federal-criminal-immigration", "federal-criminal-other", "unknown")
TRI = ("in_custody", "release_info_public", "csar_registrant", "federal_aggravated_felony",
       "outstanding_federal_felony_warrant", "prior_removal_after_aggravated_felony", "victim_or_witness")
TRI_LABELS = {
    "in_custody": "Is the person in your custody?",
    "release_info_public": "Is the release date already public (e.g. on the inmate locator)?",
    "csar_registrant": "Is the person a current sex or arson registrant (CSAR)?",
    "federal_aggravated_felony": "Federal conviction for an aggravated felony?",
    "outstanding_federal_felony_warrant": "Has ICE named an outstanding federal felony warrant?",
    "prior_removal_after_aggravated_felony": "Previously removed after an aggravated-felony conviction?",
    "victim_or_witness": "Is the person a crime victim or witness (not charged)?",
}
ROWS_DOCS, ROWS_CONV = 3, 4
LANG_NAMES = {"en": "English", "es": "Español", "zh": "中文", "tl": "Tagalog", "vi": "Tiếng Việt", "ko": "한국어"}


class Redirect(Exception):  # noqa: N818 -- a control-flow signal, not an error
    """Raised by a page that needs a sign-in or another role; the app answers it with a 303 to ``url``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def response(self) -> RedirectResponse:
        return RedirectResponse(self.url, status_code=303)


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


env.filters["slug"] = slug


def router(svc: Any, auth: Any, guides_engine: Any) -> APIRouter:  # noqa: C901 - one page per function
    r = APIRouter(include_in_schema=False)

    def page(name: str, request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
        p = principal(request)
        return HTMLResponse(env.get_template(name).render(me=p, csrf=csrf(request), path=request.url.path, **ctx),
                            status_code=status)

    def principal(request: Request) -> Principal | None:
        token = request.session.get("token")
        if not token:
            return None
        try:
            return auth.authenticate(f"Bearer {token}")
        except SanctuaryError:
            request.session.clear()
            return None

    def csrf(request: Request) -> str:
        tok = request.session.get("csrf")
        if not tok:
            tok = request.session["csrf"] = secrets.token_urlsafe(24)
        return tok

    async def form_checked(request: Request) -> Any:
        form = await request.form()
        sent = str(form.get("csrf", ""))
        if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
            raise InputError("the form expired or did not come from this site; reload the page", field="csrf")
        return form

    def need(request: Request, *roles: Role) -> Principal:
        """The signed-in principal, if it holds one of ``roles``; otherwise :class:`Redirect` to sign in
        (or home, marked denied)."""
        p = principal(request)
        if p is None:
            raise Redirect(f"/app/login?next={request.url.path}")
        if roles and p.role not in roles:
            raise Redirect("/app?denied=1")
        return p

    # ---------------------------------------------------------------- sign in
    @r.get("/app/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/app") -> HTMLResponse:  # noqa: A002
        return page("login.html.j2", request, next=next if next.startswith("/") else "/app")

    @r.post("/app/login")
    async def login(request: Request) -> Response:
        form = await form_checked(request)
        token = str(form.get("token", "")).strip()
        nxt = str(form.get("next", "/app"))
        try:
            p = auth.authenticate(f"Bearer {token}")
            if p.anonymous:
                raise InputError("enter your token", field="token")
        except SanctuaryError as e:
            return page("login.html.j2", request, 401, next=nxt, error=e.message)
        request.session.clear()
        request.session["token"] = token
        return RedirectResponse(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/app", status_code=303)

    @r.post("/app/logout")
    async def logout(request: Request) -> Response:
        await form_checked(request)
        request.session.clear()
        return RedirectResponse("/app/login", status_code=303)

    @r.get("/app", response_class=HTMLResponse)
    def home(request: Request, denied: int = 0) -> Response:
        p = need(request)
        if p.role == Role.CLERK and not denied:
            return RedirectResponse("/app/intake", status_code=303)
        if p.role == Role.COUNSEL and not denied:
            return RedirectResponse("/app/reviews", status_code=303)
        return page("home.html.j2", request, denied=denied)

    # ---------------------------------------------------------------- intake
    def blank(p: Principal) -> dict[str, Any]:
        return {"as_of": dt.date.today().isoformat(), "from_authority": "ice-ero", "asks": [], "reference": "",
                "preferred_language": "es", **{f"tri_{k}": "" for k in TRI}}

    @r.get("/app/intake", response_class=HTMLResponse)
    def intake_page(request: Request) -> Response:
        p = need(request, Role.CLERK)
        return page("intake.html.j2", request, v=blank(p), errors={}, **_intake_ctx(p))

    @r.post("/app/intake", response_class=HTMLResponse)
    async def intake(request: Request) -> Response:
        p = need(request, Role.CLERK)
        form = await form_checked(request)
        v = {k: str(form.get(k, "")) for k in form if k != "csrf"}
        v["asks"] = [str(x) for x in form.getlist("asks")]
        data, where = _request_from_form(v, p)
        try:
            req = DecisionRequest.parse(data)
            d = svc.decide(req)
        except InputError as e:
            errors: dict[str, str] = {}
            for err in e.details.get("errors") or [{"field": e.field, "message": e.message}]:
                errors.setdefault(where.get(err.get("field") or "", _nearest(err.get("field") or "", where)), err["message"])
            return page("intake.html.j2", request, 422, v=v, errors=errors, **_intake_ctx(p))
        return RedirectResponse(f"/app/decisions/{d.decision_id}", status_code=303)

    # ---------------------------------------------------------------- decisions
    def load(decision_id: str, p: Principal) -> dict[str, Any] | None:
        rec = svc.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            return None
        if p.role == Role.CLERK and rec["public"]["agency"] != p.agency:
            return None  # another agency's decision is not shown, not even its existence
        return rec

    @r.get("/app/decisions", response_class=HTMLResponse)
    def decisions(request: Request) -> Response:
        p = need(request, Role.CLERK, Role.COUNSEL)
        from ..ledger.canonical import from_canonical
        rows = []
        size = svc.ledger.size()
        for _, data in svc.ledger.store.iter_kind(["decision"], max(0, size - 3000)):
            pub = from_canonical(data)["public"]
            if p.role == Role.CLERK and pub["agency"] != p.agency:
                continue
            rows.append(pub)
        return page("decisions.html.j2", request, rows=list(reversed(rows))[:100])

    @r.get("/app/decisions/{decision_id}", response_class=HTMLResponse)
    def decision(request: Request, decision_id: str) -> Response:
        p = need(request, Role.CLERK, Role.COUNSEL)
        rec = load(decision_id, p)
        if rec is None:
            return page("missing.html.j2", request, 404, what=decision_id)
        pers = rec["personal"]
        d = pers["decision"] if pers else {**rec["public"], "obligations": [], "missing_facts": [], "what_would_change": [],
                                           "interpretations": [], "charges": []}
        req = pers["request"] if pers else None
        return page("decision.html.j2", request, d=d, req=req, rec=rec, agency=get_agency(rec["public"]["agency"]).name,
                    papers=papers.available(d), lang=papers.language_of(req), langs=LANG_NAMES)

    @r.get("/app/decisions/{decision_id}/papers/{paper}.{fmt}")
    def paper(request: Request, decision_id: str, paper: str, fmt: str, lang: str = "en") -> Response:
        p = need(request, Role.CLERK, Role.COUNSEL)
        rec = load(decision_id, p)
        if rec is None or rec["personal"] is None or paper not in papers.PAPERS or lang not in papers.LANGS or fmt not in ("html", "pdf"):
            return page("missing.html.j2", request, 404, what=f"{paper} for {decision_id}")
        d, req = rec["personal"]["decision"], rec["personal"]["request"]
        if paper not in papers.available(d):
            return page("missing.html.j2", request, 404, what=f"{paper}: this decision does not call for it")
        name = get_agency(d["agency"]).name
        if fmt == "pdf":
            return Response(papers.render_pdf(paper, lang, d, name, req.get("reference")), media_type="application/pdf",
                            headers={"content-disposition": f'attachment; filename="{paper}-{lang}-{decision_id[:8]}.pdf"'})
        return HTMLResponse(papers.render_html(paper, lang, d, name, req.get("reference")))

    # ---------------------------------------------------------------- outbound screening
    @r.get("/app/screen", response_class=HTMLResponse)
    def screen_page(request: Request) -> Response:
        need(request, Role.CLERK)
        return page("screen.html.j2", request, v={"to": "ice-ero", "purpose": "immigration-enforcement", "text": ""}, result=None)

    @r.post("/app/screen", response_class=HTMLResponse)
    async def screen(request: Request) -> Response:
        p = need(request, Role.CLERK)
        form = await form_checked(request)
        v = {k: str(form.get(k, "")) for k in ("to", "purpose", "text")}
        res, receipt = svc.screen_text(v["text"], p.agency, dt.date.today(), v["to"] or "unknown", v["purpose"] or "unknown", by=p.name)
        return page("screen.html.j2", request, v=v, result=res, receipt=receipt)

    # ---------------------------------------------------------------- counsel's queue
    @r.get("/app/reviews", response_class=HTMLResponse)
    def reviews(request: Request) -> Response:
        need(request, Role.COUNSEL)
        from sqlalchemy import select

        from ..db.models import ReviewCase
        svc.catch_up_cases()
        with svc.sessions() as db:
            cases = db.execute(select(ReviewCase).where(ReviewCase.status == "open").order_by(ReviewCase.opened_at).limit(200)).scalars().all()
            rows = [{"decision_id": c.decision_id, "agency": c.agency, "opened_at": c.opened_at} for c in cases]
        return page("reviews.html.j2", request, rows=rows)

    @r.post("/app/reviews/{decision_id}", response_class=HTMLResponse)
    async def determine(request: Request, decision_id: str) -> Response:
        p = need(request, Role.COUNSEL)
        form = await form_checked(request)
        dets = [{"ask": int(k.split("-")[1]), "outcome": str(v)} for k, v in form.items() if k.startswith("ask-") and v]
        try:
            svc.determine(decision_id, dets, str(form.get("note", "")).strip() or "(no note)", p.name)
        except SanctuaryError as e:
            return page("missing.html.j2", request, 422, what=e.message)
        return RedirectResponse(f"/app/decisions/{decision_id}", status_code=303)

    # ---------------------------------------------------------------- the law and the field guides (public)
    @r.get("/law", response_class=HTMLResponse)
    def law(request: Request) -> HTMLResponse:
        regime = svc.engine.regime
        return page("law.html.j2", request, regime=regime, readings=svc.readings,
                    instruments=sorted(regime.instruments.values(), key=lambda i: (i.layer, i.id)))

    @r.get("/guides", response_class=HTMLResponse)
    def guides(request: Request) -> HTMLResponse:
        return page("guides.html.j2", request, guides={k: v[0] for k, v in GUIDES.items()})

    @r.get("/guides/{place}", response_class=HTMLResponse)
    def guide_page(request: Request, place: str) -> HTMLResponse:
        if place not in GUIDES:
            return page("missing.html.j2", request, 404, what=f"a guide for {place!r}")
        title, agency, lines = guide(place, guides_engine())
        return page("guide.html.j2", request, title=title, agency=agency, lines=lines, on=dt.date.today())

    return r


def _intake_ctx(p: Principal) -> dict[str, Any]:
    return {"agency": get_agency(p.agency or "").name if p.agency in agencies() else p.agency, "asks_all": ASK_KINDS,
            "doc_kinds": DOCUMENT_KINDS, "signers": SIGNERS, "bases": BASES, "tri": TRI_LABELS, "rows_docs": ROWS_DOCS,
            "rows_conv": ROWS_CONV, "langs": LANG_NAMES}


def _tri(v: str) -> bool | None:
    return {"yes": True, "no": False}.get(v)


def _request_from_form(v: dict[str, Any], p: Principal) -> tuple[dict[str, Any], dict[str, str]]:
    """The v1 request a filled form stands for, and where each request field sits on the form."""
    where: dict[str, str] = {"as_of": "as_of", "from_authority": "from_authority", "asks": "asks", "reference": "reference",
                             "subject.preferred_language": "preferred_language"}
    docs = []
    for i in range(ROWS_DOCS):
        kind = v.get(f"doc-{i}-kind", "")
        if not kind:
            continue
        n = len(docs)
        d = {"kind": kind, "signed_by": v.get(f"doc-{i}-signed_by") or "unknown", "offense_basis": v.get(f"doc-{i}-basis") or "unknown"}
        if v.get(f"doc-{i}-court"):
            d["court"] = v[f"doc-{i}-court"]
        docs.append(d)
        for k, f in (("kind", "kind"), ("signed_by", "signed_by"), ("offense_basis", "basis"), ("court", "court")):
            where[f"documents[{n}].{k}"] = f"doc-{i}-{f}"
    convs = []
    for i in range(ROWS_CONV):
        statute = v.get(f"conv-{i}-statute", "").strip()
        if not statute:
            continue
        n = len(convs)
        c: dict[str, Any] = {"statute": statute, "level": v.get(f"conv-{i}-level") or "unknown"}
        if v.get(f"conv-{i}-date"):
            c["date"] = v[f"conv-{i}-date"]
        convs.append(c)
        for k in ("statute", "level", "date"):
            where[f"subject.convictions[{n}].{k}"] = f"conv-{i}-{k}"
    subject: dict[str, Any] = {k: _tri(v.get(f"tri_{k}", "")) for k in TRI}
    for k in TRI:
        where[f"subject.{k}"] = f"tri_{k}"
    subject.update(convictions=convs, preferred_language=v.get("preferred_language") or None)
    asks = [{"kind": a} for a in v.get("asks", [])]
    data = {"agency": p.agency, "as_of": v.get("as_of") or None, "from_authority": v.get("from_authority") or "unknown",
            "documents": docs, "asks": asks, "subject": subject, "reference": v.get("reference") or None}
    if not asks:
        data["asks"] = []
    return data, where


def _nearest(field: str, where: dict[str, str]) -> str:
    """The form field an error belongs to: the longest known prefix of its path, else the form itself."""
    best = ""
    for k in where:
        if field.startswith(k) and len(k) > len(best):
            best = k
    return where.get(best, "form")
