"""Charge strings as clerks type them → canonical statute references.

Handles ``245(A)(1)PC``, ``29800(A)1PC`` (bare subdivisions), ``11357BHS``, ``A187(A)PC`` (LAPD's
attempt prefix), ``664/187(a)``, ``182/211``, ``459PCAUTO`` (qualifiers), ``594(B)(2)(A`` (truncated
at the field width), ``41.27CLAMC`` (Los Angeles Municipal Code), ``Penal Code § 245, subd. (a)(1)``
and typos (``256020(A)BP`` → suggestions, never accepted).  Every result carries a confidence and an
explanation; what cannot be read is an explicit ``unknown``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .catalog import Catalog, load_catalog
from .models import ParsedCharge, ParseStatus, Section

# Long code names → DOJ TypeOfStatCode.  Order matters (longest first).
_LONG_NAMES = [
    (r"LOS\s+ANGELES\s+MUNICIPAL\s+CODE", "LAMC"),
    (r"HEALTH\s*(?:AND|&)\s*SAFETY(?:\s+CODE)?", "HS"),
    (r"BUSINESS\s*(?:AND|&)\s*PROFESSIONS(?:\s+CODE)?", "BP"),
    (r"WELFARE\s*(?:AND|&)\s*INSTITUTIONS(?:\s+CODE)?", "WI"),
    (r"PENAL\s+CODE", "PC"),
    (r"VEHICLE\s+CODE", "VC"),
    (r"GOVERNMENT\s+CODE|GOV'?T\.?\s+CODE", "GC"),
    (r"EDUCATION\s+CODE", "EC"),
    (r"FISH\s*(?:AND|&)\s*GAME(?:\s+CODE)?", "FG"),
    (r"ELECTIONS\s+CODE", "EL"),
    (r"HARBORS\s*(?:AND|&)\s*NAVIGATION(?:\s+CODE)?", "HN"),
    (r"LABOR\s+CODE", "LC"),
    (r"CIVIL\s+CODE", "CI"),
    (r"U\.?\s?S\.?\s?C\.?", "US"),
]
_LONG_RE = [(re.compile(p), c) for p, c in _LONG_NAMES]

# Code abbreviations as they appear glued to the end (or start) of a charge.  Value: (code, truncated?)
_SUFFIX = {
    "LAMC": ("LAMC", False), "LAM": ("LAMC", True), "LA": ("LAMC", True),
    "H&S": ("HS", False), "HS": ("HS", False), "H/S": ("HS", False), "HSC": ("HS", False), "H": ("HS", True),
    "B&P": ("BP", False), "BP": ("BP", False), "BPC": ("BP", False), "B": ("BP", True),
    "WIC": ("WI", False), "W&I": ("WI", False), "WI": ("WI", False), "W": ("WI", True),
    "PC": ("PC", False), "P": ("PC", True), "PEN": ("PC", False),
    "VC": ("VC", False), "VEH": ("VC", False), "V": ("VC", True),
    "GC": ("GC", False), "EC": ("EC", False), "FG": ("FG", False), "CC": ("CI", False),
    "US": ("US", False), "USC": ("US", False),
}
_QUALIFIERS = ("AUTO", "RES", "COMM", "COM", "VEH")
_SUFFIX_ALT = "|".join(sorted((re.escape(k) for k in _SUFFIX), key=len, reverse=True))
_TAIL_RE = re.compile(rf"^(?P<subs>.*?)(?P<code>{_SUFFIX_ALT})(?P<qual>{'|'.join(_QUALIFIERS)})?$")
_PREFIX_CODE_RE = re.compile(rf"^(?P<code>{_SUFFIX_ALT})(?=[\s\d])")
_CLEAN_RE = re.compile(r"§|SECTIONS?|SEC\.|SUBDIVISIONS?|SUBDS?\.|SUBD|PARA\.|NO\.|,|;")
_BASE_RE = re.compile(r"^(?P<base>\d+(?:\.\d+)*)(?P<tail>.*)$")
_SUB_TOKEN_RE = re.compile(r"\(([0-9A-Z]+)\)?|([0-9]+)|([A-Z])")
_ATTEMPT_RE = re.compile(r"^(?:664\s*/\s*|ATT(?:EMPT(?:ED)?)?\.?\s+|A(?=\d))")
_CONSPIRACY_RE = re.compile(r"^182(?:\(A\)(?:\(\d\))?)?\s*/\s*")
_STATE_CODES = ("PC", "HS", "VC", "BP", "WI")
# State-code references that are not offenses and so are not in the DOJ offense table.
NON_CRIMINAL = {
    "WI 300": "WIC 300: juvenile dependency (a child taken into protective custody), not a criminal charge",
    "WI 5150": "WIC 5150: involuntary psychiatric hold, not a criminal charge",
}
_ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}


class ChargeParser:
    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or load_catalog()

    # --------------------------------------------------------------- public
    def parse(self, raw: str) -> ParsedCharge:
        return _parse_cached(self.catalog, raw)


def _normalize(raw: str) -> tuple[str, str | None]:
    s = raw.upper().strip()
    code = None
    for rx, c in _LONG_RE:
        m = rx.search(s)
        if m:
            code = c
            s = s[: m.start()] + " " + s[m.end():]
            break
    s = _CLEAN_RE.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s, code


def _split_subs(text: str) -> tuple[tuple[str, ...], bool]:
    """Read subdivisions from ``(B)2A`` or ``(A)(1)`` or ``A2C``; report an unclosed parenthesis."""
    subs: list[str] = []
    truncated = text.count("(") > text.count(")")
    pos = 0
    text = text.replace(" ", "")
    while pos < len(text):
        m = _SUB_TOKEN_RE.match(text, pos)
        if not m:
            pos += 1
            continue
        subs.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    return tuple(subs), truncated


@lru_cache(maxsize=200_000)
def _parse_cached(catalog: Catalog, raw: str) -> ParsedCharge:
    return _parse(catalog, raw)


def _parse(catalog: Catalog, raw: str) -> ParsedCharge:  # noqa: C901 - one linear recogniser
    if not isinstance(raw, str) or not raw.strip():
        return ParsedCharge(raw=str(raw), status=ParseStatus.UNKNOWN, explanation="empty charge")
    s, code = _normalize(raw)
    notes: list[str] = []
    attempt = conspiracy = False
    truncated = False
    qualifiers: tuple[str, ...] = ()
    enhancements: list[Section] = []

    m = _PREFIX_CODE_RE.match(s)
    if m and code is None:
        code, t = _SUFFIX[m.group("code")]
        truncated = truncated or t
        s = s[m.end():].strip()
    m = _CONSPIRACY_RE.match(s)
    if m:
        conspiracy = True
        s = s[m.end():]
        notes.append("conspiracy (PC 182)")
    m = _ATTEMPT_RE.match(s)
    if m:
        attempt = True
        s = s[m.end():]
        notes.append("attempt (PC 664)" + (" from LAPD's 'A' prefix" if m.group(0) == "A" else ""))
    s = s.replace(" ", "")
    # A second statute after "/" (e.g. 245(A)(1)/12022.7PC) is an enhancement or companion charge.
    main, _, other = s.partition("/")
    m = _BASE_RE.match(main)
    if not m and (code == "LAMC" or main in ("LAMC", "LAM")):
        return ParsedCharge(raw=raw, status=ParseStatus.LOCAL, section=None, confidence=0.5,
                            explanation="Los Angeles Municipal Code, section not given: local law, "
                                        "outside the state offense catalog")
    if not m:
        return ParsedCharge(raw=raw, status=ParseStatus.UNKNOWN, attempt=attempt, conspiracy=conspiracy,
                            confidence=0.0, explanation="no section number found")
    base, tail = m.group("base"), m.group("tail")
    if other:
        om = _TAIL_RE.match(other)
        if om and code is None:
            code, t = _SUFFIX[om.group("code")]
            truncated = truncated or t
            other = om.group("subs")
    tm = _TAIL_RE.match(tail) if tail else None
    if tm and len(tm.group("code")) == 1 and tm.group("subs").endswith("("):
        tm = None  # "56.11(10)(B": a subdivision cut off at the field width, not a code suffix
    if tm and tm.group("code") and (code is None or len(tm.group("code")) > 1):
        c, t = _SUFFIX[tm.group("code")]
        if code is None or c == code:
            code = c
            truncated = truncated or t
            if t:
                notes.append(f"code suffix {tm.group('code')!r} read as truncated {c}")
            tail = tm.group("subs")
            if tm.group("qual"):
                qualifiers = (tm.group("qual"),)
                notes.append(f"qualifier {tm.group('qual')}")
    # Letter glued to the section number: a section of its own (288A, 273AB) or a bare subdivision?
    lm = re.match(r"^([A-Z]{1,2})(?![A-Z])", tail)
    if lm and code and catalog.has(code, base + lm.group(1)):
        base += lm.group(1)
        tail = tail[lm.end():]
    subs, trunc2 = _split_subs(tail)
    truncated = truncated or trunc2
    # "369(I)(B)": LAPD writes section 369i's letter as a parenthesised subdivision.
    if code and subs and subs[0].isalpha() and catalog.has(code, base + subs[0]) and (
        not catalog.has(code, base) or not catalog.subdivision_known(Section(code, base, subs))
    ):
        base, subs = base + subs[0], subs[1:]
    if trunc2:
        notes.append("value cut off at the field width (unclosed parenthesis)")
    if other:
        em = _BASE_RE.match(other)
        if em and code:
            esubs, _ = _split_subs(em.group("tail"))
            enhancements.append(Section(code, em.group("base"), esubs))
            notes.append(f"with {code} {em.group('base')}")

    if code == "LAMC" or (code is None and _looks_municipal(catalog, base)):
        sec = Section("LAMC", base, subs)
        conf = 0.9 if code == "LAMC" and not truncated else 0.6 if code == "LAMC" else 0.4
        why = "Los Angeles Municipal Code: local law, outside the state offense catalog"
        if code is None:
            why += " (no code given; the section number has the LAMC form and is in no state code)"
        return ParsedCharge(raw=raw, status=ParseStatus.LOCAL, section=sec, attempt=attempt,
                            conspiracy=conspiracy, qualifiers=qualifiers, truncated=truncated,
                            confidence=conf, explanation="; ".join([why, *notes]))
    if code is None:
        found = [c for c in _STATE_CODES if catalog.has(c, base)]
        if len(found) == 1:
            code = found[0]
            notes.append(f"no code given; only {code} has section {base}")
        else:
            why = (f"no code given and section {base} exists in {', '.join(found)}" if found else
                   f"no code given and section {base} is in no state code")
            return ParsedCharge(raw=raw, status=ParseStatus.UNKNOWN, attempt=attempt, conspiracy=conspiracy,
                                truncated=truncated, confidence=0.0, explanation=why,
                                suggestions=tuple(f"{c} {base}" for c in found))
    sec = Section(code, base, subs)
    if sec.key in NON_CRIMINAL:
        return ParsedCharge(raw=raw, status=ParseStatus.NON_CRIMINAL, section=sec, truncated=truncated,
                            confidence=0.9, explanation="; ".join([NON_CRIMINAL[sec.key], *notes]))
    if not catalog.has(code, base):
        sugg = _suggest(catalog, code, base)
        why = f"{code} {base} is not in the DOJ offense table"
        if sugg:
            why += "; did you mean " + " or ".join(sugg) + "?"
        return ParsedCharge(raw=raw, status=ParseStatus.SUGGESTED if sugg else ParseStatus.UNKNOWN,
                            section=sec, attempt=attempt, conspiracy=conspiracy, truncated=truncated,
                            confidence=0.2 if sugg else 0.0, explanation="; ".join([why, *notes]),
                            suggestions=tuple(sugg))
    if subs and not catalog.subdivision_known(sec):
        # Drop trailing subdivisions until one is known (truncation often leaves fragments).
        known = next((k for k in range(len(subs) - 1, -1, -1)
                      if catalog.subdivision_known(sec.with_subs(subs[:k]))), 0)
        entries = catalog.entries(sec.with_subs(subs[:known]))
        notes.insert(0, f"subdivision {''.join(f'({x.lower()})' for x in subs[known:])} of {code} "
                        f"{base}{''.join(f'({x.lower()})' for x in subs[:known])} is not in the DOJ table; "
                        "read at the nearest listed level")
        return ParsedCharge(raw=raw, status=ParseStatus.SECTION_ONLY, section=sec, attempt=attempt,
                            conspiracy=conspiracy, enhancements=tuple(enhancements), qualifiers=qualifiers,
                            truncated=truncated, confidence=0.7, explanation="; ".join(notes),
                            cjis=tuple(sorted({e.cjis for e in entries})))
    entries = catalog.entries(sec)
    literal = entries[0].literal if entries else ""
    conf = 0.99
    if truncated:
        conf = 0.85
    if any(n.startswith("no code given") for n in notes):
        conf = min(conf, 0.6)
    why = f"{sec.label}: {literal}" if literal else sec.label
    return ParsedCharge(raw=raw, status=ParseStatus.RESOLVED, section=sec, attempt=attempt,
                        conspiracy=conspiracy, enhancements=tuple(enhancements), qualifiers=qualifiers,
                        truncated=truncated, confidence=conf, explanation="; ".join([why, *notes]),
                        cjis=tuple(sorted({e.cjis for e in entries})))


def _looks_municipal(catalog: Catalog, base: str) -> bool:
    # LAMC sections are chapter.article numbers such as 41.27, 56.11, 63.44, 80.69.
    return bool(re.fullmatch(r"\d{2,3}\.\d{2,3}", base)) and not any(catalog.has(c, base) for c in _STATE_CODES)


def _suggest(catalog: Catalog, code: str, base: str) -> list[str]:
    choices = catalog.by_code.get(code, [])
    hits = process.extract(base, choices, scorer=Levenshtein.distance, score_cutoff=1, limit=5)
    return [f"{code} {h[0]}" for h in sorted(hits, key=lambda h: (h[1], h[0]))]


_default: ChargeParser | None = None


def parse_charge(raw: str) -> ParsedCharge:
    """Parse one charge string with the process-wide catalog."""
    global _default
    if _default is None:
        _default = ChargeParser()
    return _default.parse(raw)
