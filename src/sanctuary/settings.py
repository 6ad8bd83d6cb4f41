"""Settings, from SANCTUARY_* environment variables.  Every setting is documented in docs/settings.md
(a test checks it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = (
    Setting("home", "./var", "Directory for the embedded database and the ledger key."),
    Setting("database_url", "", "sqlite:///PATH or postgresql://... (default: sqlite:///HOME/sanctuary.db)."),
    Setting("key", "", "Ed25519 ledger signing key (PEM, mode 0600; default: HOME/ledger.key)."),
    Setting("origin", "sanctuary.local/ledger", "Origin line of the signed checkpoints (names the log)."),
    Setting("regime", "la-2026", "Regime decisions run on unless a request names another."),
    Setting("rate_limit", "200", "Requests per second allowed per API token (bursts up to twice that)."),
    Setting("suppress_below", "11", "Published counts below this are suppressed, with complementary cells (reports, dashboard)."),
)


def get(name: str) -> str:
    s = next(x for x in SETTINGS if x.name == name)
    return os.environ.get(f"SANCTUARY_{name.upper()}", s.default)


def database_url() -> str:
    return get("database_url") or f"sqlite:///{Path(get('home')) / 'sanctuary.db'}"
