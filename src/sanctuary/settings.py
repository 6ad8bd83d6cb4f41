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
    Setting("home", "./var", "Directory for the embedded database and keys."),
    Setting("database", "", "SQLite file for decision records (default: HOME/sanctuary.db)."),
    Setting("regime", "la-2026", "Regime decisions run on unless a request names another."),
)


def get(name: str) -> str:
    s = next(x for x in SETTINGS if x.name == name)
    return os.environ.get(f"SANCTUARY_{name.upper()}", s.default)


def database_path() -> Path:
    return Path(get("database") or Path(get("home")) / "sanctuary.db")
