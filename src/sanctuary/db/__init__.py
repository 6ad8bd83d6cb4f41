"""Application data (users, tokens, review cases, refusals) in SQLAlchemy 2, migrated by Alembic.

The ledger's own tables are managed by ``sanctuary.ledger.store`` (they carry append-only triggers);
both live in the same database."""
