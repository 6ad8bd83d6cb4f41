"""The HTTP API (FastAPI).  One JSON error shape for every error (``SanctuaryError.diagnostics``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from ..engine.explain import to_text
from ..engine.models import field_path
from ..errors import InputError, LedgerError, SanctuaryError
from ..law.registry import agencies, load_regime
from ..offenses.classify import profile_of
from ..offenses.parsing import parse_charge
from ..service import Sanctuary

MAX_BODY = 256 * 1024


def create_app(svc: Sanctuary) -> FastAPI:
    app = FastAPI(title="Sanctuary", version="0.1.0", docs_url=None, redoc_url=None)
    regime = svc.regime_id

    @app.exception_handler(SanctuaryError)
    async def _err(_: Request, e: SanctuaryError) -> JSONResponse:
        return JSONResponse(e.diagnostics(), status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _val(_: Request, e: RequestValidationError) -> JSONResponse:
        errs = [{"field": field_path(tuple(x["loc"][1:])), "message": x["msg"]} for x in e.errors()]
        return JSONResponse(InputError(errs[0]["message"] if errs else "invalid", field=errs[0]["field"] if errs else None,
                                       errors=errs).diagnostics(), status_code=422)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def ready() -> dict[str, Any]:
        return {"status": "ready", "ledger_size": svc.ledger.size(), "law_version": svc.engine.regime.law_version}

    @app.post("/v1/decisions")
    async def post_decision(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InputError(f"request body is larger than {MAX_BODY} bytes", field="")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise InputError(f"body is not valid JSON: {e}", field="") from None
        d = svc.decide(data)  # returned only after the ledger commit
        return JSONResponse(d.model_dump(mode="json"), status_code=201,
                            headers={"Sanctuary-Law-Version": d.law_version,
                                     "Sanctuary-Ledger-Size": str(d.receipt["tree_size"] if d.receipt else "")})

    @app.get("/v1/decisions/{decision_id}")
    def get_decision(decision_id: str) -> dict[str, Any]:
        rec = svc.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            raise _NotFound(f"no decision {decision_id!r}")
        if rec["personal"] is None:  # purged under the retention rule: the public record remains
            return {**rec["public"], "personal_data": "purged", "ledger_index": rec["ledger_index"]}
        return {**rec["personal"]["decision"], "ledger_index": rec["ledger_index"]}

    @app.get("/v1/decisions/{decision_id}/trace")
    def get_trace(decision_id: str) -> dict[str, Any]:
        rec = get_decision(decision_id)
        if "trace" not in rec:
            raise _NotFound(f"the trace of {decision_id!r} was purged with its personal data")
        return rec["trace"]

    @app.get("/v1/ledger/checkpoint", response_class=PlainTextResponse)
    def checkpoint() -> str:
        return svc.ledger.checkpoint()

    @app.get("/v1/ledger/proof/{entry_id}")
    def proof(entry_id: str) -> dict[str, Any]:
        try:
            return svc.ledger.prove(entry_id)
        except LedgerError:
            raise _NotFound(f"no ledger entry {entry_id!r}") from None

    @app.get("/v1/agencies")
    def list_agencies() -> list[dict[str, Any]]:
        return [a.model_dump() for a in agencies().values()]

    @app.get("/v1/laws")
    def laws() -> dict[str, Any]:
        r = load_regime(regime)
        return {"regime": r.id, "law_version": r.law_version,
                "instruments": [i.model_dump(mode="json") for i in r.instruments.values()],
                "interpretations": [i.model_dump(mode="json") for i in r.interpretations.values()]}

    @app.get("/v1/offenses/parse")
    def offense(q: str) -> dict[str, Any]:
        p = parse_charge(q[:200])
        prof = profile_of(p)
        return {"parsed": p.to_dict(), "profile": prof.to_dict() if prof else None}

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return _HOME

    @app.post("/ui/decide", response_class=HTMLResponse)
    async def ui_decide(request: Request) -> str:
        form = await request.form()
        text = str(form.get("request", ""))
        try:
            d = svc.decide(json.loads(text))
            body = to_text(d)
        except SanctuaryError as e:
            body = json.dumps(e.diagnostics(), indent=2)
        except ValueError as e:
            body = f"not valid JSON: {e}"
        import html
        return _HOME.replace("<!--RESULT-->", f"<pre>{html.escape(body)}</pre>").replace("__REQ__", html.escape(text))

    return app


class _NotFound(SanctuaryError):
    code = "not_found"
    status = 404


_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sanctuary</title><style>body{font:16px system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
textarea{width:100%;height:18rem;font:14px monospace}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}</style></head>
<body><h1>Sanctuary</h1><p>Paste a request (the v1 contract; see <code>docs/</code>) and get the decision a clerk reads.
The staff web app (intake form, notices, field guides) is still to come; the JSON API is at <code>/v1/</code>.</p>
<form method="post" action="/ui/decide"><label for="request">Request (JSON)</label>
<textarea id="request" name="request">__REQ__</textarea><button type="submit">Decide</button></form><!--RESULT--></body></html>"""
