from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from sanctuary.cli import cli


def _write(tmp_path, req: dict, name: str = "req.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(req))
    return p


def test_decide_text_and_json(tmp_path, base_request: dict) -> None:
    p = _write(tmp_path, base_request)
    r = CliRunner().invoke(cli, ["decide", str(p)])
    assert r.exit_code == 0, r.output
    assert "NOTIFY-RELEASE" in r.output and "Gov. Code" in r.output and "WHAT YOU MUST DO NOW" in r.output
    r = CliRunner().invoke(cli, ["decide", str(p), "--format", "json"])
    d = json.loads(r.output)
    assert d["asks"][0]["outcome"] in ("prohibited", "permitted", "review")


def test_decide_from_stdin_and_bad_input(base_request: dict) -> None:
    r = CliRunner().invoke(cli, ["decide", "-"], input=json.dumps(base_request))
    assert r.exit_code == 0
    bad = dict(base_request, agency="nope")
    r = CliRunner().invoke(cli, ["decide", "-"], input=json.dumps(bad))
    assert r.exit_code == 2
    assert "unknown_agency" in r.output and "lapd" in r.output


def test_interpretation_switch(tmp_path, base_request: dict) -> None:
    req = dict(base_request, agency="lapd", subject={**base_request["subject"], "convictions": [{"statute": "211PC", "level": "felony", "date": "2020-01-01"}]})
    p = _write(tmp_path, req)
    default = CliRunner().invoke(cli, ["decide", str(p), "--format", "json"])
    aligned = CliRunner().invoke(cli, ["decide", str(p), "--format", "json", "--interpretation", "la-188441-cooperation=aligned-with-sb54"])
    assert json.loads(default.output)["asks"][0]["outcome"] == "prohibited"
    assert json.loads(aligned.output)["asks"][0]["outcome"] == "permitted"


def test_decide_record_prove_verify(tmp_path, base_request: dict, home) -> None:
    run = CliRunner().invoke
    r = run(cli, ["decide", str(_write(tmp_path, base_request)), "--record", "--format", "json"])
    assert r.exit_code == 0, r.output
    did = json.loads(r.output)["decision_id"]
    receipt = tmp_path / "receipt.json"
    receipt.write_text(run(cli, ["ledger", "prove", did]).output)
    cp = tmp_path / "cp.txt"
    cp.write_text(run(cli, ["ledger", "checkpoint"]).output)
    out = run(cli, ["ledger", "verify-receipt", str(receipt)])
    assert out.exit_code == 0 and json.loads(out.output)["entry"]["public"]["decision_id"] == did
    run(cli, ["decide", str(_write(tmp_path, base_request)), "--record"])
    v = json.loads(run(cli, ["ledger", "verify", "--checkpoint", str(cp)]).output)
    assert v["ok"] and v["consistent_with"]["size"] == 2


def test_key_is_private(home) -> None:
    import os
    assert os.stat(home / "ledger.key").st_mode & 0o777 == 0o600


def test_interpretation_switch_is_recorded(tmp_path, base_request: dict, home) -> None:
    run = CliRunner().invoke
    req = dict(base_request, agency="lapd", subject={**base_request["subject"], "convictions": [{"statute": "211PC", "level": "felony", "date": "2020-01-01"}]})
    p = _write(tmp_path, req)
    assert json.loads(run(cli, ["decide", str(p), "--record", "--format", "json"]).output)["asks"][0]["outcome"] == "prohibited"
    r = run(cli, ["interpret", "la-188441-cooperation", "aligned-with-sb54", "--by", "City Attorney", "--note", "test"])
    assert r.exit_code == 0, r.output
    d = json.loads(run(cli, ["decide", str(p), "--record", "--format", "json"]).output)
    assert d["asks"][0]["outcome"] == "permitted"
    assert {i["id"]: i["reading"] for i in d["interpretations"]}["la-188441-cooperation"] == "aligned-with-sb54"
    bad = run(cli, ["interpret", "la-188441-cooperation", "whatever", "--by", "x", "--note", "y"])
    assert bad.exit_code == 2


def test_explain_laws_agencies_offense_schema(tmp_path, base_request: dict) -> None:
    run = CliRunner().invoke
    out = run(cli, ["explain", str(_write(tmp_path, base_request))]).output
    assert "state layer" in out and "Gov. Code" in out
    assert "realignment-1170h" in run(cli, ["laws"]).output
    assert "lasd" in run(cli, ["agencies"]).output
    off = json.loads(run(cli, ["offense", "245(A)(1)PC"]).output)
    assert off["parsed"]["canonical"] == "PC 245(a)(1)" and off["profile"]["serious_felony"]["value"] is True
    assert "properties" in json.loads(run(cli, ["schema", "request"]).output)


def test_offense_bulk(tmp_path) -> None:
    src = tmp_path / "charges.csv"
    src.write_text("charge\n245(A)(1)PC\n41.27CLAMC\nnonsense\n")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(cli, ["offense", "--file", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and "resolved" in lines[1] and "local" in lines[2] and "unknown" in lines[3]


def test_offense_bulk_parquet(tmp_path) -> None:
    import pyarrow.parquet as pq
    src = tmp_path / "charges.csv"
    src.write_text("charge\n245(A)(1)PC\n41.27CLAMC\n")
    out = tmp_path / "out.parquet"
    r = CliRunner().invoke(cli, ["offense", "--file", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pq.read_table(out).to_pydict()
    assert t["canonical"] == ["PC 245(a)(1)", "LAMC 41.27(c)"] and t["serious"][0] is True


def test_screen_file_and_record(tmp_path, home) -> None:
    src = tmp_path / "export.csv"
    src.write_text("name,home_address,charges,shoe_size\nMaria R.,123 Main St,211PC,9\n")
    out = tmp_path / "out.json"
    r = CliRunner().invoke(cli, ["screen", str(src), "--to", "ice-ero", "--agency", "lasd", "--purpose",
                                 "immigration-enforcement", "--as-of", "2019-03-02", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text()) == [{"charges": "211PC"}]
    assert "REMOVED  home_address" in r.output and "recorded: ledger index" in r.output


def test_screen_text_file(tmp_path, home) -> None:
    src = tmp_path / "narrative.txt"
    src.write_text("Suspect DOB 04/17/1988 lives at 1423 W 7th St, Los Angeles. A-number A098-765-432. He is undocumented.\n")
    out = tmp_path / "out.txt"
    r = CliRunner().invoke(cli, ["screen", str(src), "--to", "ice-ero", "--agency", "lapd", "--purpose",
                                 "immigration-enforcement", "--out", str(out)])
    assert r.exit_code == 0, r.output
    sent = out.read_text()
    assert "04/17/1988" not in sent and "A098-765-432" not in sent and "7th St" not in sent and "undocumented" not in sent
    assert "[DATE OF BIRTH WITHHELD]" in sent and "REDACTED A_NUMBER" in r.output and "recorded: ledger index" in r.output
    # the fast tier: names only where a role word announces them
    src.write_text("Witness Ana Ortiz saw it. Maria Lopez told officers the suspect left.\n")
    for names, lopez_leaves in (("cued", True), ("model", False)):
        r = CliRunner().invoke(cli, ["screen", str(src), "--to", "ice-ero", "--agency", "lapd", "--purpose",
                                     "immigration-enforcement", "--out", str(out), "--names", names, "--no-record"])
        assert r.exit_code == 0, r.output
        sent = out.read_text()
        assert "Ana Ortiz" not in sent and ("Maria Lopez" in sent) == lopez_leaves, (names, sent)


def test_screen_parquet_and_sql_rows(tmp_path, home) -> None:
    import sqlite3

    import polars as pl

    pl.DataFrame({"name": ["Maria R."], "dob": ["1988-04-17"], "charges": ["211PC"], "shoe_size": [9]}).write_parquet(tmp_path / "x.parquet")
    r = CliRunner().invoke(cli, ["screen", str(tmp_path / "x.parquet"), "--to", "ice-ero", "--agency", "lasd", "--purpose",
                                 "immigration-enforcement", "--as-of", "2019-03-02", "--no-record", "--out", str(tmp_path / "o.parquet")])
    assert r.exit_code == 0, r.output
    assert pl.read_parquet(tmp_path / "o.parquet").to_dicts() == [{"charges": "211PC"}]
    con = sqlite3.connect(tmp_path / "jail.db")
    con.execute("create table inmates (booking_number text, home_address text, release_date text, charges text)")
    con.execute("insert into inmates values ('6123456', '1423 W 7th St', '2026-03-09', '459PC')")
    con.commit()
    con.close()
    r = CliRunner().invoke(cli, ["screen", "--sql", "select * from inmates", "--db", f"sqlite:///{tmp_path / 'jail.db'}",
                                 "--to", "ice-ero", "--agency", "lasd", "--purpose", "immigration-enforcement", "--as-of", "2019-03-02",
                                 "--no-record"])
    assert r.exit_code == 0, r.output
    assert "1423 W 7th St" not in r.output and "2026-03-09" not in r.output and "REMOVED  release_date" in r.output
    r = CliRunner().invoke(cli, ["screen", "--sql", "select * from nowhere", "--db", f"sqlite:///{tmp_path / 'jail.db'}",
                                 "--to", "ice-ero", "--agency", "lasd", "--purpose", "immigration-enforcement", "--no-record"])
    assert r.exit_code == 2 and "cannot read the query" in r.output
