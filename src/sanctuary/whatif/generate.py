"""A seeded, calibrated generator of Los Angeles jail and field requests in the flat what-if schema.

Every assumption is a named constant below and is documented in ``docs/whatif.md``.  Where a public
figure exists it is used:

* LASD transfers to ICE: 1,223 (2017), 964 (2018), 457 (2019) (law file §6.3a, from the Board of
  Supervisors and press reports).  The number of jail detainers per year is set so that the
  state-baseline regime (the Values Act era, 2018) *permits* a transfer for about 964 LASD requests in
  a generated 2018.  Transfers are a subset of what the law allowed, so the generated volume is a
  lower bound on the real one.
* The offense mix of 2017 LASD transfers: about 25 % drug, 20 % person, 20 % property, 4 % vehicle
  code (the rest "other").  :data:`OFFENSE_MIX` draws convictions in those proportions.
* Charge strings are drawn from the spellings LAPD clerks actually typed (``../shared/data``).

Everything else (the split between agencies, documents, how often facts are unknown) is an
assumption, stated as such; change the constants to test another.  Generation is vectorised with
NumPy and written in chunks, so tens of millions of rows need memory for one chunk only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from .schema import RECORD_SCHEMA, REQUEST_SCHEMA

# (string as typed by clerks, usual level, wobbler-like level flip allowed)
OFFENSES: dict[str, list[tuple[str, str]]] = {
    "drug": [("11377(A)HS", "felony"), ("11378HS", "felony"), ("11350(A)HS", "misdemeanor"), ("11351HS", "felony"),
             ("11352(A)HS", "felony"), ("11351.5HS", "felony"), ("11379(A)HS", "felony"), ("11359HS", "felony"),
             ("11364HS", "misdemeanor")],
    "person": [("211PC", "felony"), ("245(A)(1)PC", "felony"), ("273.5(A)PC", "felony"), ("422(A)PC", "felony"),
               ("243(E)(1)PC", "misdemeanor"), ("242PC", "misdemeanor"), ("A187(A)PC", "felony"), ("245(A)(4)PC", "felony"),
               ("261(A)(2)PC", "felony"), ("288(A)PC", "felony"), ("207(A)PC", "felony"), ("236PC", "misdemeanor")],
    "property": [("459PC", "felony"), ("487(D)(1)PC", "felony"), ("496(A)PC", "misdemeanor"), ("594(B)2APC", "misdemeanor"),
                 ("488PC", "misdemeanor"), ("666PC", "felony"), ("459PCRES", "felony"), ("484(A)PC", "misdemeanor"),
                 ("530.5(A)PC", "felony")],
    "vehicle": [("23152(A)VC", "misdemeanor"), ("23153(A)VC", "felony"), ("10851(A)VC", "felony"),
                ("14601.1AVC", "misdemeanor"), ("20001(A)VC", "felony"), ("2800.2(A)VC", "felony")],
    "other": [("29800(A)1PC", "felony"), ("25850(A)PC", "felony"), ("12020(A)(1)PC", "felony"), ("148(A)(1)PC", "misdemeanor"),
              ("166(C)(1)PC", "misdemeanor"), ("647(F)PC", "misdemeanor"), ("290(B)PC", "felony"), ("186.22(A)PC", "felony"),
              ("1203.2PC", "unknown"), ("41.27CLAMC", "infraction")],
}
OFFENSE_MIX = {"drug": 0.25, "person": 0.20, "property": 0.20, "vehicle": 0.04, "other": 0.31}
CONVICTIONS_PER_PERSON = {0: 0.30, 1: 0.28, 2: 0.18, 3: 0.12, 4: 0.07, 5: 0.03, 6: 0.02}
JAIL_AGENCIES = {"lasd": 0.74, "lapd": 0.20, "la-county-probation": 0.06}
FIELD_SHARE = 0.08  # field requests (schools, libraries, clinics, City property, e-mails) per jail detainer
# Calibrated (docs/whatif.md): with this many, the state-baseline regime permits about 964 LASD transfers
# in a generated 2018, the number LASD reported for 2018 (it was bound only by state law until Sept 2020).
LASD_DETAINERS_PER_YEAR = 2_525
LANGS = {"es": 0.62, "en": 0.18, "zh": 0.05, "ko": 0.04, "tl": 0.04, "vi": 0.04, "hy": 0.03}
DETAINER_DOCS = {
    "i-247a:immigration-officer:civil-immigration;i-200:immigration-officer:civil-immigration": 0.58,
    "i-247a:immigration-officer:civil-immigration;i-205:immigration-officer:civil-immigration": 0.30,
    "i-247a:unknown:civil-immigration;i-200": 0.05,
    "i-247a:immigration-officer:civil-immigration": 0.05,
    "federal-arrest-warrant:federal-magistrate-judge:federal-criminal-immigration": 0.02,
}
JAIL_ASKS = {"hold;notify-release;transfer": 0.72, "notify-release": 0.20, "notify-release;transfer": 0.05, "interview": 0.03}
FIELD = [  # (agency, asks, ask_detail, documents, weight)
    ("lausd", "facility-access", {"facility-access": {"place": "school", "area": "nonpublic"}}, "i-200:immigration-officer", 0.12),
    ("lausd", "personal-info", {"personal-info": {"fields": ["home-address"], "place": "school"}}, "none", 0.06),
    ("lapl", "facility-access", {"facility-access": {"place": "library", "area": "public"}}, "none", 0.08),
    ("lapl", "facility-access", {"facility-access": {"place": "library", "area": "nonpublic"}}, "i-200:immigration-officer", 0.06),
    ("la-county-dhs", "facility-access", {"facility-access": {"place": "health-facility", "area": "nonpublic"}}, "i-200:immigration-officer", 0.10),
    ("la-county-dhs", "facility-access", {"facility-access": {"place": "health-facility", "area": "nonpublic"}}, "federal-search-warrant:federal-judge", 0.02),
    ("ladot", "data-share", {"data-share": {"kind": "alpr"}}, "none", 0.08),
    ("la-city-other", "facility-access", {"facility-access": {"place": "city-property", "use": "staging"}}, "none", 0.08),
    ("lapd", "assist-operation", {"assist-operation": {"purpose": "immigration-enforcement", "role": "perimeter"}}, "none", 0.12),
    ("lapd", "personal-info", {"personal-info": {"fields": ["home-address", "phone"]}}, "none", 0.12),
    ("la-county-probation", "personal-info", {"personal-info": {"fields": ["probation-check-in"]}}, "none", 0.08),
    ("la-superior-court", "arrest-civil-warrant", {"arrest-civil-warrant": {"place": "courthouse"}}, "i-200:immigration-officer", 0.08),
]
AUTHORITY = {"ice-ero": 0.90, "ice-hsi": 0.05, "cbp": 0.03, "unknown": 0.02}
# (P(true), P(false)); the rest is unknown
TRI_RATES = {
    "in_custody": (0.97, 0.0), "release_info_public": (0.05, 0.88), "csar_registrant": (0.02, 0.88),
    "federal_aggravated_felony": (0.01, 0.90), "outstanding_federal_felony_warrant": (0.01, 0.92),
    "prior_removal_after_aggravated_felony": (0.03, 0.80), "victim_or_witness": (0.01, 0.97),
    "hate_crime_victim_or_witness": (0.0, 0.99), "status_proof_shown": (0.03, 0.90),
    "detected_during_unrelated_activity": (0.5, 0.3), "exigent_circumstances": (0.0, 0.95),
}
PENDING_SHARE = 0.20
OTHER_JURISDICTION = {"california": 0.95, "other-state": 0.03, "federal": 0.02}


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> pl.Series:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return pl.Series(keys, dtype=pl.String).gather(rng.choice(len(keys), size=n, p=p / p.sum()))


def _tri(rng: np.random.Generator, rate: tuple[float, float], n: int) -> pl.Series:
    u = rng.random(n)
    t, f = rate
    out = np.where(u < t, 1, np.where(u < t + f, 0, -1))
    s = pl.Series(out, dtype=pl.Int8)
    return pl.select(pl.when(s == 1).then(True).when(s == 0).then(False).otherwise(None)).to_series()


def _lvl_code(lvl: np.ndarray) -> np.ndarray:
    return np.select([lvl == "felony", lvl == "misdemeanor", lvl == "unknown"], [0, 1, 2], 3)


def requests_per_year(scale: float = 1.0) -> int:
    jail = LASD_DETAINERS_PER_YEAR / JAIL_AGENCIES["lasd"]
    return int(round(jail * (1 + FIELD_SHARE) * scale))


def chunks(n: int, *, year: int | None = 2025, seed: int = 2025, chunk: int = 1_000_000,
           start_id: int = 1, years: tuple[int, int] | None = None) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Yield ``(requests, records)`` chunks of a generated table of ``n`` requests (ids ascending)."""
    rng = np.random.default_rng(seed)
    offenses = [(cat, s, lvl) for cat, lst in OFFENSES.items() for s, lvl in lst]
    off_cat = np.array([o[0] for o in offenses], dtype=object)
    off_str = np.array([o[1] for o in offenses], dtype=object)
    off_lvl = np.array([o[2] for o in offenses], dtype=object)
    off_p = np.array([OFFENSE_MIX[c] / len(OFFENSES[c]) for c, _, _ in offenses])
    off_p /= off_p.sum()
    y0, y1 = years if years else (year, year)
    d0 = dt.date(y0, 1, 1).toordinal()
    d1 = dt.date(y1, 12, 31).toordinal()
    done = 0
    while done < n:
        m = min(chunk, n - done)
        ids = np.arange(start_id + done, start_id + done + m, dtype=np.int64)
        as_of = rng.integers(d0, d1 + 1, size=m)
        field = rng.random(m) < FIELD_SHARE / (1 + FIELD_SHARE)
        fw = np.array([f[4] for f in FIELD])
        fi = pl.Series(np.where(field, rng.choice(len(FIELD), size=m, p=fw / fw.sum()), -1))
        def by_field(jail: pl.Series, j: int, fi: pl.Series = fi) -> pl.Series:
            vals = pl.Series([json.dumps(f[j], separators=(",", ":")) if j == 2 else f[j] for f in FIELD], dtype=pl.String)
            return pl.select(pl.when(fi >= 0).then(vals.gather(fi.clip(0))).otherwise(jail)).to_series()
        none = pl.Series([None] * m, dtype=pl.String)
        req = pl.DataFrame({
            "request_id": ids,
            "agency": by_field(_pick(rng, JAIL_AGENCIES, m), 0),
            "as_of": pl.Series((as_of - dt.date(1970, 1, 1).toordinal()).astype(np.int32)).cast(pl.Date),
            "from_authority": _pick(rng, AUTHORITY, m),
            "documents": by_field(_pick(rng, DETAINER_DOCS, m), 3), "asks": by_field(_pick(rng, JAIL_ASKS, m), 1),
            "ask_detail": by_field(none, 2),
        })
        tri = {c: _tri(rng, TRI_RATES[c], m).alias(c) for c in TRI_RATES}
        req = req.with_columns(**tri).with_columns(
            # a field request is about a person not in custody
            pl.when(pl.Series(field)).then(False).otherwise(pl.col("in_custody")).alias("in_custody"),
            preferred_language=_pick(rng, LANGS, m))
        req = req.select(list(REQUEST_SCHEMA))
        # ---- records: convictions, then sometimes one pending charge
        counts = np.where(field, 0, rng.choice(list(CONVICTIONS_PER_PERSON), size=m,
                                               p=np.array(list(CONVICTIONS_PER_PERSON.values())) / sum(CONVICTIONS_PER_PERSON.values())))
        k = int(counts.sum())
        rid = np.repeat(ids, counts)
        seq = np.arange(k) - np.repeat(np.cumsum(counts) - counts, counts)
        oi = rng.choice(len(offenses), size=k, p=off_p)
        lvl = off_lvl[oi].copy()
        flip = rng.random(k) < 0.15
        lvl[flip & (lvl == "felony")] = "misdemeanor"
        unknown_level = rng.random(k) < 0.04
        lvl[unknown_level] = "unknown"
        req_asof = np.repeat(as_of, counts)
        age_days = (rng.exponential(6.0, size=k) * 365.25).astype(np.int64) + 30
        cdate = req_asof - age_days
        nodate = rng.random(k) < 0.03
        red = np.full(k, None, dtype=object)
        p47 = (np.isin(off_cat[oi], ["drug", "property"])) & (lvl == "misdemeanor") & (rng.random(k) < 0.25)
        red[p47] = "prop47"
        red[(lvl == "misdemeanor") & (off_lvl[oi] == "felony") & (rng.random(k) < 0.3)] = "pc17b"
        fnd = np.full(k, None, dtype=object)
        u = rng.random(k)
        fnd[u < 0.25] = ""
        fnd[u < 0.04] = "personal-use-deadly-weapon"
        fnd[u < 0.02] = "personal-infliction-gbi"
        conv = pl.DataFrame({
            "request_id": rid, "seq": seq.astype(np.int32), "record": np.full(k, "conviction"),
            "statute": pl.Series(off_str.tolist()).gather(oi), "level": pl.Series(["felony", "misdemeanor", "unknown", "infraction"]).gather(_lvl_code(lvl)),
            "date": pl.Series(np.where(nodate, 0, cdate - dt.date(1970, 1, 1).toordinal()).astype(np.int32)).cast(pl.Date),
            "jurisdiction": _pick(rng, OTHER_JURISDICTION, k), "reduced": pl.Series(red.tolist(), dtype=pl.String),
            "juvenile": rng.random(k) < 0.02, "findings": pl.Series(fnd.tolist(), dtype=pl.String),
            "magistrate_probable_cause": pl.Series([None] * k, dtype=pl.Boolean),
        }).with_columns(date=pl.when(pl.Series(nodate)).then(None).otherwise(pl.col("date")))
        has_p = (~field) & (rng.random(m) < PENDING_SHARE)
        pm = int(has_p.sum())
        pi = rng.choice(len(offenses), size=pm, p=off_p)
        pend = pl.DataFrame({
            "request_id": ids[has_p], "seq": counts[has_p].astype(np.int32), "record": np.full(pm, "pending"),
            "statute": pl.Series(off_str.tolist()).gather(pi), "level": np.where(rng.random(pm) < 0.6, "felony", "misdemeanor"),
            "date": pl.Series([None] * pm, dtype=pl.Date), "jurisdiction": np.full(pm, "california"),
            "reduced": pl.Series([None] * pm, dtype=pl.String), "juvenile": np.zeros(pm, dtype=bool),
            "findings": pl.Series([None] * pm, dtype=pl.String),
            "magistrate_probable_cause": _tri(rng, (0.4, 0.3), pm),
        })
        recs = pl.concat([conv.select(list(RECORD_SCHEMA)), pend.select(list(RECORD_SCHEMA))]).cast(RECORD_SCHEMA)  # type: ignore[arg-type]
        yield req.cast(REQUEST_SCHEMA), recs.sort("request_id", "seq")  # type: ignore[arg-type]
        done += m


