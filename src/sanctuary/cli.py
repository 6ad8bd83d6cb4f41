"""The ``sanctuary`` command."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from .errors import SanctuaryError


def _load(path: str) -> Any:
    text = sys.stdin.read() if path == "-" else Path(path).read_text()
    try:
        return json.loads(text)
    except ValueError:
        return yaml.safe_load(text)


def _fail(e: SanctuaryError) -> None:
    click.echo(json.dumps(e.diagnostics(), indent=2, default=str), err=True)
    sys.exit(2)


@click.group()
def cli() -> None:
    """Sanctuary: decide, explain and record how an agency answers immigration-authority requests."""


@cli.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--regime", default=None, help="Regime to apply (default: the request's, else la-2026).")
@click.option("--interpretation", "interps", multiple=True, metavar="ID=READING", help="Counsel's reading of an unsettled point.")
@click.option("--record/--no-record", default=False, help="Durably record the decision before printing it.")
def decide(file: str, fmt: str, regime: str | None, interps: tuple[str, ...], record: bool) -> None:
    """Decide a request (JSON or YAML FILE, '-' for stdin)."""
    from .engine.decide import DecisionEngine
    from .engine.explain import to_text
    try:
        data = _load(file)
        if regime and isinstance(data, dict):
            data["regime"] = regime
        readings = dict(i.split("=", 1) for i in interps)
        if record:
            from .service import Sanctuary, open_ledger, open_sessions
            if readings:
                raise click.UsageError("--record uses the interpretations recorded in the ledger (sanctuary interpret)")
            d = Sanctuary(open_ledger(), sessions=open_sessions()).decide(data)
        else:
            d = DecisionEngine(interpretations=readings).decide(data)
    except SanctuaryError as e:
        _fail(e)
        return
    click.echo(d.model_dump_json(indent=2) if fmt == "json" else to_text(d), nl=False)


@cli.command()
@click.argument("file")
def explain(file: str) -> None:
    """Print the decision's trace as an indented, cited tree."""
    from .engine.decide import decide as run
    from .engine.explain import trace_text
    try:
        click.echo(trace_text(run(_load(file))), nl=False)
    except SanctuaryError as e:
        _fail(e)


