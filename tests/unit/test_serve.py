"""`sanctuary serve --workers N`: each worker listens on its own SO_REUSEPORT socket, so connections opened
together are spread across the workers (with one shared socket, one worker took 31 of 32), and the
parent stops every worker on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sanctuary.api.serve import listen

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not Path("/proc/net/tcp").exists(),
                                reason="needs Linux SO_REUSEPORT and /proc")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _established_on(port: int) -> set[int]:
    """Socket inodes of the established TCP connections whose local port is ``port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == "01":
            inodes.add(int(f[9]))
    return inodes


def _socket_inodes(pid: int) -> set[int]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            out.add(int(link[8:-1]))
    return out


def test_sockets_of_one_user_share_a_port() -> None:
    port = _free_port()
    a, b = listen("127.0.0.1", port), listen("127.0.0.1", port)
    assert a.getsockname() == b.getsockname()
    a.close()
    b.close()


def test_connections_opened_together_reach_every_worker_and_sigterm_stops_them_all(home: Path) -> None:
    port = _free_port()
    exe = Path(sys.executable).parent / "sanctuary"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "2"], env=os.environ.copy())
    conns: list[socket.socket] = []
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not come up"
                time.sleep(0.2)
        # The port takes connections as soon as the parent has bound it, before any worker serves: with
        # one shared socket, the first worker to come up took them all; with a socket each, the kernel has
        # already spread them over the workers' own queues.
        conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(128)]
        for c in conns:  # a request on each, so every connection has been accepted
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for c in conns:
            c.settimeout(60)
            assert c.recv(4096).startswith(b"HTTP/1.1 200")
        workers = [w for w in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()]
        assert len(workers) == 2
        est = _established_on(port)
        per_worker = [len(_socket_inodes(w) & est) for w in workers]
        # the kernel hashes each connection to a socket: 128 split 64 +- 5.7; below 40 is 4.3 sigma away
        assert sum(per_worker) == 128 and min(per_worker) >= 40, per_worker
    finally:
        for c in conns:
            c.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "a worker outlived its parent"


def test_workers_share_each_tokens_rate_limit(home: Path) -> None:
    """Two workers, a limit of 2 requests/s (bursts of 4), 24 requests at once over 24 connections spread
    across both workers: the token gets 4 and a little refill in all, not 4 from each worker."""
    exe = Path(sys.executable).parent / "sanctuary"
    env = {**os.environ, "SANCTUARY_RATE_LIMIT": "2"}
    token = subprocess.run([str(exe), "user", "add", "c", "--role", "clerk", "--agency", "lasd"], env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "2"], env=env)
    conns: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = socket.create_connection(("127.0.0.1", port), timeout=1)
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                c.settimeout(30)
                ok = c.recv(4096).startswith(b"HTTP/1.1 200")
                c.close()
                if ok and len([w for w in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()]) == 2:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "the server did not come up"
            time.sleep(0.2)
        time.sleep(1.0)  # both workers serving
        conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(24)]
        t0 = time.monotonic()
        for c in conns:
            c.sendall(f"GET /v1/laws HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        codes = []
        for c in conns:
            c.settimeout(60)
            codes.append(int(c.recv(65536)[9:12]))
        elapsed = time.monotonic() - t0
        workers = [w for w in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()]
        est = _established_on(port)
        assert all(_socket_inodes(w) & est for w in workers), "every worker holds some of the connections"
        allowed = sum(1 for c in codes if c != 429)
        assert set(codes) <= {200, 429}
        assert 4 <= allowed <= 4 + int(2 * elapsed) + 1, (allowed, elapsed)
    finally:
        for c in conns:
            c.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
