"""Small-cell protection for published two-way tables with row and column totals.

Primary suppression hides every cell *and total* with ``0 < value < threshold`` (a zero is published: it
says nothing about a person).  Totals are published, so a lone hidden cell in a row could be recovered by
subtraction; complementary suppression therefore hides more cells until every hidden cell lies on a
rectangle of hidden cells that can move by one (up at two corners, down at two, or with a total row or
column moving along) without any cell dropping below 1.  Then for each hidden cell there are at least
two tables that agree with everything published (Cox, "Suppression methodology and statistical
disclosure control", JASA 1980; the rectangle construction on the table augmented with its margins).

The construction: for each hidden cell (r, c) not yet on such a rectangle, choose the partner row r' and
column c' (totals included) that hide the least published information (the sum of the three other
cells) and hide the rectangle.  If some cell still cannot be protected, the whole table is withheld and
only a grand total of at least the threshold is published.
``tests/unit/reports/test_suppress.py`` attacks the result: integer programming for the range of every
hidden cell, and exhaustive enumeration on small tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 11


@dataclass(frozen=True)
class Suppressed:
    cells: list[list[int | None]]       # None = suppressed
    row_totals: list[int | None]
    col_totals: list[int | None]
    total: int | None
    primary: frozenset[tuple[int, int]]
    complementary: frozenset[tuple[int, int]]
    withheld: bool = False               # no protection existed: only the grand total (if not small) is published


def _augment(values: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with its row totals as a last column, column totals as a last row, and the grand total."""
    n, m = len(values), len(values[0])
    a = [[int(v) for v in r] + [int(sum(r))] for r in values]
    a.append([int(sum(values[i][j] for i in range(n))) for j in range(m)] + [int(sum(sum(r) for r in values))])
    return a


def _sign(i: int, j: int, r: int, c: int, n: int, m: int) -> int:
    """The direction cell (i, j) of a rectangle through (r, c) moves when (r, c) goes up by one: an ordinary
    row or column opposite r or c moves the other way; a total row or column moves with it."""
    a = 1 if i in (r, n) else -1
    b = 1 if j in (c, m) else -1
    return a * b


def _movable(a: Sequence[Sequence[int]], r: int, c: int, r2: int, c2: int) -> bool:
    """Can the rectangle move by one in some direction?  Zeros are published, so a reader knows every hidden
    cell is at least 1: the cells that go down must be at least 2."""
    n, m = len(a) - 1, len(a[0]) - 1
    corners = ((r, c), (r, c2), (r2, c), (r2, c2))
    return any(all(a[i][j] >= 2 for i, j in corners if _sign(i, j, r, c, n, m) * d < 0) for d in (1, -1))


def _on_cycle(hidden: set[tuple[int, int]], cell: tuple[int, int], a: Sequence[Sequence[int]]) -> bool:
    r, c = cell
    return any(r2 != r and c2 != c and (r, c2) in hidden and (r2, c) in hidden and _movable(a, r, c, r2, c2)
               for r2, c2 in hidden)


def suppress(values: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """Hide small cells and totals, and enough complementary cells (totals included) that none can be
    recovered from what is published."""
    n, m = len(values), len(values[0]) if values else 0
    a = _augment(values)
    primary = {(i, j) for i in range(n + 1) for j in range(m + 1) if 0 < a[i][j] < threshold}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for cell in sorted(hidden):
            if _on_cycle(hidden, cell, a):
                continue
            r, c = cell
            best: tuple[int, int, int] | None = None
            for r2 in range(n + 1):
                for c2 in range(m + 1):
                    if r2 == r or c2 == c:
                        continue
                    trio = ((r, c2), (r2, c), (r2, c2))
                    if any(a[x][y] <= 0 for x, y in trio) or not _movable(a, r, c, r2, c2):
                        continue
                    cost = sum(a[x][y] for x, y in trio if (x, y) not in hidden)
                    if best is None or cost < best[0]:
                        best = (cost, r2, c2)
            if best is not None:
                _, r2, c2 = best
                extra = {(r, c2), (r2, c), (r2, c2)}
                if not extra <= hidden:
                    hidden |= extra
                    changed = True
    if not all(_on_cycle(hidden, cell, a) for cell in hidden):
        grand = a[n][m]
        return Suppressed([[None] * m for _ in range(n)], [None] * n, [None] * m, grand if grand >= threshold else None,
                          frozenset(primary), frozenset(hidden - primary), withheld=True)

    def pub(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else a[i][j]
    return Suppressed([[pub(i, j) for j in range(m)] for i in range(n)], [pub(i, m) for i in range(n)],
                      [pub(n, j) for j in range(m)], pub(n, m), frozenset(primary), frozenset(hidden - primary))


def suppress_1d(values: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> tuple[list[int | None], int | None]:
    """A one-way table with its total.  Hidden cells are known to be at least 1, so a single hidden cell,
    or hidden cells that are all 1, would follow from the total: hide the next smallest cell of at least 2
    until neither holds."""
    hidden = {i for i, v in enumerate(values) if 0 < v < threshold}
    while hidden and (len(hidden) == 1 or sum(values[i] for i in hidden) == len(hidden)):
        rest = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v >= 2)
        if not rest:  # nothing can protect it: the total is withheld too
            return [None if v > 0 else 0 for v in values], None
        hidden.add(rest[0][1])
    return [None if i in hidden else int(v) for i, v in enumerate(values)], int(sum(values))
