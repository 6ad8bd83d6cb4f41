"""A live server on a free port and headless Chromium (Debian's ``chromium`` driven by Playwright)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium; `make test` tries)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def service(directory: Any) -> tuple[Any, Any]:
    """A Sanctuary on a fresh SQLite ledger in ``directory``: (service, sessions)."""
    from sanctuary.ledger.checkpoint import Signer
    from sanctuary.ledger.service import Ledger
    from sanctuary.ledger.store import SQLiteStore
    from sanctuary.service import Sanctuary, open_sessions
    lg = Ledger(SQLiteStore(directory / "ledger.db"), Signer.generate("sanctuary.test/ledger", directory / "k" / "ledger.key"))
    sessions = open_sessions(f"sqlite:///{directory / 'ledger.db'}")
    return Sanctuary(lg, sessions=sessions), sessions


def serve(app: object) -> tuple[str, object]:
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server
