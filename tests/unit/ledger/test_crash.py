"""Kill a writer with SIGKILL at random points, many times: every acknowledged entry survives and the
log verifies after each restart."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sanctuary.ledger.service import Ledger
from sanctuary.ledger.store import open_store

WRITER = Path(__file__).with_name("crash_writer.py")


def crash_rounds(db: str, key: Path, signer, rounds: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    acked: set[str] = set()
    for r in range(rounds):
        p = subprocess.Popen([sys.executable, str(WRITER), db, str(key), f"r{r}"], stdout=subprocess.PIPE)
        deadline = time.monotonic() + rng.uniform(0.3, 1.2)  # start-up included: some kills land early
        lines: list[bytes] = []
        os.set_blocking(p.stdout.fileno(), False)
        while time.monotonic() < deadline:
            chunk = p.stdout.read()
            if chunk:
                lines.append(chunk)
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait()
        rest = p.stdout.read()
        if rest:
            lines.append(rest)
        p.stdout.close()
        for line in b"".join(lines).decode().splitlines():
            if line.startswith("ACK ") and line.count("-") == 2:
                acked.add(line[4:])
        lg = Ledger(open_store(db), signer)
        assert lg.verify()["ok"], f"round {r}"
        missing = [a for a in acked if lg.store.find(a) is None]
        assert not missing, f"round {r}: acknowledged but lost: {missing[:5]}"
        lg.close()
    return len(acked)


def test_sigkill_loses_no_acknowledged_entry(tmp_path: Path, signer) -> None:
    key = tmp_path / "keys" / "ledger.key"
    n = crash_rounds(str(tmp_path / "crash.db"), key, signer, rounds=10)
    assert n > 100  # the writers did get work acknowledged between kills
