"""Per-token rate limits shared by worker processes (SharedBuckets): the token gets its rate in all."""

from __future__ import annotations

import multiprocessing

from sanctuary.auth import SharedBuckets


def _hammer(buckets: SharedBuckets, token: int, tries: int, out: object) -> None:
    got = sum(buckets.take(token, 0.0, 100.0, 1.0) for _ in range(tries))
    with out.get_lock():  # type: ignore[attr-defined]
        out.value += got  # type: ignore[attr-defined]


def test_processes_share_one_bucket_per_token() -> None:
    ctx = multiprocessing.get_context("spawn")
    buckets = SharedBuckets(ctx)
    got = ctx.Value("i", 0)
    ps = [ctx.Process(target=_hammer, args=(buckets, 7, 80, got)) for _ in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(timeout=60)
    assert got.value == 100  # a burst of 100, no refill: 100 of 240 tries in all, across 3 processes
    assert buckets.take(8, 0.0, 100.0, 1.0)  # another token has its own bucket


def test_buckets_refill_at_the_rate_up_to_the_burst() -> None:
    b = SharedBuckets()
    assert [b.take(1, 2.0, 3.0, 10.0) for _ in range(4)] == [True, True, True, False]
    assert b.take(1, 2.0, 3.0, 10.5) and not b.take(1, 2.0, 3.0, 10.5)  # half a second: one more
    assert [b.take(1, 2.0, 3.0, 100.0) for _ in range(4)] == [True, True, True, False]  # never above the burst


class _Tiny(SharedBuckets):
    SLOTS = 4
    PROBES = 2


def test_a_full_table_gives_the_slot_idle_longest_to_a_new_token() -> None:
    b = _Tiny()
    for token, at in ((1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0)):
        assert b.take(token, 0.0, 2.0, at)
    assert b.take(1, 0.0, 2.0, 5.0) and not b.take(1, 0.0, 2.0, 5.0)  # token 1 found again: its bucket
    # token 5 probes slots 1 and 2 (tokens 1, used at 5.0, and 2, at 2.0): it takes token 2's
    assert b.take(5, 0.0, 2.0, 6.0)
    assert b.take(2, 0.0, 2.0, 7.0)  # token 2 starts again with a full bucket, in the slot idle longest
    assert not b.take(1, 0.0, 2.0, 8.0)  # token 1 kept its (empty) bucket throughout
