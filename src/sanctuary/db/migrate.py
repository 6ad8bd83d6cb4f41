"""Run the Alembic migrations programmatically (``sanctuary init`` and tests use this)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from importlib import resources

from alembic import command
from alembic.config import Config


def sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


MIGRATION_LOCK = 7_284_1  # PostgreSQL advisory lock key


def upgrade(url: str) -> None:
    """Bring the application tables to the newest revision, one process at a time: every web worker
    does this at start, and workers starting together on a database a release has not yet migrated
    would otherwise run the same migration at once (on PostgreSQL all but one failed, so the workers
    did not start)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("sanctuary.db").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url))
    cfg.attributes["configure_logger"] = False
    with _one_at_a_time(url):
        command.upgrade(cfg, "head")


@contextlib.contextmanager
def _one_at_a_time(url: str) -> Iterator[None]:
    """PostgreSQL: a session advisory lock; SQLite: an exclusive lock on a file beside the database."""
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                yield
            finally:
                db.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        return
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if not path or path == ":memory:":
        yield
        return
    fd = os.open(path + ".migrate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