def write(out_dir: str | Path, n: int, *, fmt: str = "parquet", **kw: object) -> tuple[Path, Path]:
    """Write ``requests.{fmt}`` and ``records.{fmt}`` to ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rq, rc = out / f"requests.{fmt}", out / f"records.{fmt}"
    if fmt == "csv":
        with rq.open("w") as fq, rc.open("w") as fr:
            for i, (a, b) in enumerate(chunks(n, **kw)):  # type: ignore[arg-type]
                a.write_csv(fq, include_header=i == 0)
                b.write_csv(fr, include_header=i == 0)
        return rq, rc
    import pyarrow.parquet as pq

    wq = wr = None
    try:
        for a, b in chunks(n, **kw):  # type: ignore[arg-type]
            # text columns dictionary-encoded (Parquet's dictionary pages, read back as categoricals)
            ta, tb = (t.with_columns(pl.col(pl.String).cast(pl.Categorical)).to_arrow() for t in (a, b))
            wq = wq or pq.ParquetWriter(rq, ta.schema, compression="zstd")
            wr = wr or pq.ParquetWriter(rc, tb.schema, compression="zstd")
            wq.write_table(ta, row_group_size=256_000)
            wr.write_table(tb, row_group_size=256_000)
    finally:
        for w in (wq, wr):
            if w is not None:
                w.close()
    return rq, rc
