"""``sanctuary serve``: uvicorn, and with several workers, one listening socket per worker.

uvicorn's own multi-worker mode hands one shared socket to every worker, and an idle worker accepts
every connection waiting on it at once: when clients open their keep-alive connections together (a
jail system's pool starting up, the load benchmark), one worker was found holding 31 of 32 connections
while the other sat idle.  Here each worker listens on its own socket bound to the same address with
``SO_REUSEPORT``, and the kernel spreads new connections across the sockets by their address hash.
Linux lets only processes of the same user join such a group of sockets.

The workers share the per-token rate limits (:class:`~sanctuary.auth.SharedBuckets`).
The parent keeps the sockets, starts one uvicorn server per socket in a process of its own, starts a
new one on the same socket if a worker dies (stops everything if a worker could not even start), and
on SIGINT or SIGTERM stops the workers gracefully.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
from typing import Any

APP = "sanctuary.api.asgi:app"


def serve(host: str, port: int, workers: int, app: str = APP) -> int:
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE  # a worker's exit code when it cannot start (bad app, settings)
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, host=host, port=port, workers=workers, log_level="warning")
        return 0
    from ..auth import SharedBuckets
    sockets = [listen(host, port) for _ in range(workers)]
    ctx = multiprocessing.get_context("spawn")
    buckets = SharedBuckets(ctx)  # one rate limit per token across the workers
    procs: list[Any] = [None] * workers

    def start(i: int) -> None:
        procs[i] = ctx.Process(target=_worker, args=(app, sockets[i], buckets), name=f"sanctuary-api-{i}", daemon=False)
        procs[i].start()

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    for i in range(workers):
        start(i)
    failed = False
    while not stop.wait(0.5):
        for i, p in enumerate(procs):
            if p.is_alive():
                continue
            if p.exitcode == STARTUP_FAILURE:
                failed = True
                stop.set()
                break
            start(i)  # a worker died: a new one takes over its socket
    for p in procs:
        if p.is_alive():
            p.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
            p.join()
    for s in sockets:
        s.close()
    return 1 if failed else 0


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port) that other sockets of this user may share (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((host, port))
    s.listen(2048)
    return s


def _worker(app: str, sock: socket.socket, buckets: Any = None) -> None:
    import uvicorn

    from ..auth import share_buckets
    share_buckets(buckets)  # before the app is imported and builds its authenticator
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
