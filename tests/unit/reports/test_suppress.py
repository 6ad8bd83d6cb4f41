"""An attacker tries to recover every suppressed cell from what is published: the visible cells, the row
and column totals and the grand total, knowing that zeros are never hidden (so a hidden cell is >= 1).

Two attackers: integer programming (scipy's HiGHS MILP: the exact minimum and maximum of each hidden
cell over every table consistent with the publication) on many random tables, and plain enumeration of
every consistent table on small ones.  Both must find at least two values for every hidden cell.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from sanctuary.reports.suppress import suppress, suppress_1d


def _ranges(pub: list[list[int | None]], rows: list, cols: list) -> dict[tuple[int, int], tuple[int, int]]:
    hidden = [(i, j) for i, r in enumerate(pub) for j, v in enumerate(r) if v is None]
    if not hidden:
        return {}
    k = len(hidden)
    a, lo, hi = [], [], []
    for i, r in enumerate(pub):  # each row: hidden cells sum to the total minus the visible ones
        coef = [1.0 if h[0] == i else 0.0 for h in hidden]
        if any(coef):
            rest = rows[i] - sum(v for v in r if v is not None)
            a.append(coef), lo.append(rest), hi.append(rest)
    for j in range(len(cols)):
        coef = [1.0 if h[1] == j else 0.0 for h in hidden]
        if any(coef):
            rest = cols[j] - sum(r[j] for r in pub if r[j] is not None)
            a.append(coef), lo.append(rest), hi.append(rest)
    cons = LinearConstraint(np.array(a), lo, hi)
    out = {}
    for t, cell in enumerate(hidden):
        c = np.zeros(k)
        c[t] = 1.0
        got = []
        for sign in (1, -1):
            res = milp(sign * c, constraints=cons, integrality=np.ones(k), bounds=Bounds(1, max(rows + cols)))
            assert res.success
            got.append(round(res.x[t]))
        out[cell] = (got[0], got[1])
    return out


def _table(rng: random.Random, n: int, m: int) -> list[list[int]]:
    return [[rng.choice([0, 1, 2, 3, 5, 8, 12, 15, 30, 60, 140]) for _ in range(m)] for _ in range(n)]


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 10**9))
def test_no_hidden_cell_has_a_single_value_milp(n: int, m: int, seed: int) -> None:
    values = _table(random.Random(seed), n, m)
    s = suppress(values)
    if s.withheld:  # no safe pattern: nothing but a grand total of at least 11 is published
        assert all(v is None for r in s.cells for v in r) and set(s.row_totals) == {None} == set(s.col_totals)
        assert s.total is None or s.total >= 11
        return
    for i in range(n):
        for j in range(m):
            assert (s.cells[i][j] is None) == ((i, j) in s.primary | s.complementary)
            if 0 < values[i][j] < 11:
                assert s.cells[i][j] is None, "a small cell is published"
            if values[i][j] == 0:
                assert s.cells[i][j] == 0
    for cell, (lo, hi) in _ranges(s.cells, s.row_totals, s.col_totals).items():
        assert lo < hi, f"cell {cell} = {values[cell[0]][cell[1]]} recovered from the margins of {values}"
        assert lo <= values[cell[0]][cell[1]] <= hi


def _compositions(total: int, parts: int):
    """Every way to write ``total`` as ``parts`` integers of at least 1."""
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _enumerate(pub: list[list[int | None]], rows: list, cols: list) -> dict[tuple[int, int], set[int]]:
    """Every table consistent with the publication, row by row (each row's hidden cells are a composition
    of what its total leaves), kept when the column totals agree too."""
    per_row = []
    for i, r in enumerate(pub):
        hid = [j for j, v in enumerate(r) if v is None]
        rest = rows[i] - sum(v for v in r if v is not None)
        per_row.append([dict(zip(hid, comp, strict=True)) for comp in _compositions(rest, len(hid))] if hid else [{}])
    if math.prod(len(x) for x in per_row) > 300_000:
        pytest.skip("too many consistent tables to enumerate here (the MILP attacker covers it)")
    seen: dict[tuple[int, int], set[int]] = {(i, j): set() for i, r in enumerate(pub) for j, v in enumerate(r) if v is None}
    for choice in itertools.product(*per_row):
        t = [[choice[i].get(j, v) for j, v in enumerate(r)] for i, r in enumerate(pub)]
        if all(sum(r[j] for r in t) == cols[j] for j in range(len(cols))):
            for i, row in enumerate(choice):
                for j, v in row.items():
                    seen[(i, j)].add(v)
    return seen


@pytest.mark.parametrize("seed", range(40))
def test_exhaustive_enumeration_on_small_tables(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.choice([(2, 2), (2, 3), (3, 3), (3, 4)])
    values = [[rng.choice([0, 1, 2, 3, 4, 6, 11, 13]) for _ in range(m)] for _ in range(n)]
    s = suppress(values)
    if s.withheld:
        assert all(v is None for r in s.cells for v in r)
        return
    for cell, vals in _enumerate(s.cells, s.row_totals, s.col_totals).items():
        assert len(vals) >= 2, f"{cell} recovered as {vals} from {values}"


def test_a_lone_small_cell_gets_company() -> None:
    values = [[50, 3, 40], [60, 70, 80], [20, 30, 90]]
    s = suppress(values)
    assert (0, 1) in s.primary and len(s.complementary) == 3
    assert s.row_totals == [93, 210, 140] and s.total == 443


@pytest.mark.parametrize(("values", "hidden"), [
    ([40, 3, 25, 0], 2), ([40, 1, 1, 0, 25], 3), ([5, 5], 2), ([0, 0, 40], 0), ([1, 1, 1], 3)])
def test_one_way_tables(values: list[int], hidden: int) -> None:
    cells, total = suppress_1d(values)
    assert sum(c is None for c in cells) == hidden
    h = [i for i, c in enumerate(cells) if c is None]
    if total is None:  # no protection exists: the total is withheld as well
        assert values == [1, 1, 1]
        return
    assert total == sum(values)
    if h:  # hidden cells (each >= 1) are forced only if one is hidden or they must all be 1
        rest = total - sum(c for c in cells if c is not None)
        assert len(h) >= 2 and rest > len(h)
