"""Free-text offense descriptions → ranked candidate sections, from the DOJ and CIBRS literals.

Descriptions are normalised (abbreviations clerks use are expanded: ``ADW`` → assault with a deadly
weapon, ``F/ARM`` → firearm, ``POSS`` → possession …) and scored with RapidFuzz's token-set ratio
against every literal; a section's score is its best literal's.  A candidate is *accepted* only at or
above ``ACCEPT`` and only if it leads the runner-up section by ``MARGIN``; otherwise the caller gets
candidates to choose from, never an automatic answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process, utils

from .catalog import load_catalog

ACCEPT = 92.0
MARGIN = 5.0

ABBREV = {
    "ADW": "ASSAULT DEADLY WEAPON", "ASLT": "ASSAULT", "ASSLT": "ASSAULT", "BATT": "BATTERY", "BAT": "BATTERY",
    "F/ARM": "FIREARM", "FARM": "FIREARM", "FIREARM": "FIREARM", "POSS": "POSSESSION", "POS": "POSSESSION",
    "CNTL": "CONTROLLED", "CNTRL": "CONTROLLED", "SUB": "SUBSTANCE", "SUBS": "SUBSTANCE", "NARC": "NARCOTIC",
    "GTA": "GRAND THEFT AUTO", "VEH": "VEHICLE", "VEHS": "VEHICLE", "DUI": "DRIVING UNDER INFLUENCE",
    "UI": "UNDER INFLUENCE", "W/O": "WITHOUT", "W/": "WITH", "GBI": "GREAT BODILY INJURY", "PO": "PEACE OFFICER",
    "FTA": "FAIL TO APPEAR", "LIC": "LICENSE", "SUSP": "SUSPENDED", "SUSPEND": "SUSPENDED", "MFG": "MANUFACTURE",
    "TRANSP": "TRANSPORT", "PRSN": "PERSON", "PERSN": "PERSON", "OBST": "OBSTRUCT", "RESIST": "RESIST",
    "VANDAL": "VANDALISM", "PROP": "PROPERTY", "BURG": "BURGLARY", "RCV": "RECEIVE", "RECV": "RECEIVE",
    "STLN": "STOLEN", "THFT": "THEFT", "ALC": "ALCOHOL", "BEV": "BEVERAGE", "MARIJ": "MARIJUANA", "DRUNK": "DRUNK",
    "CORP": "CORPORAL", "INJ": "INJURY", "SPOUSE": "SPOUSE", "TERRORIZE": "THREATEN",
}
_TOKEN = re.compile(r"[A-Z0-9]+(?:/[A-Z]+)?|W/O|W/")


def normalise(text: str) -> str:
    t = text.upper().replace("**", " ")
    out = []
    for tok in _TOKEN.findall(t):
        out.append(ABBREV.get(tok, tok))
    return utils.default_process(" ".join(out))


@dataclass(frozen=True, slots=True)
class Candidate:
    section: str  # "PC 245(a)(1)"
    score: float
    literal: str


@dataclass(frozen=True, slots=True)
class DescriptionMatch:
    text: str
    candidates: tuple[Candidate, ...]
    accepted: Candidate | None
    explanation: str


@cache
def _index() -> tuple[list[str], list[tuple[str, str]]]:
    cat = load_catalog()
    choices: list[str] = []
    meta: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for e in cat.all_entries():
        if e.repeal is not None:
            continue
        for lit in {e.literal, e.description} - {""}:
            key = (e.section.label, lit)
            if key in seen:
                continue
            seen.add(key)
            choices.append(normalise(lit))
            meta.append(key)
    return choices, meta


@lru_cache(maxsize=50_000)
def match_description(text: str, limit: int = 5) -> DescriptionMatch:
    choices, meta = _index()
    q = normalise(text)
    if not q:
        return DescriptionMatch(text, (), None, "empty description")
    hits = process.extract(q, choices, scorer=fuzz.token_set_ratio, limit=60, processor=None)
    best: dict[str, Candidate] = {}
    for _, score, i in hits:
        sec, lit = meta[i]
        # token_set_ratio rewards subsets; temper it with the plain ratio so fuller matches rank first
        s = 0.7 * score + 0.3 * fuzz.ratio(q, choices[i])
        if sec not in best or s > best[sec].score:
            best[sec] = Candidate(sec, round(s, 1), lit)
    ranked = tuple(sorted(best.values(), key=lambda c: (-c.score, c.section))[:limit])
    accepted = None
    if ranked and ranked[0].score >= ACCEPT and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= MARGIN):
        accepted = ranked[0]
    why = (f"accepted {accepted.section} ({accepted.score})" if accepted else
           f"no candidate reached {ACCEPT} with a {MARGIN}-point lead; choose from the candidates")
    return DescriptionMatch(text, ranked, accepted, why)