@cli.command()
@click.option("--regime", default="la-2026", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
def laws(regime: str, fmt: str) -> None:
    """Instruments, provisions, effective dates and interpretations."""
    from .law.registry import load_regime
    r = load_regime(regime)
    if fmt == "json":
        click.echo(json.dumps({"regime": r.id, "law_version": r.law_version,
                               "instruments": [i.model_dump(mode="json") for i in r.instruments.values()],
                               "interpretations": [i.model_dump(mode="json") for i in r.interpretations.values()]}, indent=2))
        return
    click.echo(f"{r.title}  [{r.id}, law version {r.law_version}]")
    for ins in r.instruments.values():
        click.echo(f"\n{ins.title}  ({ins.layer}; {ins.interval.label()})\n  {ins.citation.label}")
        for p in ins.provisions:
            flag = f"  UNVERIFIED: {p.unverified}" if p.unverified else ""
            when = f" [{p.interval.label()}]" if p.effective or p.ends else ""
            click.echo(f"  - {p.id}: {p.citation.label} — {p.title}{when}{flag}")
    click.echo("\nInterpretations (unsettled law; counsel may switch the reading):")
    for i in r.interpretations.values():
        click.echo(f"  - {i.id}: {i.question}\n      default: {i.default} — {i.options[i.default]}")


@cli.command()
def agencies() -> None:
    """The agency registry and what binds each agency."""
    from .law.registry import agencies as reg
    from .law.registry import load_regime
    r = load_regime("la-2026")
    for a in reg().values():
        bound = [i.id for i in r.instruments.values() if a.bound_by(i.binds)]
        click.echo(f"{a.id:20} {a.kind:16} {a.name}\n{'':20} bound by: {', '.join(bound)}")


@cli.command()
@click.argument("charge", required=False)
@click.option("--file", "file", type=click.Path(exists=True), help="CSV whose column of charges is classified in bulk.")
@click.option("--column", default="charge", show_default=True)
@click.option("--out", type=click.Path(), help="Output file: .csv or .parquet (default: CSV on stdout).")
def offense(charge: str | None, file: str | None, column: str, out: str | None) -> None:
    """Show how a charge string reads: canonical form, levels, lists, categories, with citations."""
    from tqdm import tqdm

    from .offenses.classify import profile_of
    from .offenses.parsing import parse_charge
    if charge:
        p = parse_charge(charge)
        prof = profile_of(p)
        click.echo(json.dumps({"parsed": p.to_dict(), "profile": prof.to_dict() if prof else None}, indent=2))
        return
    if not file:
        raise click.UsageError("give a CHARGE or --file")
    with open(file, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and column not in rows[0]:
        raise click.UsageError(f"no column {column!r}; columns: {', '.join(rows[0])}")
    header = [column, "status", "canonical", "confidence", "serious", "violent", "wobbler", "trust_categories", "prop47", "explanation"]
    table: list[list[Any]] = []
    for r in tqdm(rows, disable=not out, unit="charge"):
        p = parse_charge(r[column])
        prof = profile_of(p)
        cats = ",".join(k for k, v in prof.categories.items() if v.true) if prof else ""
        table.append([r[column], str(p.status), p.canonical, p.confidence, prof and prof.serious.value,
                      prof and prof.violent.value, prof and prof.wobbler, cats, prof and prof.prop47.value, p.explanation])
    if out and out.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.table({h: [row[i] for row in table] for i, h in enumerate(header)}), out)
        return
    sink = open(out, "w", newline="") if out else sys.stdout  # noqa: SIM115
    w = csv.writer(sink)
    w.writerow(header)
    w.writerows(table)
    if out:
        sink.close()


@cli.command()
@click.argument("file", type=click.Path(exists=True), required=False)
@click.option("--sql", default=None, help="Screen the rows of this SQL query instead of a file (with --db).")
@click.option("--db", default=None, help="SQLAlchemy URL of the database --sql runs on (e.g. sqlite:///jail.db).")
@click.option("--to", "recipient", required=True, help="Recipient: ice-ero, ice-hsi, cbp, usms, other-federal, unknown.")
@click.option("--agency", required=True, help="The sending agency (registry id).")
@click.option("--purpose", type=click.Choice(["immigration-enforcement", "criminal-immigration", "criminal-investigation", "unknown"]),
              required=True)
@click.option("--as-of", "as_of", default=None, help="Date the law is applied at (default today).")
@click.option("--public-field", "public", multiple=True, help="A field already available to the public (e.g. on an inmate locator).")
@click.option("--out", type=click.Path(), help="Where the screened records go (.json, .csv); default stdout (JSON).")
@click.option("--record/--no-record", default=True, show_default=True, help="Record the screening in the ledger.")
@click.option("--names", type=click.Choice(["model", "cued"]), default="model", show_default=True,
              help="Free text: find names with the spaCy model as well as by pattern (model), or only where a role, title "
                   "or relation announces them (cued: about 50 times faster, misses a bare 'Maria Lopez told officers').")
def screen(file: str | None, sql: str | None, db: str | None, recipient: str, agency: str, purpose: str, as_of: str | None,
           public: tuple[str, ...], out: str | None, record: bool, names: str) -> None:
    """Screen what is bound for an immigration authority: CSV, JSON or Parquet records, or a SQL query's rows,
    field by field; or free text (.txt, .eml, .md: a narrative or an e-mail) finding by finding; each kept
    or withheld, cited."""
    import datetime as dt

    from .firewall.screen import Firewall
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    if (file is None) == (sql is None):
        raise click.UsageError("give a FILE or --sql QUERY --db URL")
    if sql is not None and not db:
        raise click.UsageError("--sql needs --db URL")
    path = Path(file or "query.sql")
    if path.suffix.lower() in (".txt", ".eml", ".md", ".text"):
        try:
            text = path.read_text(errors="replace")
            from .service import Sanctuary, open_ledger
            if record:
                res, receipt = Sanctuary(open_ledger()).screen_text(text, agency, day, recipient, purpose, by="cli",
                                                                    with_names=names == "model")
            else:
                from .firewall.text import screen_text
                from .law.registry import get_agency
                get_agency(agency)
                res, receipt = screen_text(text, agency, day, recipient, purpose, with_names=names == "model"), None
        except SanctuaryError as e:
            _fail(e)
            return
        for f in res.findings:
            click.echo(f"{f.action.upper():8} {f.entity:18} chars {f.start}-{f.end} — {f.label} [{'; '.join(f.citations)}]", err=True)
        if receipt:
            click.echo(f"recorded: ledger index {receipt['ledger_index']}", err=True)
        if out:
            Path(out).write_text(res.text)
        else:
            click.echo(res.text)
        return
    try:
        if sql is not None:
            import sqlalchemy as sa
            with sa.create_engine(str(db)).connect() as conn:
                records: Any = [dict(r) for r in conn.execute(sa.text(sql)).mappings()]
        elif path.suffix.lower() == ".csv":
            with open(path, newline="") as fh:
                records = list(csv.DictReader(fh))
        elif path.suffix.lower() in (".parquet", ".pq"):
            import polars as pl
            records = pl.read_parquet(path).to_dicts()
        else:
            records = json.loads(path.read_text())
        if record:
            from .service import Sanctuary, open_ledger
            result, receipt = Sanctuary(open_ledger()).screen(records, agency, day, recipient, purpose, public, by="cli")
        else:
            from .law.registry import get_agency
            get_agency(agency)
            result, receipt = Firewall(agency, day, recipient, purpose, public).screen(records), None
    except SanctuaryError as e:
        _fail(e)
        return
    except (ValueError, OSError) as e:
        raise click.UsageError(f"cannot read {file or 'the query'}: {e}") from None
    except Exception as e:  # noqa: BLE001 - a database or Parquet error, reported as input, never a traceback
        raise click.UsageError(f"cannot read {file or 'the query'}: {type(e).__name__}: {e}") from None
    for name, r in sorted(result.rulings.items()):
        click.echo(f"{r.action.upper():8} {name:28} {r.label} — {r.reason} [{'; '.join(r.citations)}]", err=True)
    if receipt:
        click.echo(f"recorded: ledger index {receipt['ledger_index']}", err=True)
    if out and out.endswith(".csv"):
        cols = sorted({k for row in result.records if isinstance(row, dict) for k in row})
        with open(out, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            w.writerows([r for r in result.records if isinstance(r, dict)])
    elif out:
        if out.endswith(".parquet"):
            import polars as pl
            pl.DataFrame([r for r in result.records if isinstance(r, dict)]).write_parquet(out)
        else:
            Path(out).write_text(json.dumps(result.records, indent=2, default=str))
    else:
        click.echo(json.dumps(result.records, indent=2, default=str))


@cli.command()
@click.argument("which", type=click.Choice(["request", "decision"]))
def schema(which: str) -> None:
    """Print the JSON Schema of the request or decision."""
    from .engine.models import Decision, request_schema
    click.echo(json.dumps(request_schema() if which == "request" else Decision.model_json_schema(), indent=2))


@cli.command()
@click.option("--demo/--no-demo", default=False, help="Demo users with printed tokens, a month of recorded requests and a year.")
@click.option("--demo-year", type=int, default=2025, show_default=True, help="The generated, calibrated year recorded with --demo.")
def init(demo: bool, demo_year: int) -> None:
    """Create the ledger key (mode 0600), migrate the database; with --demo, load demo data."""
    from . import settings
    from .service import Sanctuary, key_path, open_ledger, open_sessions
    from .service import init as make_key
    signer = make_key()
    click.echo(f"ledger key: {key_path()} (verifier key: {signer.verifier_key})")
    sessions = open_sessions()
    svc = Sanctuary(open_ledger(), settings.get("regime"), sessions)
    click.echo(f"database: {settings.database_url()} (migrated)")
    if demo:
        _demo(svc, sessions, demo_year)
    click.echo(f"ledger size: {svc.ledger.size()}")


def _demo(svc: Any, sessions: Any, year: int) -> None:
    from sqlalchemy import select

    from .auth import create_user, issue_token
    from .db.models import User
    from .engine.samples import demo_month
    with sessions.begin() as db:
        if db.execute(select(User)).first() is not None:
            click.echo("demo data already loaded")
            return
        people = [("clerk-lasd", "clerk", "lasd"), ("clerk-lapd", "clerk", "lapd"), ("clerk-lausd", "clerk", "lausd"),
                  ("counsel", "counsel", None), ("auditor", "auditor", None), ("admin", "administrator", None)]
        click.echo("demo users and tokens (shown once; only their hashes are stored):")
        for name, role, agency in people:
            _, token = issue_token(db, create_user(db, name, role, agency))
            click.echo(f"  {name:12} {role:14} {agency or '':6} {token}")
    reqs = demo_month()
    for r in reqs:
        svc.decide(r)
    click.echo(f"recorded {len(reqs)} demo requests (October 2026)")
    from tqdm import tqdm

    from .reports.demo import record_year
    from .whatif.generate import requests_per_year
    with tqdm(total=requests_per_year(), unit="req", desc=f"demo year {year}", disable=None) as bar:
        got = record_year(svc, year, progress=bar.update)
    click.echo(f"recorded a generated {year}: {got['decisions']} decisions, {got['actions']} acts, "
               f"{got['determinations']} review determinations (assumptions: docs/whatif.md, sanctuary/reports/demo.py)")


@cli.group()
def user() -> None:
    """Users and their API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["clerk", "counsel", "auditor", "administrator"]), required=True)
@click.option("--agency", default=None)
def user_add(name: str, role: str, agency: str | None) -> None:
    """Add a user and print a token for it (shown once)."""
    from .auth import create_user, issue_token
    from .service import open_sessions
    with open_sessions().begin() as db:
        try:
            _, token = issue_token(db, create_user(db, name, role, agency))
        except SanctuaryError as e:
            _fail(e)
            return
    click.echo(token)


@cli.command()
@click.argument("interpretation_id")
@click.argument("reading")
@click.option("--by", required=True, help="Who decided (counsel's name or office).")
@click.option("--note", required=True, help="Why: the authority relied on.")
def interpret(interpretation_id: str, reading: str, by: str, note: str) -> None:
    """Switch the reading of an unsettled point of law; the switch is recorded in the ledger."""
    from .service import Sanctuary, open_ledger
    try:
        r = Sanctuary(open_ledger()).set_interpretation(interpretation_id, reading, by, note)
    except SanctuaryError as e:
        _fail(e)
        return
    click.echo(f"{interpretation_id} = {reading} (ledger index {r['ledger_index']})")


@cli.group()
def ledger() -> None:
    """The tamper-evident ledger: checkpoints, proofs, verification, retention."""


@ledger.command("verify")
@click.option("--checkpoint", "saved", type=click.Path(exists=True), help="An earlier published checkpoint: prove the log only grew.")
def ledger_verify(saved: str | None) -> None:
    """Rebuild the tree, check every record, head, signature and commitment."""
    from .service import open_ledger
    try:
        rep = open_ledger().verify(Path(saved).read_text() if saved else None)
    except SanctuaryError as e:
        _fail(e)
        return
    click.echo(json.dumps(rep, indent=2))


@ledger.command("prove")
@click.argument("entry_id")
def ledger_prove(entry_id: str) -> None:
    """Print a receipt for ENTRY_ID that verifies offline, without the database."""
    from .service import open_ledger
    try:
        click.echo(json.dumps(open_ledger().prove(entry_id), indent=2))
    except SanctuaryError as e:
        _fail(e)


@ledger.command("verify-receipt")
@click.argument("file", type=click.Path(exists=True))
@click.option("--key", "vkey", default=None, help="The published verifier key to pin (else the receipt's own).")
def ledger_verify_receipt(file: str, vkey: str | None) -> None:
    """Verify a receipt offline."""
    from .ledger.service import verify_receipt
    try:
        click.echo(json.dumps(verify_receipt(json.loads(Path(file).read_text()), vkey), indent=2))
    except SanctuaryError as e:
        _fail(e)


@ledger.command("checkpoint")
def ledger_checkpoint() -> None:
    """Print the latest signed checkpoint (publish it so others can hold the log to it)."""
    from .service import open_ledger
    click.echo(open_ledger().checkpoint(), nl=False)


@ledger.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Purge personal data recorded before this date.")
@click.option("--reason", required=True)
def ledger_purge(before: Any, reason: str) -> None:
    """Delete personal data past its retention period; proofs stay valid; the purge is recorded."""
    from .service import open_ledger
    n = open_ledger().purge_personal(before.date(), reason)
    click.echo(f"purged personal data of {n} entries")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=1, show_default=True, help="API worker processes (they share the ledger).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API and the decision page."""
    from .api.serve import serve as run
    sys.exit(run(host, port, workers))


# ------------------------------------------------------------------ what-if
@cli.command()
@click.option("--data", required=True, type=click.Path(exists=True),
              help="A directory with requests.{parquet,csv} and records.{parquet,csv}, or a requests file.")
@click.option("--regime", "regimes", multiple=True, required=True, help="A regime; give two or more. The first is the baseline.")
@click.option("--out", required=True, type=click.Path(), help="Directory for report.html/.pdf, counts and changes (CSV, Parquet).")
@click.option("--batch-size", default=500_000, show_default=True)
@click.option("--pdf/--no-pdf", default=True, show_default=True)
def whatif(data: str, regimes: tuple[str, ...], out: str, batch_size: int, pdf: bool) -> None:
    """Run regimes over the same table of past requests and show what changes and which provision changes it."""
    from tqdm import tqdm

    from .law.registry import regimes as known
    from .whatif import compare as cmpmod
    from .whatif.schema import read_table

    unknown = [g for g in regimes if g not in known()]
    if unknown:
        raise click.BadParameter(f"unknown regime {unknown[0]!r}; known: {', '.join(known())}", param_hint="--regime")
    if len(regimes) < 2:
        raise click.BadParameter("give at least two --regime", param_hint="--regime")
    p = Path(data)
    total = read_table(str(next(p.glob("requests.*")) if p.is_dir() else p)).select("request_id").collect().height
    try:
        with tqdm(total=total, unit="req", disable=None) as bar:
            cmp = cmpmod.compare(data, list(regimes), out, batch_size=batch_size, progress=bar.update)
    except SanctuaryError as e:
        _fail(e)
    cmpmod.write_report(cmp, out, pdf=pdf)
    click.echo(cmpmod.summary_text(cmp))
    click.echo(f"wrote {', '.join(sorted(cmp.files))} to {out}")


@cli.command("whatif-data")
@click.option("--out", required=True, type=click.Path(), help="Directory for requests and records.")
@click.option("--rows", type=int, default=None, help="Requests to generate (default: one calibrated year).")
@click.option("--year", type=int, default=2025, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
def whatif_data(out: str, rows: int | None, year: int, seed: int, fmt: str) -> None:
    """Generate a seeded, calibrated table of LA jail and field requests (assumptions: docs/whatif.md)."""
    from .whatif import generate

    n = rows or generate.requests_per_year()
    rq, rc = generate.write(out, n, fmt=fmt, year=year, seed=seed)
    click.echo(f"wrote {n:,} requests to {rq} and their records to {rc}")


# ------------------------------------------------------------------ reports
@cli.command()
@click.argument("name", type=click.Choice(["doj-transfers", "truth-access", "forum", "task-force", "reentry-exception"]))
@click.option("--year", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "csv", "json"]), default="html", show_default=True)
@click.option("--out", type=click.Path(), help="Output file (default: stdout; a PDF needs --out).")
@click.option("--suppress-below", type=int, default=None, help="Small-cell threshold (default SANCTUARY_SUPPRESS_BELOW or 11).")
def report(name: str, year: int, fmt: str, out: str | None, suppress_below: int | None) -> None:
    """A statutory report computed from the ledger alone, citing its provision, ledger range and checkpoint."""
    from . import settings
    from .reports.build import REPORTS
    from .reports.render import render
    from .service import open_ledger
    try:
        led = open_ledger()
    except SanctuaryError as e:
        _fail(e)
    r = REPORTS[name](led, year, suppress_below or int(settings.get("suppress_below")))
    body = render(r, fmt)
    if out:
        Path(out).write_bytes(body if isinstance(body, bytes) else body.encode())
        click.echo(f"wrote {out} ({r.title}; ledger entries {r.ledger_first}-{r.ledger_last} of {r.tree_size})", err=True)
    elif isinstance(body, bytes):
        raise click.UsageError("a PDF needs --out FILE")
    else:
        click.echo(body)
