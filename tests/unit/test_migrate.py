"""Migrations run one process at a time: workers starting together on a database not yet migrated all
come up (on PostgreSQL, without the lock, three of four failed on a duplicate type)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest


def _upgrade(barrier: object, url: str, q: object) -> None:
    from sanctuary.db.migrate import upgrade
    barrier.wait()  # type: ignore[attr-defined]
    try:
        upgrade(url)
        q.put("ok")  # type: ignore[attr-defined]
    except Exception as e:  # noqa: BLE001 -- reported to the test
        q.put(f"{type(e).__name__}: {e}")  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_workers_migrating_together_all_come_up(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}" if kind == "sqlite" else request.getfixturevalue("pg_url")
    ctx = multiprocessing.get_context("spawn")
    n = 4
    barrier, q = ctx.Barrier(n), ctx.Queue()
    ps = [ctx.Process(target=_upgrade, args=(barrier, url, q)) for _ in range(n)]
    for p in ps:
        p.start()
    got = [q.get(timeout=120) for _ in range(n)]
    for p in ps:
        p.join(timeout=60)
    assert got == ["ok"] * n
    from sqlalchemy import create_engine, text

    from sanctuary.db.migrate import sqlalchemy_url
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM alembic_version_app")).scalar() == 1
    finally:
        engine.dispose()
