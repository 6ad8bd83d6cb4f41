"""Recorded decisions per second over HTTP on loopback, with p50/p99 latency, SQLite and PostgreSQL.

    python benchmarks/api.py [--seconds 10] [--connections 32] [--workers N (default: one per core)]

Starts `sanctuary serve` (uvicorn, N worker processes) on 127.0.0.1 in a temporary home, creates a
clerk token, and drives POST /v1/decisions from a keep-alive asyncio client (on uvloop) for a bounded
time.  The client runs on the same cores as the server, so it prints its own CPU use too.
Every 201 response carries a ledger receipt: the decision was committed before it was returned.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sanctuary.engine.samples import sample_requests
from sanctuary.testing import pg

BIN = Path(sys.executable).parent / "sanctuary"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(bodies: list[bytes], token: str) -> list[bytes]:
    """Each request whole on the wire: head and body."""
    head = f"POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    return [head.encode() + b"Content-Length: %d\r\n\r\n" % len(b) + b for b in bodies]


async def client(port: int, wire: list[bytes], stop: float, lat: list[float], codes: dict[int, int], start: int = 0) -> None:
    """One keep-alive connection sending the requests in turn (from ``start``) until ``stop``, each answer
    read to the last byte before the next is sent.  The requests are encoded beforehand, once for all
    connections (encoding them inside would leave a connection idle past the server's keep-alive)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = start
    while time.monotonic() < stop:
        msg = wire[i % len(wire)]
        i += 1
        t0 = time.perf_counter()
        writer.write(msg)
        head_in = await reader.readuntil(b"\r\n\r\n")
        at = head_in.lower().find(b"content-length:")
        length = int(head_in[at + 15:head_in.index(b"\r\n", at)]) if at >= 0 else 0
        await reader.readexactly(length)
        lat.append((time.perf_counter() - t0) * 1000)
        code = int(head_in[9:12])
        codes[code] = codes.get(code, 0) + 1
    writer.close()


def _run(coro: Any) -> Any:
    """The load client on uvloop when it is installed (it is a dependency of the server): the client shares the
    machine's two cores with the server, and every cycle it spends is one the server does not get."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def run(store: str, url: str | None, args: argparse.Namespace) -> dict:
    home = Path(tempfile.mkdtemp(prefix="sanctuary-api-"))
    env = {**os.environ, "SANCTUARY_HOME": str(home), "SANCTUARY_RATE_LIMIT": "100000"}
    if url:
        env["SANCTUARY_DATABASE_URL"] = url
    subprocess.run([str(BIN), "init"], env=env, check=True, capture_output=True)
    token = subprocess.run([str(BIN), "user", "add", "bench-clerk", "--role", "clerk", "--agency", "lasd"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers", str(args.workers)], env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        reqs = [dict(r, agency="lasd", regime="la-2026") for r in sample_requests(args.distinct)]
        wire = encode([json.dumps(r).encode() for r in reqs], token)
        lat: list[float] = []
        codes: dict[int, int] = {}

        async def main() -> float:
            warm = time.monotonic() + 1.0
            await asyncio.gather(*(client(port, wire, warm, [], {}) for _ in range(4)))
            t0 = time.monotonic()
            stop = t0 + args.seconds
            step = len(wire) // args.connections  # each connection its own stretch of the requests
            await asyncio.gather(*(client(port, wire, stop, lat, codes, k * step) for k in range(args.connections)))
            return time.monotonic() - t0
        cpu = time.process_time()
        elapsed = _run(main())
        cpu = (time.process_time() - cpu) / (elapsed + 1.0)  # the warm-up second included
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)
    lat.sort()
    ok = codes.get(201, 0)
    return {"store": store, "rps": ok / elapsed, "client_cpu": cpu, "p50": statistics.median(lat), "p99": lat[int(0.99 * (len(lat) - 1))],
            "errors": sum(v for k, v in codes.items() if k != 201), "codes": codes, "n": len(lat)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="API worker processes (default: one per core)")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--only", choices=("sqlite", "postgresql"), help="measure one store")
    ap.add_argument("--distinct", type=int, default=500,
                    help="distinct requests cycled (more: fewer repeats for the engine's memo to find)")
    args = ap.parse_args()
    results = [run("sqlite", None, args)] if args.only != "postgresql" else []
    if args.only != "sqlite" and not args.no_postgres and pg.available():
        with pg.throwaway_server() as server:
            results.append(run("postgresql", pg.fresh_database(server), args))
    print(f"POST /v1/decisions over loopback HTTP/1.1 keep-alive; {args.connections} connections, "
          f"{args.workers} uvicorn workers, {args.seconds:g}s; realistic LASD detainers with 0-10 convictions")
    for r in results:
        print(f"  [{r['store']:10}] {r['rps']:8,.0f} recorded decisions/s   p50 {r['p50']:6.1f} ms   p99 {r['p99']:6.1f} ms   "
              f"errors {r['errors']} of {r['n']}   client CPU {r['client_cpu']:.0%} of a core   (target 1,500/s, p99 < 50 ms, 0 errors)")


if __name__ == "__main__":
    main()
