from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from sanctuary.cli import cli
from sanctuary.engine.models import Request
from sanctuary.errors import InputError
from sanctuary.law.registry import get_agency, load_regime
from sanctuary.whatif import compare, generate
from sanctuary.whatif.batch import BatchEngine, RecordingFacts
from sanctuary.whatif.schema import to_request

ROW = {"request_id": 1, "agency": "lasd", "as_of": dt.date(2026, 1, 1), "from_authority": "ice-ero",
       "documents": "i-247a:immigration-officer:civil-immigration", "asks": "hold;notify-release;transfer",
       "in_custody": True, "release_info_public": False, "csar_registrant": False, "federal_aggravated_felony": False,
       "outstanding_federal_felony_warrant": False}
ROBBERY = {"request_id": 1, "seq": 0, "statute": "211PC", "level": "felony", "date": dt.date(2015, 1, 1)}


def frames(rows: list[dict], records: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.DataFrame(rows), pl.DataFrame(records) if records else pl.DataFrame(schema={"request_id": pl.Int64, "statute": pl.String})


def run(regime: str, rows: list[dict], records: list[dict]) -> pl.DataFrame:
    return pl.concat(list(BatchEngine(regime).run(*frames(rows, records))))


def test_flat_row_becomes_the_v1_request() -> None:
    r = to_request({**ROW, "ask_detail": '{"transfer": {}}'}, [ROBBERY, {"request_id": 1, "seq": 1, "record": "pending",
                                                                        "statute": "PC 459", "level": "felony",
                                                                        "magistrate_probable_cause": True}], "la-2026")
    assert isinstance(r, Request)
    assert [a.kind for a in r.asks] == ["hold", "notify-release", "transfer"]
    assert r.documents[0].signed_by == "immigration-officer" and r.documents[0].offense_basis == "civil-immigration"
    assert r.subject.convictions[0].statute == "211PC" and r.subject.pending_charges[0].magistrate_probable_cause is True
    assert r.reference == "1"


def test_bad_tables_name_the_column() -> None:
    with pytest.raises(InputError) as e:
        run("la-2026", [{**ROW, "colour": "red"}], [])
    assert e.value.field == "requests.colour"
    with pytest.raises(InputError) as e:
        run("la-2026", [{k: v for k, v in ROW.items() if k != "asks"}], [])
    assert e.value.field == "requests.asks"
    with pytest.raises(InputError) as e:  # a value that does not fit is never read as "unknown"
        run("la-2026", [{**ROW, "as_of": "2026-13-01"}], [])
    assert e.value.field == "requests.as_of"
    with pytest.raises(InputError) as e:
        run("la-2026", [{**ROW, "in_custody": "perhaps"}], [])
    assert e.value.field == "requests.in_custody"
    with pytest.raises(InputError) as e:  # a value the v1 contract refuses is refused by name
        run("la-2026", [{**ROW, "asks": "hold;fly"}], [])
    assert "asks[1].kind" in e.value.field
    with pytest.raises(InputError) as e:  # ... a record's by its column and request
        run("la-2026", [ROW, {**ROW, "request_id": 2}], [ROBBERY, {**ROBBERY, "request_id": 2, "statute": "X" * 300}])
    assert e.value.field == "records.statute" and "request_id 2" in str(e.value)
    with pytest.raises(InputError) as e:  # a request needs a day and at least one ask
        run("la-2026", [ROW, {**ROW, "request_id": 2, "as_of": None}], [])
    assert e.value.field == "requests.as_of" and "row 1" in str(e.value)
    with pytest.raises(InputError) as e:
        run("la-2026", [ROW, {**ROW, "request_id": 2, "asks": ""}], [])
    assert e.value.field == "requests.asks" and "request_id 2" in str(e.value)


def test_one_decision_answers_every_row_that_agrees_on_what_was_read() -> None:
    rows = [{**ROW, "request_id": i, "asks": "hold", "preferred_language": lang} for i, lang in enumerate(["es", "en", "ko"] * 50)]
    be = BatchEngine("la-2026")
    out = pl.concat(list(be.run(*frames(rows, []))))
    assert out.height == 150 and set(out["outcome"]) == {"prohibited"}
    assert be.scalar_calls == 1  # a hold in LA reads nothing about the person


def test_each_ask_is_decided_once_per_context_and_reused_across_requests() -> None:
    # the same facts, the asks in other orders and combinations: three asks, three scalar decisions
    asks = ["hold;notify-release;transfer", "transfer;hold", "notify-release", "notify-release;hold"]
    rows = [{**ROW, "request_id": i, "asks": a} for i, a in enumerate(asks)]
    recs = [{**ROBBERY, "request_id": i} for i in range(len(asks))]
    be = BatchEngine("la-2026")
    out = pl.concat(list(be.run(*frames(rows, recs)))).sort("request_id", "ask_index")
    assert be.scalar_calls == 3 and be.distinct["decisions"] == 4
    one = run("la-2026", rows[:1], recs[:1])
    want = dict(zip(one["ask"], zip(one["outcome"], one["citations"], strict=True), strict=True))
    for r in out.iter_rows(named=True):
        assert (r["outcome"], r["citations"]) == want[r["ask"]]
        assert r["ask"] == asks[r["request_id"]].split(";")[r["ask_index"]]


def test_an_ask_is_decided_once_for_gates_that_differ_only_in_what_they_cite() -> None:
    # burglary (7282.5(a)(3), (a)(3)(F)) and drug sales ((a)(3), (a)(3)(M)): the same kind of gate, as many
    # citations; robbery cites one ((a)(1)).  Each row keeps its own citations, as the scalar engine gives them.
    statutes = ["459PC", "11352HS", "211PC", "459PC"]
    rows = [{**ROW, "request_id": i, "asks": "notify-release;transfer"} for i in range(len(statutes))]
    recs = [{**ROBBERY, "request_id": i, "statute": s} for i, s in enumerate(statutes)]
    for regime, calls in (("ca-baseline", 4), ("la-jail-cooperation", 8)):
        be = BatchEngine(regime)
        out = pl.concat(list(be.run(*frames(rows, recs)))).sort("request_id", "ask_index")
        # ca-baseline: two asks for the two-citation gates, two for robbery's.  la-jail-cooperation compares a
        # gate's citations with (b)'s: the first try of each ask with holes stops (2), and then each ask of
        # each of the three gates is decided as it is (6)
        assert be.scalar_calls == calls
        for i in range(len(statutes)):
            alone = run(regime, rows[i:i + 1], recs[i:i + 1])
            assert out.filter(pl.col("request_id") == i).select("outcome", "citations").rows() == \
                alone.select("outcome", "citations").rows()
        assert "(a)(3)(M)" in out.filter(pl.col("request_id") == 1)["citations"][0]


def test_a_rule_reading_the_other_asks_keys_on_the_request() -> None:
    req = Request.parse({"agency": "lasd", "as_of": "2026-01-01", "asks": [{"kind": "hold"}, {"kind": "transfer"}]})
    f = RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    _ = f.req.documents
    assert f.columns == set()
    _ = f.req.asks
    assert f.columns == {"*"}


def test_a_rule_reading_the_record_outside_the_gate_keys_on_the_request() -> None:
    req = Request.parse({"agency": "lasd", "as_of": "2026-01-01", "asks": [{"kind": "hold"}],
                         "subject": {"convictions": [{"statute": "211PC"}]}})
    f = RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    _ = f.trust_gate("notify").value.true
    assert f.columns == {"code_n"}  # the gate reads the record quietly: it is keyed by its own result
    h = RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    h.cite_holes = True
    assert len(h.trust_gate("notify").cites) == len(f.trust_gate("notify").cites)
    assert h.columns == {"gate_n"}  # its citations were holes: keyed by its kind and their number
    _ = f.convictions
    assert "*" in f.columns
    g = RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    _ = g.req.subject
    assert "*" in g.columns
    _ = g.subject.release_info_public
    assert "release_info_public" in g.columns


@pytest.mark.parametrize(("day", "want"), [(dt.date(2025, 12, 31), "permitted"), (dt.date(2026, 1, 1), "required")])
def test_the_batch_engine_sees_the_day_a_pack_takes_effect(day: dt.date, want: str) -> None:
    out = run("proposed-sb554-2025", [{**ROW, "as_of": day, "asks": "notify-release"}], [ROBBERY])
    assert out["outcome"].to_list() == [want]


def test_csv_and_parquet_give_the_same_answers(tmp_path: Path) -> None:
    generate.write(tmp_path / "pq", 3000, seed=5, year=2024)
    generate.write(tmp_path / "csv", 3000, seed=5, year=2024, fmt="csv")
    a = compare.compare(tmp_path / "pq", ["la-2026", "ca-baseline"], None, batch_size=1000)
    b = compare.compare(tmp_path / "csv", ["la-2026", "ca-baseline"], None, batch_size=1000)
    assert a.counts is not None and b.counts is not None
    assert a.counts.equals(b.counts)


def test_comparison_counts_equal_the_per_request_outcomes(tmp_path: Path) -> None:
    req, rec = next(generate.chunks(4000, seed=9, year=2025))
    cmp = compare.compare((req, rec), ["la-2026", "la-jail-cooperation"], tmp_path, batch_size=1500)
    a = run("la-2026", req.to_dicts(), rec.to_dicts())
    b = run("la-jail-cooperation", req.to_dicts(), rec.to_dicts())
    assert cmp.counts is not None and cmp.transitions is not None
    want = a.group_by("outcome").len().sort("outcome")
    got = cmp.counts.filter(pl.col("regime") == "la-2026").group_by("outcome").agg(pl.col("n").sum().alias("len")).sort("outcome")
    assert got.with_columns(pl.col("len").cast(pl.UInt32)).equals(want)
    j = a.join(b, on=["request_id", "ask_index"], suffix="_b")
    changed = j.filter(pl.col("outcome") != pl.col("outcome_b"))
    assert changed.height == cmp.changed()["n"].sum() > 0
    # the per-request diff file holds exactly the changed request-asks, with the provisions on each side
    diff = pl.read_parquet(tmp_path / "changes.parquet")
    assert diff.height == changed.height
    assert set(diff.columns) >= {"outcome_a", "rule_a", "citations_a", "outcome_b", "rule_b", "citations_b"}
    # the jail proposal changes only jail asks: nothing at a school, library or clinic
    assert set(diff["agency"]) <= {"lapd", "lasd", "la-county-probation"}
    # a jail notification the proposal permits cites the 7282.5 prong that qualifies the person, or the
    # public-information exception of 7284.6(a)(1)(C)
    ex = diff.filter((pl.col("ask") == "notify-release") & (pl.col("outcome_b") == "permitted"))
    cites = ex["citations_b"]
    assert ex.height and (cites.str.contains("7282.5") | (cites == "Gov. Code § 7284.6(a)(1)(C)")).all()
    assert cites.str.contains("7282.5").mean() > 0.8


def test_report_html_and_pdf(tmp_path: Path) -> None:
    req, rec = next(generate.chunks(1500, seed=4, year=2025))
    cmp = compare.compare((req, rec), ["la-2026", "texas-sb4"], tmp_path)
    files = compare.write_report(cmp, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "COMPARISON REGIME: Texas law (SB 4)" in html and "<svg" in html
    assert files["report.pdf"].read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(files["report.pdf"])).pages)
    assert "What changes" in text and "texas-sb4" in text


