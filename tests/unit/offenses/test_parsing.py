"""Parser tables: what clerks type → canonical reading (positive), and what must not be accepted (negative)."""

from __future__ import annotations

import pytest

from sanctuary.offenses.models import ParseStatus
from sanctuary.offenses.parsing import parse_charge

POSITIVE = [
    # raw, canonical, attempt, conspiracy, extra check
    ("245(A)(1)PC", "PC 245(a)(1)", False, False),
    ("29800(A)1PC", "PC 29800(a)(1)", False, False),
    ("11357BHS", "HS 11357(b)", False, False),
    ("11377AHS", "HS 11377(a)", False, False),
    ("A187(A)PC", "PC 664/187(a)", True, False),
    ("A211PC", "PC 664/211", True, False),
    ("A11378HS", "HS 664/11378", True, False),
    ("664/187(a)", "PC 664/187(a)", True, False),
    ("182/211PC", "PC 182/211", False, True),
    ("459PCAUTO", "PC 459", False, False),
    ("A459PCAUTO", "PC 664/459", True, False),
    ("Penal Code § 245, subd. (a)(1)", "PC 245(a)(1)", False, False),
    ("PC 211", "PC 211", False, False),
    ("11350 HS", "HS 11350", False, False),
    ("11364.1 H&S", "HS 11364.1", False, False),
    ("12031A2CPC", "PC 12031(a)(2)(c)", False, False),
    ("594(B)2APC", "PC 594(b)(2)(a)", False, False),
    ("14601.1AVC", "VC 14601.1(a)", False, False),
    ("288A(C)PC", "PC 288a(c)", False, False),
    ("23152(A)VC", "VC 23152(a)", False, False),
    ("Health and Safety Code section 11351", "HS 11351", False, False),
]


@pytest.mark.parametrize("raw,canonical,attempt,conspiracy", POSITIVE)
def test_parses(raw: str, canonical: str, attempt: bool, conspiracy: bool) -> None:
    p = parse_charge(raw)
    assert p.resolved, p.explanation
    assert p.canonical == canonical
    assert (p.attempt, p.conspiracy) == (attempt, conspiracy)
    assert p.confidence > 0.5 and p.explanation


def test_qualifier_and_enhancement() -> None:
    assert parse_charge("459PCRES").qualifiers == ("RES",)
    p = parse_charge("245(A)(1)/12022.7PC")
    assert [e.label for e in p.enhancements] == ["PC 12022.7"]


@pytest.mark.parametrize("raw", ["594(B)(2)(A", "369(I)(B)1P", "56.11(10)(B"])
def test_truncation_is_flagged(raw: str) -> None:
    assert parse_charge(raw).truncated


def test_369i_read_as_section() -> None:
    p = parse_charge("369(I)(B)1P")
    assert p.section is not None and p.section.base == "369I" and p.resolved


@pytest.mark.parametrize("raw", ["41.27CLAMC", "41.27(C)", "42.03(A)LAM", "63.44B14BLA", "41.18DLAMC", "LAMC", "56.11(10)(B"])
def test_municipal_codes_are_local(raw: str) -> None:
    p = parse_charge(raw)
    assert p.status == ParseStatus.LOCAL, p.explanation
    assert "Municipal" in p.explanation


@pytest.mark.parametrize("raw,suggestion", [("256020(A)BP", "BP 25620"), ("1164(A)H&S", "HS 11364")])
def test_typos_are_suggested_never_accepted(raw: str, suggestion: str) -> None:
    p = parse_charge(raw)
    assert p.status == ParseStatus.SUGGESTED and not p.resolved
    assert suggestion in p.suggestions


@pytest.mark.parametrize("raw", ["", "hello", "GRAND THEFT", "---", "PC", "(A)(1)"])
def test_unreadable_is_unknown(raw: str) -> None:
    p = parse_charge(raw)
    assert not p.resolved
    assert p.status in (ParseStatus.UNKNOWN, ParseStatus.SUGGESTED)
    assert p.explanation


def test_wic_300_is_non_criminal() -> None:
    p = parse_charge("300(B)WIC")
    assert p.status == ParseStatus.NON_CRIMINAL and "dependency" in p.explanation
