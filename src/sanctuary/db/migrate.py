"""Run the Alembic migrations programmatically (``sanctuary init`` and tests use this)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config


def sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def upgrade(url: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("sanctuary.db").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
