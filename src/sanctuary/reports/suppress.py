"""Small-cell protection for published two-way tables with row and column totals.

Primary suppression hides every cell with ``0 < value < threshold`` (a zero is published: it says nothing
about a person).  Row and column totals are published, so a lone hidden cell in a row could be recovered by
subtraction; complementary suppression therefore hides more cells until every hidden cell lies on a
*cycle* of hidden cells (row, column, row, column ... back to the start) whose cells can all move by one
in alternating directions without going negative.  Then for each hidden cell there are at least two
tables, with non-negative integer cells, that agree with everything published (Cox, "Suppression
methodology and statistical disclosure control", JASA 1980; the rectangle construction).

The construction: for each primary cell (r, c) without a cycle, choose the partner row r' and column c'
that minimise the published information lost (the sum of the three other cells) among cells that are
all positive -- or already hidden -- and hide the rectangle (r, c), (r, c'), (r', c), (r', c').
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


def _movable(values: Sequence[Sequence[int]], r: int, c: int, r2: int, c2: int) -> bool:
    """Can the rectangle move by one in some direction?  Zeros are published, so a reader knows every
    hidden cell is at least 1: the two cells that go down must be at least 2."""
    return (values[r][c2] >= 2 and values[r2][c] >= 2) or (values[r][c] >= 2 and values[r2][c2] >= 2)


def _on_cycle(hidden: set[tuple[int, int]], cell: tuple[int, int], values: Sequence[Sequence[int]]) -> bool:
    """Is ``cell`` on a rectangle of hidden cells that can move by one?"""
    r, c = cell
    return any(r2 != r and c2 != c and (r, c2) in hidden and (r2, c) in hidden and _movable(values, r, c, r2, c2)
               for r2, c2 in hidden)


def suppress(values: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """Hide small cells and enough complementary cells that none can be recovered from the margins."""
    n, m = len(values), len(values[0]) if values else 0
    primary = {(i, j) for i in range(n) for j in range(m) if 0 < values[i][j] < threshold}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for cell in sorted(hidden):
            if _on_cycle(hidden, cell, values):
                continue
            r, c = cell
            best: tuple[int, int, int] | None = None
            for r2 in range(n):
                for c2 in range(m):
                    if r2 == r or c2 == c:
                        continue
                    trio = ((r, c2), (r2, c), (r2, c2))
                    # zeros stay published; the rectangle must be able to move
                    if any(values[a][b] <= 0 for a, b in trio) or not _movable(values, r, c, r2, c2):
                        continue
                    cost = sum(values[a][b] for a, b in trio if (a, b) not in hidden)
                    if best is None or cost < best[0]:
                        best = (cost, r2, c2)
            if best is None:
                # no rectangle can protect it: hide its row and column; if a cell is still exposed the
                # whole table is withheld (only the grand total is published)
                extra = {(r, j) for j in range(m) if values[r][j] > 0} | {(i, c) for i in range(n) if values[i][c] > 0}
            else:
                _, r2, c2 = best
                extra = {(r, c2), (r2, c), (r2, c2)}
            if not extra <= hidden:
                hidden |= extra
                changed = True
    cells = [[None if (i, j) in hidden else int(values[i][j]) for j in range(m)] for i in range(n)]
    total = int(sum(sum(r) for r in values))
    if not all(_on_cycle(hidden, cell, values) for cell in hidden):
        return Suppressed([[None] * m for _ in range(n)], [None] * n, [None] * m, total if total >= threshold else None,
                          frozenset(primary), frozenset(hidden - primary), withheld=True)
    return Suppressed(cells, [int(sum(r)) for r in values], [int(sum(values[i][j] for i in range(n))) for j in range(m)],
                      total, frozenset(primary), frozenset(hidden - primary))


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
