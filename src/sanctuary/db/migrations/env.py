from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from sanctuary.db.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section) or {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")},
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, version_table="alembic_version_app")
        with context.begin_transaction():
            context.run_migrations()


run()
