"""Application services shared by the CLI and the API: decide and record, interpretations, law versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from . import settings
from .engine.decide import DecisionEngine
from .engine.models import Decision, Request
from .errors import InputError, LedgerError
from .law.registry import load_regime
from .ledger.checkpoint import Signer
from .ledger.records import decision_entry
from .ledger.service import Ledger
from .ledger.store import open_store


def key_path() -> Path:
    return Path(settings.get("key") or Path(settings.get("home")) / "ledger.key")


def init(home: Path | None = None) -> Signer:
    """Create the signing key (mode 0600) if there is none; return the signer."""
    path = key_path() if home is None else home / "ledger.key"
    if path.exists():
        return Signer.load(settings.get("origin"), path)
    return Signer.generate(settings.get("origin"), path)


def open_ledger() -> Ledger:
    path = key_path()
    if not path.exists():
        raise LedgerError(f"no ledger key at {path}: run `sanctuary init` first")
    return Ledger(open_store(settings.database_url()), Signer.load(settings.get("origin"), path), settings.get("origin"))


class Sanctuary:
    """The engine and the ledger together: a decision is returned only once it is recorded."""

    def __init__(self, ledger: Ledger, regime: str = "la-2026") -> None:
        self.ledger = ledger
        self.regime_id = regime
        self.readings = self._readings_from_ledger()
        self.engine = DecisionEngine(regime, self.readings)
        self._record_law_version()

    def _readings_from_ledger(self) -> dict[str, str]:
        readings: dict[str, str] = {}
        for _, _, data in self.ledger.store.iter_leaves():
            if data is not None and b'"kind":"interpretation"' in data:
                from .ledger.canonical import from_canonical
                pub = from_canonical(data)["public"]
                readings[pub["id"]] = pub["reading"]
        return readings

    def _record_law_version(self) -> None:
        r = self.engine.regime
        entry_id = f"law-{r.id}-{r.law_version}"
        if self.ledger.store.find(entry_id) is None:
            self.ledger.append("law-pack", entry_id, {"regime": r.id, "law_version": r.law_version,
                                                      "packs": {p.id: p.digest for p in r.packs}})

    def decide(self, data: dict[str, Any] | Request) -> Decision:
        req = data if isinstance(data, Request) else Request.parse(data)
        d = self.engine.decide(req)
        public, personal = decision_entry(d, req)
        receipt = self.ledger.append("decision", d.decision_id, public, personal)
        return d.model_copy(update={"receipt": receipt})

    def set_interpretation(self, interpretation_id: str, reading: str, by: str, note: str) -> dict[str, Any]:
        regime = load_regime(self.regime_id)
        it = regime.interpretations.get(interpretation_id)
        if it is None:
            raise InputError(f"unknown interpretation {interpretation_id!r}; valid: {', '.join(sorted(regime.interpretations))}",
                             field="interpretation")
        if reading not in it.options:
            raise InputError(f"{interpretation_id}: reading must be one of {', '.join(it.options)}", field="reading")
        now = dt.datetime.now(dt.UTC).isoformat()
        receipt = self.ledger.append("interpretation", f"interp-{interpretation_id}-{now}",
                                     {"id": interpretation_id, "reading": reading, "by": by, "note": note,
                                      "previous": self.readings.get(interpretation_id, it.default)})
        self.readings[interpretation_id] = reading
        self.engine = DecisionEngine(self.regime_id, self.readings)
        return receipt
