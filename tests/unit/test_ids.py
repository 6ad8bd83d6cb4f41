"""Decision identifiers: version-4 UUIDs from a buffered read of the kernel's randomness."""

from __future__ import annotations

import os
import uuid

import pytest

from sanctuary.ids import new_id


def test_identifiers_are_version_4_uuids_and_do_not_repeat() -> None:
    ids = [new_id() for _ in range(5000)]  # crosses several 4 KiB refills
    assert len(set(ids)) == len(ids)
    for i in ids[:600]:
        u = uuid.UUID(hex=i)
        assert len(i) == 32 and i == u.hex and u.version == 4 and u.variant == uuid.RFC_4122


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_never_hands_out_its_parents_next_identifiers() -> None:
    new_id()  # the pool is filled and partly used
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next identifiers, to the parent
        os.write(w, "".join(new_id() for _ in range(8)).encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    child = os.read(r, 4096).decode()
    os.close(r)
    ours = [new_id() for _ in range(8)]
    theirs = [child[i:i + 32] for i in range(0, len(child), 32)]
    assert len(theirs) == 8 and not set(ours) & set(theirs)


def test_threads_taking_identifiers_at_once_get_distinct_ones() -> None:
    import threading
    got: list[list[str]] = [[] for _ in range(8)]

    def take(out: list[str]) -> None:
        for _ in range(2000):  # each thread crosses refills while the others take too
            out.append(new_id())
    threads = [threading.Thread(target=take, args=(o,)) for o in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for o in got for i in o]
    assert len(every) == 16_000 and len(set(every)) == len(every)
