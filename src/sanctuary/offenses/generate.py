"""Build the offense catalog from the California DOJ code tables, reproducibly.

Inputs (``../shared/data/ca_doj_offense_codes``): ``chsoff_20220415.csv`` (the original, header-less
CJIS offense table) and ``cibrs_offense_codes.csv`` (the CIBRS listing: longer descriptions, possible
sentence, NIBRS codes). Output: ``data/catalog.json.gz`` (gzip with a fixed mtime, JSON with sorted
keys, so the same inputs give the same bytes) and ``data/SOURCE.sha256`` (the inputs' checksums).

Sentence classification (``custody``) reads CIBRS's "possible sentence" string:

- ``LIFE``/``DEATH``/``... TO LIFE`` → ``state-prison`` (PC 1170(h) never covers life terms);
- a felony triad such as ``16 MO,2,3 YRS`` → ``undetermined``: the string does not say whether the
  term is served in state prison or in county jail under PC 1170(h) (Realignment, 2011), so the
  catalog records that it cannot tell;
- ``... DA JAIL`` / misdemeanor → ``county-jail``; anything else → ``unknown``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import defaultdict
from pathlib import Path

CHSOFF_COLUMNS = [
    "ValidationCode", "CJISCode", "TransactionTypeCode", "StatutoryNumericCodes", "TypeOfStatCode",
    "StatuteLiteral", "DefaultTypeofCharge", "TypeOfCharge", "LiteralIndentifierCode", "ChargeDegree",
    "BCSCodesLEI", "BCSHierarchyCodes", "EnactDate", "RepealAmendDate", "ALPSCognizantCode",
]
SOURCES = ("chsoff_20220415.csv", "cibrs_offense_codes.csv")
DATA_DIR = Path(__file__).parent / "data"

_SECTION = re.compile(r"^(?P<base>\d+(?:\.\d+)*[A-Z]{0,3}(?:\.\d+)?)(?P<subs>(?:\([0-9A-Z]+\))*)(?P<rest>.*)$")


def split_section(numeric: str) -> tuple[str, tuple[str, ...], str]:
    """Split a DOJ ``StatutoryNumericCodes`` value into (base, subdivisions, remainder).

    >>> split_section("245(A)(1)")
    ('245', ('A', '1'), '')
    >>> split_section("288A(C)(2)(B)")
    ('288A', ('C', '2', 'B'), '')
    >>> split_section("424(A)1")
    ('424', ('A',), '1')
    """
    m = _SECTION.match(numeric.strip())
    if not m:
        return numeric.strip(), (), ""
    subs = tuple(re.findall(r"\(([0-9A-Z]+)\)", m.group("subs")))
    return m.group("base"), subs, m.group("rest")


def classify_sentence(sentence: str, level: str) -> str:
    s = sentence.upper().strip()
    if not s or s == "N/A":
        return "unknown"
    if "LIFE" in s or "DEATH" in s:
        return "state-prison"
    if "JAIL" in s and "YR" not in s:
        return "county-jail"
    if level == "F" and re.search(r"\d\s*(YRS|MO)", s):
        return "undetermined"
    return "unknown"


def _date(v: str) -> str | None:
    v = v.strip()
    if not v or v == "99999999":
        return None
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]}"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(source_dir: Path) -> tuple[bytes, dict[str, str]]:
    """Return (gzip bytes of the catalog, {file: sha256}) for the DOJ tables in ``source_dir``."""
    checks = {name: sha256_file(source_dir / name) for name in SOURCES}
    cibrs: dict[str, dict[str, str]] = {}
    with open(source_dir / "cibrs_offense_codes.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cibrs[r["CJIS CODE"].strip()] = r
    sections: dict[str, list[dict[str, object]]] = defaultdict(list)
    with open(source_dir / "chsoff_20220415.csv", newline="", encoding="latin-1") as f:
        for raw in csv.reader(f):
            r = dict(zip(CHSOFF_COLUMNS, raw, strict=True))
            code = r["TypeOfStatCode"].strip()
            numeric = r["StatutoryNumericCodes"].strip()
            level = r["TypeOfCharge"].strip()
            cj = r["CJISCode"].strip()
            extra = cibrs.get(cj, {})
            base, subs, rest = split_section(numeric)
            companion = ""
            if rest.startswith("/"):  # e.g. "484(A)/488": a combined DOJ entry
                companion = rest[1:]
            elif rest:  # e.g. "424(A)1": a bare trailing subdivision in the DOJ value itself
                subs = subs + tuple(re.findall(r"[0-9]+|[A-Z]+", rest))
            sentence = (extra.get("POSSIBLE SENTENCE") or "").strip()
            nibrs = [x.strip() for x in (extra.get("NIBRS CODES") or "").split(",") if x.strip()]
            sections[f"{code} {base}"].append({
                "cjis": cj,
                "numeric": numeric,
                "subs": list(subs),
                "companion": companion,
                "level": level,
                "literal": r["StatuteLiteral"].strip(),
                "description": (extra.get("OFFENSE DESCRIPTION") or "").strip(),
                "alt": r["DefaultTypeofCharge"].strip() == "*",
                "qualifier": r["LiteralIndentifierCode"].strip(),
                "degree": r["ChargeDegree"].strip(),
                "enact": _date(r["EnactDate"]),
                "repeal": _date(r["RepealAmendDate"]),
                "sentence": sentence,
                "custody": classify_sentence(sentence, level),
                "nibrs": nibrs,
                "bcs": r["BCSCodesLEI"].strip(),
            })
    for entries in sections.values():
        entries.sort(key=lambda e: (e["subs"], e["enact"] or "", e["cjis"]))
    doc = {"format": 1, "source": checks, "sections": dict(sorted(sections.items()))}
    payload = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9, filename="") as gz:
        gz.write(payload)
    return buf.getvalue(), checks


def write(source_dir: Path, out_dir: Path = DATA_DIR) -> dict[str, str]:
    blob, checks = build(source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "catalog.json.gz").write_bytes(blob)
    (out_dir / "SOURCE.sha256").write_text(
        "".join(f"{v}  {k}\n" for k, v in sorted(checks.items()))
        + f"{hashlib.sha256(blob).hexdigest()}  catalog.json.gz\n"
    )
    return checks
