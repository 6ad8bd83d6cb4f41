"""TRUTH Act papers (Gov. Code § 7283.1) generated from a recorded decision, in the six languages the
statute names, from message catalogs (``messages/*.yaml``).  A paper is offered only when the decision
carries the obligation it serves, so the papers follow the law packs:

* ``consent`` -- the interview consent form, 7283.1(a) (obligation ``interview-consent-form``);
* ``notice`` -- the copy of the request and whether the agency intends to comply, 7283.1(b)
  (``serve-copy-of-request``);
* ``release`` -- the written notice of release information given to ICE, to the person and their attorney
  or designee, 7283.1(b) (``written-release-notice``).

Every translation carries its catalog's review line (drafted, certified review required) on the paper.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

LANGS = ("en", "es", "zh", "tl", "vi", "ko")
PAPERS = {"consent": ("interview-consent-form", "Gov. Code § 7283.1(a)"),
          "notice": ("serve-copy-of-request", "Gov. Code § 7283.1(b)"),
          "release": ("written-release-notice", "Gov. Code § 7283.1(b)")}
_env = Environment(loader=PackageLoader("sanctuary.papers", "templates"), autoescape=select_autoescape())


@cache
def catalog(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise KeyError(lang)
    return yaml.safe_load(resources.files("sanctuary.papers").joinpath(f"messages/{lang}.yaml").read_text("utf-8"))


def available(decision: dict[str, Any]) -> list[str]:
    """The papers this decision's obligations call for."""
    kinds = {o["kind"] for o in decision.get("obligations", [])}
    return [p for p, (kind, _) in PAPERS.items() if kind in kinds]


def language_of(decision_request: dict[str, Any] | None) -> str:
    code = ((decision_request or {}).get("subject", {}).get("preferred_language") or "en").split("-")[0].lower()
    return code if code in LANGS else "en"


def render_html(paper: str, lang: str, decision: dict[str, Any], agency_name: str, reference: str | None) -> str:
    if paper not in PAPERS:
        raise KeyError(paper)
    m = catalog(lang)
    answers = []
    for a in decision["asks"]:
        if a["kind"] in ("hold", "notify-release", "transfer"):
            key = {"permitted": "comply", "required": "comply", "prohibited": "refuse"}.get(a["outcome"], "pending")
            answers.append((m["notice"]["asks"][a["kind"]], m["notice"]["answers"][key]))
    fmt = {"agency": agency_name, "date": str(decision["as_of"])}
    return _env.get_template("paper.html.j2").render(
        paper=paper, m=m, en=catalog("en"), lang=lang, citation=PAPERS[paper][1], answers=answers, fmt=fmt,
        reference=reference or "", decision_id=decision["decision_id"], agency=agency_name,
        today=dt.date.today().isoformat(), rtl=False)


def render_pdf(paper: str, lang: str, decision: dict[str, Any], agency_name: str, reference: str | None) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(paper, lang, decision, agency_name, reference)).write_pdf()
