"""Application services shared by the CLI and the API: decide and record, interpretations, law versions."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from . import settings
from .engine.decide import DecisionEngine
from .engine.models import Decision, Request, model_json
from .errors import InputError, LedgerError
from .law.registry import load_regime
from .ledger.checkpoint import Signer
from .ledger.records import decision_entry
from .ledger.service import Ledger
from .ledger.store import open_store

log = logging.getLogger(__name__)


def key_path() -> Path:
    return Path(settings.get("key") or Path(settings.get("home")) / "ledger.key")


def init(home: Path | None = None) -> Signer:
    """Create the signing key (mode 0600) if there is none; return the signer."""
    path = key_path() if home is None else home / "ledger.key"
    if path.exists():
        return Signer.load(settings.get("origin"), path)
    return Signer.generate(settings.get("origin"), path)


def open_sessions(url: str | None = None) -> Any:
    """Migrate the application tables (Alembic) and return a SQLAlchemy session factory."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from .db.migrate import sqlalchemy_url, upgrade
    url = url or settings.database_url()
    upgrade(url)
    kw: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 60}} if url.startswith("sqlite") else {}
    return sessionmaker(create_engine(sqlalchemy_url(url), **kw), expire_on_commit=False)


def open_ledger() -> Ledger:
    path = key_path()
    if not path.exists():
        raise LedgerError(f"no ledger key at {path}: run `sanctuary init` first")
    return Ledger(open_store(settings.database_url()), Signer.load(settings.get("origin"), path), settings.get("origin"))


assert list(Decision.model_fields)[-1] == "receipt"  # with_receipt appends it after the other fields


def with_receipt(decision_json: bytes, receipt: dict[str, Any]) -> bytes:
    """A decision's JSON with its receipt, from its JSON without one (``model_dump_json(exclude=
    {"receipt"})``): the receipt is the model's last field, so it goes before the closing brace.  Equal to
    ``model_dump_json()`` of the decision with the receipt (tested)."""
    return decision_json[:-1] + b',"receipt":' + orjson.dumps(receipt) + b"}"


