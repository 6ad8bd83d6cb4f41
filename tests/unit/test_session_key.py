"""The staff-session key: one per home, the same in every worker, even when the workers start together."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from sanctuary.api.app import _session_secret


def _read_key(barrier: object, q: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    q.put(_session_secret())  # type: ignore[attr-defined]


def test_workers_starting_together_on_a_fresh_home_share_one_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path / "home"))
    ctx = multiprocessing.get_context("spawn")
    n = 6
    barrier, q = ctx.Barrier(n), ctx.Queue()
    ps = [ctx.Process(target=_read_key, args=(barrier, q)) for _ in range(n)]
    for p in ps:
        p.start()
    keys = [q.get(timeout=60) for _ in range(n)]
    for p in ps:
        p.join(timeout=60)
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert (tmp_path / "home" / "session.key").read_text() == keys[0]
    assert (tmp_path / "home" / "session.key").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["session.key"]  # no temporary file left
    assert _session_secret() == keys[0]


def test_an_empty_key_file_is_refused_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    (tmp_path / "session.key").write_text("")
    with pytest.raises(RuntimeError, match="no usable key"):
        _session_secret()
