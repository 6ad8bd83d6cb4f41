"""``python -m sanctuary.whatif``: compile the batch engine's kernels into numba's on-disk cache.

The kernels are compiled on first use (about ten seconds on a 2-core machine) and cached next to their
source; ``make install`` runs this once, so the first what-if a user asks for does not wait for it.
"""

from __future__ import annotations

import time


def main() -> None:
    from . import generate
    from .batch import BatchEngine

    t = time.perf_counter()
    req, rec = next(generate.chunks(2_000, seed=1, years=(2024, 2025), chunk=2_000))
    for batch in (req, req.sample(fraction=1.0, shuffle=True, seed=1)):  # dense ids, and ids lined up by a join
        rows = sum(out.height for out in BatchEngine("la-2026").run(batch, rec))
    print(f"what-if kernels ready ({rows:,} request-asks decided in {time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
