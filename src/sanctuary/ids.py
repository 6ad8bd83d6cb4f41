"""Random identifiers (version-4 UUIDs, as 32 hex digits) without a system call each.

``uuid.uuid4()`` reads 16 bytes from ``os.urandom`` every time.  On a busy API worker that system call
releases the GIL, and getting it back means waiting behind the ledger's threads: the profile showed
1.6 % of the worker in ``uuid4``.  Here the same kernel randomness is read 4 KiB at a time and turned
into 256 identifiers at once; handing one out is a ``list.pop`` (atomic under the GIL: no lock, no
``getpid`` system call).  A process started by ``fork`` empties the pool in the child
(``os.register_at_fork``), so parent and child never hand out the same bytes."""

from __future__ import annotations

import os
import threading

_CHUNK = 4096
_refill = threading.Lock()
_pool: list[str] = []  # identifiers ready to hand out, taken from the end
_VARIANT = "89ab89ab89ab89ab"  # the hex digit of the RFC 4122 variant (binary 10xx), by the random digit


def _identifiers(raw: bytes) -> list[str]:
    """32 hex digits per 16 random bytes: 122 random bits, the version digit (4) at position 12 and the
    variant digit (8, 9, a or b) at position 16."""
    h = raw.hex()
    return [f"{h[i:i + 12]}4{h[i + 13:i + 16]}{_VARIANT[int(h[i + 16], 16)]}{h[i + 17:i + 32]}"
            for i in range(0, len(h), 32)]


def new_id() -> str:
    """A random version-4 UUID as 32 lowercase hex digits (what ``uuid.uuid4().hex`` gives)."""
    while True:
        try:
            return _pool.pop()
        except IndexError:
            with _refill:
                if not _pool:  # another thread may have refilled it while this one waited
                    _pool.extend(_identifiers(os.urandom(_CHUNK)))


def _forget_in_child() -> None:
    global _refill
    _pool.clear()
    _refill = threading.Lock()  # a thread of the parent may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
