"""Pin the legal lists against the law file, and check subdivision-aware membership and renumbering."""

from __future__ import annotations

import re

import pytest

from sanctuary.offenses.classify import profile
from sanctuary.offenses.models import Section
from sanctuary.offenses.overlays import load_overlays, match


def _law_table(text: str, heading: str) -> list[list[str]]:
    part = text.split(heading, 1)[1]
    rows = []
    for line in part.splitlines()[1:]:
        if line.startswith("### "):
            break
        if line.startswith("| (") or line.startswith("| "):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_trust_categories_match_law_file(shared) -> None:
    text = (shared / "law" / "california-and-los-angeles.md").read_text()
    rows = [r for r in _law_table(text, "### 2.3 § 7282.5(a)(3)") if re.fullmatch(r"\([A-Z]{1,2}\)", r[0])]
    ov = load_overlays()
    assert [r[0].strip("()") for r in rows] == list(ov.categories)        # A .. AE, in order, 31 categories
    assert len(rows) == 31
    for letter, _, named in rows:
        letter = letter.strip("()")
        bare = re.sub(r"\([^)]*\)|\[[^]]*\]", "", named)
        nums = set(re.findall(r"\b\d+(?:\.\d+)?[a-z]{0,2}\b", bare))
        if letter in ("L", "P", "G", "M", "R"):
            continue  # no sections named (or a Part/range), checked below
        listed = {s.base.lower() for s in ov.categories[letter].sections}
        missing = {n for n in nums if n.lower() not in listed}
        assert not missing, f"category {letter}: {missing} in the law file but not in the overlay"
    assert ov.categories["G"].felony_only and ov.categories["M"].felony_only


def test_prop47_matches_law_file(shared) -> None:
    text = (shared / "law" / "california-and-los-angeles.md").read_text()
    sec8 = text.split("## 8. Proposition 47", 1)[1].split("## 9.", 1)[0]
    named = set(re.findall(r"\| (?:PC|H&S) ([\d.a-z()]+)", sec8))
    ov = {s.label.split(" ", 1)[1] for s, _ in load_overlays().prop47}
    for n in named - {"1170.18"}:
        assert n.replace(" (new)", "") in ov, n


def test_membership_is_subdivision_aware() -> None:
    assert match(Section("PC", "245"), Section("PC", "245", ("A", "4"))) is True
    assert match(Section("PC", "261", ("A", "2")), Section("PC", "261", ("A", "4"))) is False
    assert match(Section("PC", "261", ("A", "2")), Section("PC", "261")) is None


@pytest.mark.parametrize("old,new", [("288A", "287"), ("12021", "29800"), ("12308", "18745")])
def test_renumberings(old: str, new: str) -> None:
    eq = {s.base for s in load_overlays().equivalents(Section("PC", old))}
    assert new in eq
    eq2 = {s.base for s in load_overlays().equivalents(Section("PC", new))}
    assert old in eq2


def test_renumbered_287_is_violent_like_288a() -> None:
    assert profile(Section("PC", "287", ("C", "2", "A"))).violent.true
    assert profile(Section("PC", "288A", ("C", "2"))).violent.true


def test_serious_violent_profiles() -> None:
    assert profile(Section("PC", "211")).serious.true and profile(Section("PC", "211")).violent.true
    assert profile(Section("PC", "211"), attempt=True).serious.true                # 1192.7(c)(39)
    assert not profile(Section("PC", "211"), attempt=True).violent.true
    assert profile(Section("PC", "187"), attempt=True).violent.true                # 667.5(c)(12)
    assert not profile(Section("HS", "11377", ("A",))).serious.true


def test_not_limited_to_is_review_not_no() -> None:
    # PC 484 theft is not named in (F) but plausibly fits: unknown, never False
    p = profile(Section("PC", "484", ("A",)))
    assert p.categories["F"].value is None
    assert "not limited to" in p.categories["F"].missing[0]


def test_straight_misdemeanors_from_law_file() -> None:
    for s in ("240", "242", "488"):
        assert profile(Section("PC", s)).wobbler is False
        assert profile(Section("PC", s)).level_class == "straight-misdemeanor"
