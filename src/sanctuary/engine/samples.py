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
