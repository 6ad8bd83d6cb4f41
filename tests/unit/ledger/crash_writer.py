"""Child process for the crash test: append from several threads, print each acknowledged entry id."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from sanctuary.ledger.checkpoint import Signer
from sanctuary.ledger.service import Ledger
from sanctuary.ledger.store import open_store


def main() -> None:
    db, key, tag = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    lg = Ledger(open_store(db), Signer.load("sanctuary.test/ledger", key))
    out = sys.stdout
    lock = threading.Lock()

    def work(k: int) -> None:
        i = 0
        while True:
            eid = f"{tag}-{k}-{i}"
            lg.append("decision", eid, {"k": k, "i": i}, {"p": eid})
            with lock:
                out.write(f"ACK {eid}\n")
                out.flush()
            i += 1
    for k in range(4):
        threading.Thread(target=work, args=(k,), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
