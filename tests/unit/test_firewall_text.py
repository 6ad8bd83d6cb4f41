"""Free-text screening measured on the labelled corpus, checked against the structured screen, fuzzed."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary.firewall.corpus import build
from sanctuary.firewall.screen import Firewall
from sanctuary.firewall.text import ENTITY_FIELD, analyze, screen_text

TARGET = {"A_NUMBER", "DATE_OF_BIRTH", "STREET_ADDRESS", "PHONE_NUMBER"}  # recall >= 0.99 (issue 9)
DAY = dt.date(2026, 3, 2)


def _score(items, names: bool) -> tuple[Counter, Counter, Counter]:
    tp, fn, fp = Counter(), Counter(), Counter()
    for it in items:
        pred = [(r.start, r.end, r.entity_type) for r in analyze(it.text, names)]
        for s, e, ent in it.spans:
            hit = any(ps < e and s < pe and pent == ent for ps, pe, pent in pred)
            (tp if hit else fn)[ent] += 1
        for ps, pe, pent in pred:
            if not any(ps < e and s < pe and pent == ent for s, e, ent in it.spans):
                fp[pent] += 1
    return tp, fn, fp


@functools.cache
def _corpus(shared: Path) -> list:
    return build(450, seed=91, shared=shared)


@pytest.fixture
def corpus(shared):
    return _corpus(shared)


def test_recall_and_precision_on_the_labelled_corpus(corpus) -> None:
    tp, fn, fp = _score([i for i in corpus if i.source != "lapd"], names=False)
    for ent in sorted(set(tp) | set(fn)):
        if ent == "PERSON":
            continue
        recall = tp[ent] / (tp[ent] + fn[ent])
        precision = tp[ent] / max(1, tp[ent] + fp[ent])
        if ent in TARGET:
            assert recall >= 0.99, f"{ent}: recall {recall:.3f}"
        assert recall >= 0.95 and precision >= 0.95, f"{ent}: R={recall:.3f} P={precision:.3f}"


def test_names_announced_by_a_role_title_or_relation_are_found_without_the_model(corpus) -> None:
    tp, fn, fp = _score([i for i in corpus if i.source != "lapd"], names=False)
    recall, precision = tp["PERSON"] / (tp["PERSON"] + fn["PERSON"]), tp["PERSON"] / (tp["PERSON"] + fp["PERSON"])
    assert recall >= 0.9 and precision >= 0.95, (recall, precision)  # measured, not trusted: the README states the figure
    for no_name in ("Subject: Request for information", "Inmate DOB 04/17/1988", "Suspect AKA unknown"):
        assert not [r for r in analyze(no_name, False) if r.entity_type == "PERSON"], no_name  # role word, then no name


def test_the_spacy_model_finds_names_no_cue_announces(corpus) -> None:
    uncued = [i for i in corpus if i.source != "lapd" and " told officers" in i.text][:40]
    assert len(uncued) >= 10
    with_model, without = (_score(uncued, names=n)[0]["PERSON"] for n in (True, False))
    assert with_model > without  # "Maria Lopez told officers ..." needs the model
    tp, fn, fp = _score([i for i in corpus if i.source != "lapd"][:150], names=True)
    assert tp["PERSON"] / (tp["PERSON"] + fn["PERSON"]) >= 0.95


def test_false_positives_on_the_real_lapd_rows(corpus) -> None:
    rows = [i for i in corpus if i.source == "lapd"]
    assert len(rows) > 300
    chars = sum(len(i.text) for i in rows)
    found = [(r.entity_type, i.text[r.start:r.end]) for i in rows for r in analyze(i.text, False)]
    # real charge strings, arrest dates and division names are not personal data: at most 1 finding per 20,000 characters
    assert len(found) <= chars / 20_000, found[:10]


def test_findings_are_ruled_like_the_same_fields_in_records() -> None:
    text = ("Juan Reyes, DOB 04/17/1988, lives at 1423 W 7th St, Los Angeles. A-number A098-765-432. "
            "He is undocumented. Release on 03/09/2026 at 6:00 AM. Phone (213) 555-0147.")
    for to, purpose in (("ice-ero", "immigration-enforcement"), ("other-federal", "criminal-investigation")):
        res = screen_text(text, "lasd", DAY, to, purpose)
        fw = Firewall("lasd", DAY, to, purpose)
        assert {f.entity for f in res.findings} >= {"DATE_OF_BIRTH", "STREET_ADDRESS", "A_NUMBER", "IMMIGRATION_STATUS",
                                                    "RELEASE_DATETIME", "PHONE_NUMBER"}
        for f in res.findings:
            assert f.action == ("kept" if fw.rule(ENTITY_FIELD[f.entity]).action == "kept" else "redacted")
    res = screen_text(text, "lasd", DAY, "ice-ero", "immigration-enforcement")
    for secret in ("04/17/1988", "1423 W 7th St", "A098-765-432", "undocumented", "03/09/2026", "555-0147"):
        assert secret not in res.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.text(max_size=300), st.sampled_from(["A098765432", "A-123-456-789", "A# 234567891"]))
def test_an_a_number_never_leaves_whatever_surrounds_it(before: str, after: str, anum: str) -> None:
    text = f"{before} A-number {anum} {after}"
    res = screen_text(text, "lapd", DAY, "ice-ero", "immigration-enforcement", with_names=False)
    assert anum not in res.text
    assert any(f.entity == "A_NUMBER" and f.action == "redacted" for f in res.findings)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")), st.none(), st.integers(), st.lists(st.text())))
def test_the_text_screen_never_raises(value) -> None:
    res = screen_text(value, "lapd", DAY, "ice-ero", "immigration-enforcement", with_names=False)
    assert isinstance(res.text, str)


def test_text_screenings_are_recorded_without_the_values(svc) -> None:
    text = "Subject DOB 04/17/1988, A-number A098765432, phone 213-555-0147."
    res, receipt = svc.screen_text(text, "lapd", DAY, "ice-ero", "immigration-enforcement", by="t")
    entry = svc.ledger.get(receipt["entry_id"])
    blob = json.dumps(entry["public"])
    assert entry["public"]["mode"] == "text" and entry["public"]["found"]["A_NUMBER"] == {"redacted": 1, "kept": 0}
    for secret in ("1988", "098765432", "555-0147"):
        assert secret not in blob and secret not in res.text


def test_every_status_phrase_carries_a_hint_word() -> None:
    import re

    from sanctuary.firewall.text import STATUS_HINTS, STATUS_PHRASES
    samples = ["undocumented", "illegal alien", "in the country illegally", "overstayed his visa", "no legal status",
               "unlawfully present", "out of status", "entered without inspection", "DACA recipient", "green card holder",
               "lawful permanent resident", "LPR", "asylum seeker", "TPS holder", "final removal order", "previously deported",
               "not a U.S. citizen", "is a U.S. citizen", "her immigration status", "visa expired", "crossed the border illegally"]
    for s in samples:
        assert any(re.search(rf"\b(?:{p})\b", s, re.IGNORECASE) for p in STATUS_PHRASES), s
        assert any(h in s.lower() for h in STATUS_HINTS), s


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Suspect", "suspect", "co-defendant", "Ms.", "MS", "her brother,", "Name:", "spoke with",
                                 "Juan", "Reyes", "de la", "Cruz", "GARCIA,", "İstanbul", "The", "Vehicle", "told", "officers",
                                 "\n", ",", "'s", "Deputy", "Tran", "Min-jun"]), max_size=14))
def test_names_after_cues_are_found_as_the_one_pass_pattern_finds_them(words: list[str]) -> None:
    """The name rule scans the lower-cased text for role words, then reads the name after each; it must find
    exactly what one case-insensitive pass of the whole pattern finds (lower-casing that moves offsets
    falls back to that pass)."""
    import regex

    from sanctuary.firewall.text import PERSON, recognizer, rules
    text = " ".join(words)
    want = sorted((m.start("v"), m.end("v")) for m in regex.compile(PERSON).finditer(text))
    got = sorted((r.start, r.end) for r in recognizer([r for r in rules() if r.entity == "PERSON"]).analyze(text, ["PERSON"]))
    assert got == want, repr(text)