def test_cli_whatif(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["whatif-data", "--out", str(tmp_path / "d"), "--rows", "800", "--year", "2024"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["whatif", "--data", str(tmp_path / "d"), "--regime", "la-2026", "--regime", "ca-baseline",
                                 "--out", str(tmp_path / "o"), "--no-pdf"])
    assert r.exit_code == 0, r.output
    assert "request-asks change outcome" in r.output
    assert (tmp_path / "o" / "changes.csv").exists() and (tmp_path / "o" / "report.html").exists()
    r = CliRunner().invoke(cli, ["whatif", "--data", str(tmp_path / "d"), "--regime", "la-2026", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "at least two" in r.output


def test_text_as_plain_strings_or_dictionary_codes_decides_alike() -> None:
    """CSV gives plain strings, Parquet written by the generator gives dictionary codes: same answers."""
    req, rec = next(generate.chunks(3000, seed=7, chunk=3000))
    as_text = [t.with_columns(pl.col(pl.Categorical).cast(pl.String)) for t in (req, rec)]
    as_codes = [t.with_columns(pl.col(pl.String).cast(pl.Categorical)) for t in (req, rec)]
    a = pl.concat(list(BatchEngine("la-2026").run(*as_text)))
    b = pl.concat(list(BatchEngine("la-2026").run(*as_codes)))
    assert a.height > 3000 and a.equals(b)


def test_a_text_value_freed_between_batches_does_not_lend_its_code_to_another() -> None:
    """The engine keys on dictionary codes across batches: a text no column holds any more must not
    lend its code to a new one."""
    import gc

    from sanctuary.whatif.schema import RECORD_SCHEMA, REQUEST_SCHEMA, conform

    def conformed(req: pl.DataFrame, rec: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        return (conform(req, REQUEST_SCHEMA, (), "requests").collect(), conform(rec, RECORD_SCHEMA, (), "records").collect())

    be = BatchEngine("ca-baseline")
    req, rec = conformed(*frames([{**ROW, "asks": "notify-release"}], [{**ROBBERY, "statute": "ZZ 9001 first-batch"}]))
    be.decide_frame(req, rec)
    held = rec.drop("statute")  # every text but the statute stays in use
    del rec
    gc.collect()
    rec = conformed(req, pl.DataFrame([ROBBERY]))[1]  # a new text: it takes the code just freed, if any
    got = be.decide_frame(req, rec)
    alone = BatchEngine("ca-baseline").decide_frame(req, rec)
    assert held.height == 1
    assert got.select("outcome", "citations").rows() == alone.select("outcome", "citations").rows()
    assert "(a)(1)" in got["citations"][0]  # robbery's own prong


def test_the_codes_the_kernels_compare_with_outlive_every_column() -> None:
    """Polars drops its whole dictionary once no column holds a category, and codes start again from 0:
    the words the batch engine compares codes with (``conviction``, ``pending``, the categories) are held
    by the module, so they keep their codes."""
    import subprocess
    import sys

    code = ("import gc, polars as pl; from sanctuary.whatif import batch; gc.collect(); "
            "s = pl.Series(['lasd', 'conviction', 'pending', 'person'], dtype=pl.Categorical).to_physical().to_list(); "
            "assert s[1:3] == list(batch._RECORD_CODES), (s, batch._RECORD_CODES); "
            "assert s[3] == batch._CATEGORIES.to_physical()[0], (s, batch._CATEGORIES.to_physical())")
    subprocess.run([sys.executable, "-c", code], check=True)
