"""Seeded realistic requests for benchmarks and tests: LA jail detainers with 0-10 convictions whose
charge strings are spelled the way LAPD clerks type them (from the public LAPD samples)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

CHARGES = [  # (string as typed, usual level) — spellings seen in the LAPD open-data samples
    ("11377(A)HS", "felony"), ("23152(A)VC", "misdemeanor"), ("273.5(A)PC", "felony"), ("245(A)(1)PC", "felony"),
    ("11378HS", "felony"), ("459PC", "felony"), ("422(A)PC", "felony"), ("29800(A)1PC", "felony"),
    ("23153(A)VC", "felony"), ("10851(A)VC", "felony"), ("11350(A)HS", "misdemeanor"), ("211PC", "felony"),
    ("243(E)(1)PC", "misdemeanor"), ("496(A)PC", "misdemeanor"), ("487(D)(1)PC", "felony"), ("11351HS", "felony"),
    ("11352(A)HS", "felony"), ("594(B)2APC", "misdemeanor"), ("14601.1AVC", "misdemeanor"), ("243(A)PC", "misdemeanor"),
    ("25850(A)PC", "felony"), ("11351.5HS", "felony"), ("11379(A)HS", "felony"), ("666PC", "felony"),
    ("A211PC", "felony"), ("459PCRES", "felony"), ("A187(A)PC", "felony"), ("488PC", "misdemeanor"),
    ("242PC", "misdemeanor"), ("245(A)(4)PC", "misdemeanor"), ("12020(A)(1)PC", "felony"), ("41.27CLAMC", "infraction"),
]


def sample_requests(n: int, seed: int = 7, max_convictions: int = 10) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        as_of = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
        convs = []
        for _ in range(rng.randint(0, max_convictions)):
            s, lvl = rng.choice(CHARGES)
            convs.append({"statute": s, "level": lvl,
                          "date": (as_of - dt.timedelta(days=rng.randrange(30, 9000))).isoformat()})
        out.append({
            "agency": rng.choice(["lasd", "lasd", "lapd", "la-county-probation"]),
            "as_of": as_of.isoformat(), "from_authority": "ice-ero",
            "documents": [{"kind": "i-247a", "signed_by": "immigration-officer", "offense_basis": "civil-immigration"}],
            "asks": [{"kind": "hold"}, {"kind": "notify-release"}, {"kind": "transfer"}],
            "subject": {"in_custody": True, "release_info_public": False, "csar_registrant": rng.random() < 0.03,
                        "federal_aggravated_felony": False, "outstanding_federal_felony_warrant": False,
                        "convictions": convs, "preferred_language": rng.choice(["es", "en", "zh", "ko", "tl", "vi"])},
            "regime": rng.choice(["la-2026", "ca-baseline"]),
        })
    return out


def demo_month(seed: int = 11, start: dt.date = dt.date(2026, 10, 1), days: int = 30) -> list[dict[str, Any]]:
    """A month of requests across LA agencies: jail detainers (most), field asks at schools, libraries,
    clinics and City property, and e-mails asking for addresses."""
    rng = random.Random(seed)
    jail = sample_requests(400, seed=seed)
    out: list[dict[str, Any]] = []
    for day in range(days):
        date = (start + dt.timedelta(days=day)).isoformat()
        for _ in range(rng.randint(4, 9)):
            r = dict(rng.choice(jail), as_of=date, regime="la-2026")
            out.append(r)
        if rng.random() < 0.35:
            agency, place = rng.choice([("lausd", "school"), ("lapl", "library"), ("la-county-dhs", "health-facility"),
                                        ("ladot", "city-property"), ("la-city-other", "city-property")])
            out.append({"agency": agency, "as_of": date, "from_authority": rng.choice(["ice-ero", "ice-hsi", "cbp"]),
                        "documents": [{"kind": rng.choice(["i-200", "i-205", "none", "federal-search-warrant"]),
                                       "signed_by": rng.choice(["immigration-officer", "unknown", "federal-judge"])}],
                        "asks": [{"kind": "facility-access", "detail": {"area": rng.choice(["public", "nonpublic"]), "place": place}}]})
        if rng.random() < 0.25:
            out.append({"agency": rng.choice(["lapd", "lasd", "la-county-probation"]), "as_of": date, "from_authority": "ice-ero",
                        "documents": [{"kind": "none"}],
                        "asks": [{"kind": "personal-info", "detail": {"fields": ["home-address", "phone"]}}],
                        "subject": {"in_custody": False}})
    return out
