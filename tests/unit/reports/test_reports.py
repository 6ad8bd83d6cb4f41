"""Reports on a known ledger equal hand-computed counts, and every figure links back to its entries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from sanctuary.cli import cli
from sanctuary.reports.build import doj_transfers, forum, reentry_exception, truth_access
from sanctuary.reports.dashboard import build as dashboard
from sanctuary.reports.render import render

WARRANT = [{"kind": "federal-arrest-warrant", "signed_by": "federal-magistrate-judge", "offense_basis": "federal-criminal-immigration"}]
DETAINER = [{"kind": "i-247a", "signed_by": "immigration-officer", "offense_basis": "civil-immigration"}]


def _req(agency: str, day: str, asks: list[str], docs: list, **subject) -> dict:
    return {"agency": agency, "as_of": day, "from_authority": "ice-ero", "documents": docs,
            "asks": [{"kind": a} for a in asks],
            "subject": {"in_custody": True, "release_info_public": False, "csar_registrant": False,
                        "federal_aggravated_felony": False, "outstanding_federal_felony_warrant": False, **subject}}


@pytest.fixture
def known(svc):
    """2025: LASD 14 transfers on judicial warrants (12 carried out), LAPD 4 (3 carried out, plus one carried out
    against a prohibited decision), 30 LASD detainers asking hold + notification (all prohibited), 2 field
    operations under the reentry exception at LAPD; and 5 LASD transfers in 2024 (other year)."""
    ids: dict[str, list] = {"lasd": [], "lapd": [], "prohibited": [], "reentry": [], "old": []}
    for i in range(14):
        d = svc.decide(_req("lasd", f"2025-03-{i + 1:02d}", ["transfer"], WARRANT))
        ids["lasd"].append(d)
        if i < 12:
            svc.record_action(d.decision_id, 0, "performed", "test", dt.date(2025, 3, i + 2))
    for i in range(4):
        d = svc.decide(_req("lapd", f"2025-05-{i + 1:02d}", ["transfer"], WARRANT))
        ids["lapd"].append(d)
        if i < 3:
            svc.record_action(d.decision_id, 0, "performed", "test", dt.date(2025, 5, i + 2))
    d = svc.decide(_req("lapd", "2025-06-01", ["transfer"], DETAINER))
    assert d.asks[0].outcome == "prohibited"
    svc.record_action(d.decision_id, 0, "performed", "test", dt.date(2025, 6, 2))
    ids["prohibited"].append(d)
    for i in range(30):
        svc.decide(_req("lasd", f"2025-07-{i % 28 + 1:02d}", ["hold", "notify-release"], DETAINER))
    for i in range(2):
        r = _req("lapd", f"2025-08-0{i + 1}", ["assist-operation"], [])
        r["asks"][0]["detail"] = {"purpose": "immigration-enforcement"}
        r["subject"]["prior_removal_after_aggravated_felony"] = True
        r["context"] = {"detected_during_unrelated_activity": True}
        ids["reentry"].append(svc.decide(r))
    for i in range(5):
        d = svc.decide(_req("lasd", f"2024-02-0{i + 1}", ["transfer"], WARRANT))
        svc.record_action(d.decision_id, 0, "performed", "test", dt.date(2024, 2, i + 2))
    return ids


def _row(table, first: str, col: str = "agency"):
    return next(dict(zip(table.columns, r, strict=True)) | {"_entries": table.entries[i] if table.entries else []}
                for i, r in enumerate(table.rows) if r[0] == first)


def test_doj_transfer_report_counts_acts_with_the_offense_that_allowed_each(svc, known) -> None:
    r = doj_transfers(svc.ledger, 2025)
    assert r.citation == "Gov. Code § 7284.6(c)(2)" and r.tree_size == svc.ledger.size() and r.checkpoint.startswith("sanctuary.test/ledger")
    totals = {row[0]: row[2] for row in r.tables[0].rows}
    assert totals == {"lasd": 12, "lapd": 4}  # 3 allowed + 1 against the decision; 2024 is not counted
    by_basis = {(row[0], row[2]): row[3] for row in r.tables[1].rows}
    assert by_basis[("lasd", "judicial warrant")] == 12 and by_basis[("lapd", "judicial warrant")] == 3
    assert by_basis[("lapd", "none recorded (performed against the recorded decision)")] == 1
    assert any("against the decision" in n for n in r.notes)
    # each figure links to its action entries and the decisions they carry out
    row = r.tables[1].rows.index(next(x for x in r.tables[1].rows if x[0] == "lasd"))
    entries = r.tables[1].entries[row]
    assert len(entries) == 24
    kinds = {}
    for idx in entries:
        rec = json.loads(next(iter(svc.ledger.store.iter_full(idx, idx + 1)))[2])
        kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
        assert rec["public"]["agency"] == "lasd"
    assert kinds == {"action": 12, "decision": 12}
    assert r.tables[1].rows[row][3] == 12


def test_truth_access_records_suppress_small_cells_and_keep_totals(svc, known) -> None:
    r = truth_access(svc.ledger, 2025)
    received = {t.name: t for t in r.tables}["received"]
    hand = {"lasd": {"hold": 30, "notify-release": 30, "transfer": 14, "interview": 0, "personal-info": 0, "total": 74},
            "lapd": {"hold": 0, "notify-release": 0, "transfer": 5, "interview": 0, "personal-info": 0, "total": 5},
            "total": {"hold": 30, "notify-release": 30, "transfer": 19, "interview": 0, "personal-info": 0, "total": 79}}
    hidden = 0
    for agency, want in hand.items():
        row = _row(received, agency)
        for k, v in want.items():
            if 0 < v < 11:
                assert row[k] is None, f"{agency} {k} = {v} is published"
            assert row[k] in (v, None), f"{agency} {k}: {row[k]} != {v}"
            hidden += row[k] is None
    assert 2 <= hidden < 10 and _row(received, "lasd")["hold"] == 30
    assert len(_row(received, "lasd")["_entries"]) == 44  # 14 + 30 decisions
    given = {t.name: t for t in r.tables}["given"]
    assert _row(given, "lasd")["transfer"] in (12, None) and _row(given, "lapd")["transfer"] is None  # 4 acts
    assert _row(given, "total")["total"] == 16 or _row(given, "total")["total"] is None
    # CSV, JSON and PDF carry the same figures and the provenance
    csv_text = render(r, "csv")
    assert "truth-access" in csv_text and "Gov. Code § 7283.1(c)" in csv_text
    js = json.loads(render(r, "json"))
    assert js["ledger"]["tree_size"] == svc.ledger.size() and js["tables"][0]["rows"][-1]["agency"] == "total"
    pdf = render(r, "pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "7283.1(c)" in text and "suppressed" in text


def test_forum_owed_by_each_governing_body_whose_agency_gave_access(svc, known) -> None:
    rows = {r[0]: r for r in forum(svc.ledger, 2025).tables[0].rows}
    county, city = rows["County of Los Angeles (Board of Supervisors)"], rows["City of Los Angeles (City Council)"]
    assert county[2] == 12 and county[3] == "yes" and county[4] == "2026-12-31"
    assert city[2] is None and city[3] == "yes"  # 4 acts: the count is suppressed, the duty is not
    assert {r[0]: r for r in forum(svc.ledger, 2023).tables[0].rows}["City of Los Angeles (City Council)"][3] == "no"


def test_reentry_exception_counts(svc, known) -> None:
    rows = reentry_exception(svc.ledger, 2025).tables[0].rows
    assert sum(r[3] for r in rows if r[2] == "permitted") == 2


def test_dashboard_tables(svc, known) -> None:
    d = dashboard(svc.ledger, 2025)
    by_agency = {r[0]: r for r in d.tables["by-agency"].rows}
    # LASD: 60 prohibited (holds and notifications), 14 permitted transfers; LAPD: 1 prohibited, 6 permitted
    hand = {"lasd": [60, 0, 14, 0, 74], "lapd": [1, 0, 6, 0, 7], "total": [61, 0, 20, 0, 81]}
    for agency, want in hand.items():
        for got, v in zip(by_agency[agency][1:], want, strict=True):
            assert got in (v, None) and (got is None) >= (0 < v < 11)
    assert by_agency["total"][5] == 81
    assert "agency,prohibited,review,permitted,required,total" in d.csv("by-agency")


def test_cli_report(home, known, svc) -> None:
    r = CliRunner().invoke(cli, ["report", "forum", "--year", "2025", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["citation"] == "Gov. Code § 7283.1(d)"
    r = CliRunner().invoke(cli, ["report", "truth-access", "--year", "2025", "--format", "pdf"])
    assert r.exit_code != 0 and "--out" in r.output


def test_truth_report_counts_outbound_screenings(svc) -> None:
    for i in range(12):
        svc.screen_text(f"Inmate DOB 04/17/1988, A-number A09876543{i % 10}.", "lasd", dt.date(2025, 4, 1), "ice-ero",
                        "immigration-enforcement", by="t")
    svc.screen([{"charges": "211PC"}], "lasd", dt.date(2025, 4, 2), "ice-ero", "immigration-enforcement", by="t")
    t = {x.name: x for x in truth_access(svc.ledger, 2025).tables}["screened"]
    lasd = _row(t, "lasd")
    # 12 screenings left nothing personal, 1 let the charge go: the 1 is hidden, and with one agency so is the 12
    assert lasd["something left"] is None and lasd["nothing personal left"] in (12, None)
    assert _row(t, "total")["total"] == 13
    assert "24 fields or findings were withheld" in t.note and len(lasd["_entries"]) == 13
