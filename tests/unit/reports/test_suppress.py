"""An attacker tries to recover every suppressed cell from what is published: the visible cells, the row
and column totals and the grand total, knowing that zeros are never hidden (so a hidden cell is >= 1).

Two attackers: integer programming (scipy's HiGHS MILP: the exact minimum and maximum of each hidden
cell over every table consistent with the publication) on many random tables, and plain enumeration of
every consistent table on small ones.  Both must find at least two values for every hidden cell.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from sanctuary.reports.suppress import suppress, suppress_1d


def _published(s) -> list[list[int | None]]:
    """The augmented publication: cells with row totals as the last column, column totals and the grand total as the last row."""
    return [[*r, t] for r, t in zip(s.cells, s.row_totals, strict=True)] + [[*s.col_totals, s.total]]


def _ranges(pub: list[list[int | None]]) -> dict[tuple[int, int], tuple[int, int]]:
    """MILP: the least and greatest value of each hidden cell over every table consistent with ``pub``."""
    n, m = len(pub) - 1, len(pub[0]) - 1
    hidden = [(i, j) for i, r in enumerate(pub) for j, v in enumerate(r) if v is None]
    if not hidden:
        return {}
    pos = {h: t for t, h in enumerate(hidden)}
    a, b = [], []
    for i in range(n + 1):  # sum of the row's cells minus its total is zero (the total row too)
        coef, const = np.zeros(len(hidden)), 0
        for j in range(m + 1):
            sgn = -1 if j == m else 1
            if (i, j) in pos:
                coef[pos[(i, j)]] += sgn
            else:
                const += sgn * pub[i][j]
        a.append(coef), b.append(-const)
    for j in range(m + 1):
        coef, const = np.zeros(len(hidden)), 0
        for i in range(n + 1):
            sgn = -1 if i == n else 1
            if (i, j) in pos:
                coef[pos[(i, j)]] += sgn
            else:
                const += sgn * pub[i][j]
        a.append(coef), b.append(-const)
    cons = LinearConstraint(np.array(a), b, b)
    top = 10**6
    out = {}
    for cell, t in pos.items():
        c = np.zeros(len(hidden))
        c[t] = 1.0
        got = []
        for sign in (1, -1):
            res = milp(sign * c, constraints=cons, integrality=np.ones(len(hidden)), bounds=Bounds(1, top))
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
    pub = _published(s)
    true = [[*r, sum(r)] for r in values] + [[sum(values[i][j] for i in range(n)) for j in range(m)] + [sum(map(sum, values))]]
    for i in range(n + 1):
        for j in range(m + 1):
            assert (pub[i][j] is None) == ((i, j) in s.primary | s.complementary)
            if 0 < true[i][j] < 11:
                assert pub[i][j] is None, "a small cell or total is published"
            if true[i][j] == 0:
                assert pub[i][j] == 0
    true = [[*r, sum(r)] for r in values] + [[sum(values[i][j] for i in range(n)) for j in range(m)] + [sum(map(sum, values))]]
    for cell, (lo, hi) in _ranges(_published(s)).items():
        assert lo < hi, f"cell {cell} = {true[cell[0]][cell[1]]} recovered from the publication of {values}"
        assert lo <= true[cell[0]][cell[1]] <= hi


def _compositions(total: int, parts: int):
    """Every way to write ``total`` as ``parts`` integers of at least 1."""
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _enumerate(pub: list[list[int | None]], top: int) -> dict[tuple[int, int], set[int]]:
    """Every augmented table consistent with ``pub`` whose hidden cells lie in 1..``top`` (a bound at or
    above the true values: whatever it finds, an unbounded attacker finds too).  The free variables are
    the hidden ordinary cells; hidden totals follow from them."""
    n, m = len(pub) - 1, len(pub[0]) - 1
    free = [(i, j) for i in range(n) for j in range(m) if pub[i][j] is None]
    if top ** len(free) > 300_000:
        pytest.skip("too many consistent tables to enumerate here (the MILP attacker covers it)")
    seen: dict[tuple[int, int], set[int]] = {(i, j): set() for i in range(n + 1) for j in range(m + 1) if pub[i][j] is None}
    for combo in itertools.product(range(1, top + 1), repeat=len(free)):
        t = [list(r[:m]) for r in pub[:n]]
        for (i, j), v in zip(free, combo, strict=True):
            t[i][j] = v
        full = [[*r, sum(r)] for r in t] + [[sum(t[i][j] for i in range(n)) for j in range(m)] + [sum(map(sum, t))]]
        if all(pub[i][j] is None or pub[i][j] == full[i][j] for i in range(n + 1) for j in range(m + 1)) and \
                all(full[i][j] >= 1 for i, j in seen):
            for i, j in seen:
                seen[(i, j)].add(full[i][j])
    return seen


@pytest.mark.parametrize("seed", range(40))
def test_exhaustive_enumeration_on_small_tables(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.choice([(2, 2), (2, 3), (3, 3)])
    values = [[rng.choice([0, 1, 2, 3, 4, 6, 11, 13]) for _ in range(m)] for _ in range(n)]
    s = suppress(values)
    if s.withheld:
        assert all(v is None for r in s.cells for v in r)
        return
    top = max(max(r) for r in values) + 2
    for cell, vals in _enumerate(_published(s), top).items():
        assert len(vals) >= 2, f"{cell} recovered as {vals} from {values}"


def test_a_lone_small_cell_gets_company() -> None:
    values = [[50, 3, 40], [60, 70, 80], [20, 30, 90]]
    s = suppress(values)
    assert (0, 1) in s.primary and len(s.complementary) == 3 and not s.withheld
    assert s.total == 443 and s.cells[0][1] is None


def test_a_lone_small_cell_in_its_row_hides_the_row_total_too() -> None:
    s = suppress([[0, 0, 4], [40, 50, 60], [30, 20, 70]])
    assert not s.withheld and s.cells[0][2] is None and s.row_totals[0] is None


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
