"""The batch engine against the scalar engine: every outcome, deciding rule and citation, every regime.

100,000 generated requests span 2016-2026, so every effective date of every pack falls inside the data.
The scalar side runs in two worker processes (one request parsed once, decided under each regime).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

import polars as pl
import pytest

from sanctuary.engine.decide import DecisionEngine
from sanctuary.law.registry import regimes as regime_specs
from sanctuary.whatif import generate
from sanctuary.whatif.batch import SPLIT_AT, BatchEngine
from sanctuary.whatif.schema import to_request

N = 100_000
SEED = 20261122


def _scalar(args: tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    rows, records, regimes = args
    by_req: dict[int, list[dict[str, Any]]] = {}
    for r in records:
        by_req.setdefault(r["request_id"], []).append(r)
    engines = {g: DecisionEngine(g) for g in regimes}
    out: dict[str, list[tuple[Any, ...]]] = {g: [] for g in regimes}
    for row in rows:
        base = to_request(row, by_req.get(row["request_id"], []), regimes[0])
        for g, eng in engines.items():
            d = eng.decide(base.model_copy(update={"regime": g}))
            out[g].extend((row["request_id"], i, a.outcome, a.deciding_rule, "; ".join(a.citations)) for i, a in enumerate(d.asks))
    return out


@pytest.fixture(scope="module")
def table() -> tuple[pl.DataFrame, pl.DataFrame]:
    req, rec = next(generate.chunks(N, seed=SEED, years=(2016, 2026), chunk=N))
    return req, rec


def test_generated_table_spans_every_effective_date(table: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    req, _ = table
    assert req.height == N
    days = set(req["as_of"].to_list())
    for g in list(regime_specs()):
        for b in BatchEngine(g).boundaries:
            if 2016 <= b.year <= 2026 and b.year > 2016:
                assert any(abs((d - b).days) <= 3 for d in days), f"{g}: no request near {b}"


def test_batch_equals_scalar_on_every_row_for_every_regime(table: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    req, rec = table
    regimes = list(regime_specs())
    rows, records = req.to_dicts(), rec.to_dicts()
    half = len(rows) // 2
    with ProcessPoolExecutor(2) as pool:
        futs = [pool.submit(_scalar, (rows[:half], [r for r in records if r["request_id"] <= rows[half - 1]["request_id"]], regimes)),
                pool.submit(_scalar, (rows[half:], [r for r in records if r["request_id"] > rows[half - 1]["request_id"]], regimes))]
        # batches of 40,000 for half the regimes, one of 100,000 for the others (a batch that large is
        # decided in two halves, one on a helper thread)
        assert N >= SPLIT_AT > 40_000
        batch = {g: pl.concat(list(BatchEngine(g).run(req, rec, batch_size=(40_000, N)[i % 2]))) for i, g in enumerate(regimes)}
        scalar = [f.result() for f in futs]
    cols = ["request_id", "ask_index", "outcome", "deciding_rule", "citations"]
    for g in regimes:
        want = pl.DataFrame(scalar[0][g] + scalar[1][g], schema=cols, orient="row")
        got = batch[g].select(cols).with_columns(pl.col("ask_index").cast(pl.Int64))
        assert got.height == want.height, g
        diff = want.join(got, on=["request_id", "ask_index"], how="left", suffix="_batch").filter(
            (pl.col("outcome") != pl.col("outcome_batch")) | (pl.col("deciding_rule") != pl.col("deciding_rule_batch"))
            | (pl.col("citations") != pl.col("citations_batch")) | pl.col("outcome_batch").is_null())
        assert diff.height == 0, f"{g}: {diff.height} rows differ, e.g. {diff.head(3).to_dicts()}"
        # the data exercises each regime: more than one outcome appears
        assert want["outcome"].n_unique() >= 2, g


def test_ids_out_of_order_with_gaps_decide_like_dense_ones(table: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """Dense, sorted ids take a positional fast path; shuffled ids with gaps and shuffled records take
    the join path.  Both must give every request the same answers."""
    req, rec = (t.filter(pl.col("request_id") <= 20_000) for t in table)
    for g in ("la-2026", "texas-sb4"):
        dense = pl.concat(list(BatchEngine(g).run(req, rec, batch_size=7_000)))
        remap = pl.col("request_id") * 3 + 11
        sparse = pl.concat(list(BatchEngine(g).run(req.with_columns(remap).sample(fraction=1.0, shuffle=True, seed=1),
                                                   rec.with_columns(remap).sample(fraction=1.0, shuffle=True, seed=2),
                                                   batch_size=7_000)))
        got = sparse.with_columns((pl.col("request_id") - 11) // 3).sort("request_id", "ask_index")
        assert got.equals(dense.sort("request_id", "ask_index")), g
        # dense ids with the records shuffled, and a record of no request: lined up by the join, the stray dropped
        stray = rec.head(1).with_columns(pl.lit(10**9, pl.Int64).alias("request_id"))
        shuffled = pl.concat(list(BatchEngine(g).run(req, pl.concat([rec, stray]).sample(fraction=1.0, shuffle=True, seed=3),
                                                     batch_size=7_000)))
        assert shuffled.sort("request_id", "ask_index").equals(dense.sort("request_id", "ask_index")), g


def test_a_records_table_without_a_text_column_decides_as_if_it_were_empty(
        table: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """A text column left out of the records table is all null: its record classes are keyed like a
    given column of nulls."""
    req, rec = (t.filter(pl.col("request_id") <= 20_000) for t in table)
    given = pl.concat(list(BatchEngine("la-2026").run(req, rec.with_columns(findings=pl.lit(None, pl.String)), batch_size=7_000)))
    bare = BatchEngine("la-2026")
    left_out = pl.concat(list(bare.run(req, rec.drop("findings"), batch_size=7_000)))
    assert left_out.equals(given)
    assert given["outcome"].n_unique() >= 2 and bare.distinct["records"] > 100