def _insert_absent(db: Any, model: Any, rows: list[dict[str, Any]], keys: list[str],
                   update: list[str] | None = None) -> int:
    """INSERT ... ON CONFLICT (keys) DO NOTHING (or DO UPDATE the ``update`` columns), on SQLite and
    PostgreSQL alike; returns how many rows were inserted or updated."""
    from sqlalchemy.dialects import postgresql, sqlite
    if not rows:
        return 0
    ins = (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(model).values(rows)
    stmt = ins.on_conflict_do_update(index_elements=keys, set_={c: ins.excluded[c] for c in update}) if update \
        else ins.on_conflict_do_nothing(index_elements=keys)
    return int(db.execute(stmt).rowcount or 0)


class Sanctuary:
    """The engine and the ledger together: a decision is returned only once it is recorded.

    ``sessions`` (SQLAlchemy) holds the review-case index; the ledger is the truth and the index is
    rebuilt from it at start-up, so a crash between the two loses no case."""

    READINGS_RECHECK = 1.0  # seconds between looks for counsel's readings set by another process

    def __init__(self, ledger: Ledger, regime: str = "la-2026", sessions: Any = None) -> None:
        self.ledger = ledger
        self.regime_id = regime
        self.sessions = sessions
        self._readings_lock = threading.Lock()
        self._readings_mark: int | None = -1
        self._readings_checked = 0.0
        self._readings: dict[str, str] = {}
        self._engine: DecisionEngine | None = None
        self._index_behind = False
        self._refresh_readings(force=True)
        self._record_law_version()
        if sessions is not None:
            self.sync_cases()

    # ---------------------------------------------------------------- review cases
    def sync_cases(self, full: bool = False) -> int:
        """Open a case for every recorded decision with a review outcome; close those determined.
        Scans only the entries recorded since the last sync (a watermark kept in ``app_state``), or the
        whole ledger with ``full`` (rebuilding a lost index)."""
        from .db.models import AppState, ReviewCase
        from .ledger.canonical import from_canonical
        with self.sessions.begin() as db:
            mark = db.get(AppState, "review_cases_synced_to")
            start = int(mark.value) if mark and not full else 0
        opened: dict[str, str] = {}
        closed: dict[str, str] = {}
        last = start - 1
        for idx, data in self.ledger.store.iter_kind(["decision", "review"], start):
            last = idx
            if b'"kind":"decision"' in data:
                if b'"review":true' in data:
                    pub = from_canonical(data)["public"]
                    opened[pub["decision_id"]] = pub["agency"]
            else:
                rec = from_canonical(data)
                closed[rec["public"]["decision_id"]] = rec["id"]
        # Idempotent writes: every worker syncs at start, and a worker (re)starting while another is
        # deciding may open a case that worker is about to open too.
        from sqlalchemy import update
        now = dt.datetime.now(dt.UTC)
        n = 0
        with self.sessions.begin() as db:
            rows = [{"decision_id": did, "agency": agency, "status": "open", "opened_at": now} for did, agency in opened.items()]
            for i in range(0, len(rows), 1000):
                n += _insert_absent(db, ReviewCase, rows[i:i + 1000], ["decision_id"])
            for did, entry in closed.items():
                db.execute(update(ReviewCase).where(ReviewCase.decision_id == did, ReviewCase.status != "closed")
                           .values(status="closed", determination_entry=entry, closed_at=now))
            if last >= start:
                _insert_absent(db, AppState, [{"key": "review_cases_synced_to", "value": str(last + 1)}], ["key"],
                               update=["value"])
        return n

    def _open_case(self, d: Decision) -> None:
        if self.sessions is None or not any(a.outcome == "review" for a in d.asks):
            return
        from .db.models import ReviewCase
        with self.sessions.begin() as db:
            _insert_absent(db, ReviewCase, [{"decision_id": d.decision_id, "agency": d.agency, "status": "open",
                                             "opened_at": dt.datetime.now(dt.UTC)}], ["decision_id"])

    def determine(self, decision_id: str, determinations: list[dict[str, Any]], note: str, by: str,
                  on: dt.date | None = None) -> dict[str, Any]:
        """Counsel's final determination: its own ledger entry, linked to the original decision."""
        rec = self.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            raise InputError(f"no decision {decision_id!r}", field="decision_id")
        asks = rec["public"]["asks"]
        for det in determinations:
            i = det.get("ask")
            if not isinstance(i, int) or not 0 <= i < len(asks):
                raise InputError(f"ask index must be 0..{len(asks) - 1}", field="determinations[].ask")
            if det.get("outcome") not in ("prohibited", "permitted", "required"):
                raise InputError("outcome must be prohibited, permitted or required", field="determinations[].outcome")
        receipt = self.ledger.append("review", f"review-{decision_id}-{dt.datetime.now(dt.UTC).isoformat()}", {
            "decision_id": decision_id, "decision_ledger_index": rec["ledger_index"], "by": by, "note": note,
            "on": (on or dt.date.today()).isoformat(),
            "determinations": [{"ask": d["ask"], "kind": asks[d["ask"]]["kind"], "was": asks[d["ask"]]["outcome"],
                                "outcome": d["outcome"], "citations": list(d.get("citations", []))} for d in determinations],
        })
        self._index(self._close_case, decision_id, rec["public"]["agency"], receipt["entry_id"])
        return receipt

    def _close_case(self, decision_id: str, agency: str, entry_id: str) -> None:
        from sqlalchemy import update

        from .db.models import ReviewCase
        now = dt.datetime.now(dt.UTC)
        with self.sessions.begin() as db:
            _insert_absent(db, ReviewCase, [{"decision_id": decision_id, "agency": agency, "status": "open",
                                             "opened_at": now}], ["decision_id"])
            db.execute(update(ReviewCase).where(ReviewCase.decision_id == decision_id)
                       .values(status="closed", determination_entry=entry_id, closed_at=now))

    def _index(self, write: Any, *args: Any) -> None:
        """A write to the review-case index after the ledger entry it follows is committed.  The ledger is
        the truth: if the index cannot be written, the caller still gets its receipt (answering with an
        error would invite a second, duplicate entry), and the index is brought up to date from the
        ledger before this process next lists the queue (:meth:`catch_up_cases`) or at the next start."""
        if self.sessions is None:
            return
        try:
            write(*args)
        except Exception:  # noqa: BLE001 -- logged; the index is rebuilt from the ledger
            self._index_behind = True
            log.warning("review-case index not updated (%s); it catches up from the ledger", write.__name__, exc_info=True)

    def catch_up_cases(self) -> None:
        """Sync the review-case index from the ledger if a write to it failed in this process."""
        if self._index_behind and self.sessions is not None:
            self._index_behind = False
            try:
                self.sync_cases()
            except Exception:
                self._index_behind = True
                raise

    ACTIONS = ("performed", "declined")

    def record_action(self, decision_id: str, ask: int, action: str, by: str, on: dt.date | None = None,
                      note: str = "") -> dict[str, Any]:
        """What staff did after a decision (a transfer made, a notification sent, or declined): its own
        ledger entry linked to the decision, so the DOJ transfer report counts acts, not permissions.  An act
        the decision did not allow is recorded all the same, flagged ``against_decision``."""
        rec = self.ledger.get(decision_id)
        if rec is None or rec["kind"] != "decision":
            raise InputError(f"no decision {decision_id!r}", field="decision_id")
        asks = rec["public"]["asks"]
        if not isinstance(ask, int) or not 0 <= ask < len(asks):
            raise InputError(f"ask index must be 0..{len(asks) - 1}", field="ask")
        if action not in self.ACTIONS:
            raise InputError(f"action must be one of {', '.join(self.ACTIONS)}", field="action")
        outcome = asks[ask]["outcome"]
        for det in self._determinations(decision_id):  # counsel's determination replaces a review outcome
            if det["ask"] == ask:
                outcome = det["outcome"]
        on = on or dt.date.today()
        return self.ledger.append("action", f"action-{decision_id}-{ask}-{dt.datetime.now(dt.UTC).isoformat()}", {
            "decision_id": decision_id, "decision_ledger_index": rec["ledger_index"], "agency": rec["public"]["agency"],
            "ask": ask, "kind": asks[ask]["kind"], "action": action, "on": on.isoformat(), "by": by, "note": note,
            "outcome": outcome, "against_decision": action == "performed" and outcome not in ("permitted", "required"),
        })

    def _determinations(self, decision_id: str) -> list[dict[str, Any]]:
        """Counsel's determinations on a decision: through the review-case index when there is one (one
        lookup), else by reading the review entries."""
        from .ledger.canonical import from_canonical
        if self.sessions is not None:
            from sqlalchemy import select

            from .db.models import ReviewCase
            with self.sessions() as db:
                entry = db.execute(select(ReviewCase.determination_entry)
                                   .where(ReviewCase.decision_id == decision_id)).scalar_one_or_none()
            rec = self.ledger.get(entry) if entry else None
            return rec["public"]["determinations"] if rec else []
        out: list[dict[str, Any]] = []
        for _, data in self.ledger.store.iter_kind(["review"]):
            if decision_id.encode() in data:
                out.extend(from_canonical(data)["public"]["determinations"])
        return out

    # ---------------------------------------------------------------- counsel's readings
    @property
    def engine(self) -> DecisionEngine:
        """The engine with counsel's current readings.  A reading set in another worker process (or on
        another server sharing the database) is in the ledger: looked for at most once a second, and
        taken up before the next decision."""
        self._readings_current()
        assert self._engine is not None
        return self._engine

    @property
    def readings(self) -> dict[str, str]:
        self._readings_current()
        return self._readings

    def _readings_current(self) -> None:
        if time.monotonic() - self._readings_checked >= self.READINGS_RECHECK:
            self._refresh_readings()

    def _refresh_readings(self, force: bool = False) -> None:
        with self._readings_lock:
            self._readings_checked = time.monotonic()
            mark = self.ledger.store.last_of_kind("interpretation")
            if mark == self._readings_mark and not force:
                return
            self._readings = self._readings_from_ledger()
            self._engine = DecisionEngine(self.regime_id, self._readings)
            self._readings_mark = mark

    def _readings_from_ledger(self) -> dict[str, str]:
        from .ledger.canonical import from_canonical
        readings: dict[str, str] = {}
        for _, data in self.ledger.store.iter_kind(["interpretation"]):
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
        d, _, public, personal = self._decision(data)
        receipt = self.ledger.append("decision", d.decision_id, public, personal)
        self._index(self._open_case, d)
        return d.model_copy(update={"receipt": receipt})

    async def decide_async(self, data: dict[str, Any] | Request) -> tuple[Decision, bytes]:
        """:meth:`decide` on an event loop, with the decision's JSON: decided in the loop (a fraction of a
        millisecond), the ledger commit awaited with the other requests' (group commit), the review case
        (a database write, for decisions with a review outcome only) opened in a worker thread.  The
        decision is serialised once, for the ledger's personal record and for the answer."""
        d, djson, public, personal = self._decision(data)
        receipt = await self.ledger.append_async("decision", d.decision_id, public, personal)
        if any(a.outcome == "review" for a in d.asks) and self.sessions is not None:
            from starlette.concurrency import run_in_threadpool
            await run_in_threadpool(self._index, self._open_case, d)
        return d.model_copy(update={"receipt": receipt}), with_receipt(djson, receipt)

    def _decision(self, data: dict[str, Any] | Request) -> tuple[Decision, bytes, dict[str, Any], bytes]:
        req = data if isinstance(data, Request) else Request.parse(data)
        if req.regime != self.regime_id:
            raise InputError(f"only the regime in force ({self.regime_id}) is recorded; {req.regime!r} is a comparison: "
                             "evaluate it without recording (sanctuary decide --regime)", field="regime")
        d = self.engine.decide(req)
        djson = model_json(d, exclude="receipt")
        public, personal = decision_entry(d, req, djson)
        return d, djson, public, personal

    def screen(self, records: Any, agency: str, as_of: dt.date, recipient: str, purpose: str,
               public_fields: tuple[str, ...] = (), by: str = "") -> tuple[Any, dict[str, Any]]:
        """Screen outbound records and record the screening (fields kept and withheld, with citations;
        never the values) in the ledger.  Returns (result, receipt)."""
        from .firewall.screen import Firewall
        from .law.registry import get_agency
        get_agency(agency)
        result = Firewall(agency, as_of, recipient, purpose, public_fields, self.engine).screen(records)
        n_in = len(records) if isinstance(records, list) else 1
        receipt = self.ledger.append("screening", f"screen-{dt.datetime.now(dt.UTC).isoformat()}-{os.urandom(4).hex()}", {
            "agency": agency, "as_of": as_of.isoformat(), "recipient": recipient, "purpose": purpose, "by": by,
            "records_in": n_in, "records_out": len(result.records),
            "fields": {k: {"action": r.action, "outcome": r.outcome, "citations": r.citations} for k, r in sorted(result.rulings.items())},
        })
        return result, receipt

    def screen_text(self, text: str, agency: str, as_of: dt.date, recipient: str, purpose: str, by: str = "",
                    record: bool = True, with_names: bool = True) -> tuple[Any, dict[str, Any] | None]:
        """Screen free text (a narrative, an e-mail); record what was found and what was withheld, by kind and
        position, never the values."""
        from .firewall.text import screen_text
        from .law.registry import get_agency
        get_agency(agency)
        result = screen_text(text, agency, as_of, recipient, purpose, self.engine, with_names=with_names)
        if not record:
            return result, None
        counts: dict[str, dict[str, int]] = {}
        for f in result.findings:
            c = counts.setdefault(f.entity, {"redacted": 0, "kept": 0})
            c[f.action] += 1
        receipt = self.ledger.append("screening", f"screen-text-{dt.datetime.now(dt.UTC).isoformat()}-{os.urandom(4).hex()}", {
            "mode": "text", "names": "model" if with_names else "cued", "agency": agency, "as_of": as_of.isoformat(), "recipient": recipient, "purpose": purpose, "by": by,
            "characters_in": len(text), "characters_out": len(result.text), "found": counts,
            "findings": [f.public() for f in result.findings],
        })
        return result, receipt

    def set_interpretation(self, interpretation_id: str, reading: str, by: str, note: str) -> dict[str, Any]:
        regime = load_regime(self.regime_id)
        it = regime.interpretations.get(interpretation_id)
        if it is None:
            raise InputError(f"unknown interpretation {interpretation_id!r}; valid: {', '.join(sorted(regime.interpretations))}",
                             field="interpretation")
        if reading not in it.options:
            raise InputError(f"{interpretation_id}: reading must be one of {', '.join(it.options)}", field="reading")
        now = dt.datetime.now(dt.UTC).isoformat()
        self._refresh_readings()  # "previous" is the reading in force, wherever it was set
        receipt = self.ledger.append("interpretation", f"interp-{interpretation_id}-{now}",
                                     {"id": interpretation_id, "reading": reading, "by": by, "note": note,
                                      "previous": self._readings.get(interpretation_id, it.default)})
        self._refresh_readings(force=True)  # in force here at once
        return receipt
