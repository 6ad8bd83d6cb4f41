"""How personal records are stored: Zstandard with a dictionary shipped in this package.

A personal record is the request and the full decision with its trace: about 7.5 KB of JSON whose keys,
rule names and citations repeat from one decision to the next.  Compressed alone, such a record keeps
about 2.1 KB, because the compressor starts each one knowing nothing.  Primed with a dictionary trained
on decisions, it keeps about 0.4 KB, and compression is about four times faster.  That matters
wherever personal rows are written or scanned: appends write less, and verification hashes less.

The dictionary's id is written in each frame, so a record names the dictionary it needs.  A dictionary
is never edited or removed once shipped: records stored with it would become unreadable.  A new one (for
decisions whose shape has changed) is added beside the others, under its own id, with
``python -m sanctuary.ledger.compression train``, and :data:`CURRENT` points to it.
``tests/unit/ledger/test_compression.py`` holds every shipped file to its checksum.

The stored bytes are what the leaf's salted commitment binds, so verifying a record never needs a
dictionary; only reading one back does.  Records written before dictionaries (plain Zstandard, or zlib
before that) are still read.
"""

from __future__ import annotations

import functools
import threading
import zlib
from pathlib import Path

import zstandard

DICTIONARIES = Path(__file__).with_name("dictionaries")
CURRENT = 24683972  # the dictionary new records are compressed with
LEVEL = 1
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_local = threading.local()


@functools.cache
def dictionary(dict_id: int) -> zstandard.ZstdCompressionDict:
    path = DICTIONARIES / f"{dict_id}.zdict"
    if not path.is_file():
        raise LookupError(f"personal records compressed with dictionary {dict_id} need {path}, which is not installed")
    d = zstandard.ZstdCompressionDict(path.read_bytes())
    if d.dict_id() != dict_id:
        raise LookupError(f"{path} holds dictionary {d.dict_id()}, not {dict_id}")
    d.precompute_compress(level=LEVEL)
    return d


def _compressor() -> zstandard.ZstdCompressor:
    """One compressor per thread (a compressor object is not thread-safe)."""
    c = getattr(_local, "compressor", None)
    if c is None:
        c = _local.compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=dictionary(CURRENT))
    return c


def pack_personal(data: bytes) -> bytes:
    return _compressor().compress(data)


def unpack_personal(stored: bytes) -> bytes:
    """The personal record's bytes from their stored form (Zstandard with or without a dictionary, or
    zlib for the oldest records)."""
    if stored[:4] != _ZSTD_MAGIC:
        return zlib.decompress(stored)
    dict_id = zstandard.get_frame_parameters(stored).dict_id
    if dict_id == 0:
        return zstandard.ZstdDecompressor().decompress(stored)
    return zstandard.ZstdDecompressor(dict_data=dictionary(dict_id)).decompress(stored)


def training_records(n: int = 3000, seed: int = 99) -> list[bytes]:
    """Personal records of generated decisions (seeded, and a different seed from the benchmarks'): jail
    detainers with 0-10 convictions and a month of mixed requests across LA agencies, with and without
    the request itself."""
    from ..engine.decide import DecisionEngine
    from ..engine.models import Request
    from ..engine.samples import demo_month, sample_requests
    from .records import decision_entry
    eng = DecisionEngine()
    reqs = sample_requests(n, seed=seed) + demo_month(seed=seed, days=60)
    out = []
    for i, r in enumerate(reqs):
        req = Request.parse(r)
        out.append(decision_entry(eng.decide(req), req if i % 4 else None)[1])
    return out


def train(size: int = 16_384) -> tuple[int, Path]:
    """Train a dictionary on :func:`training_records` and write it beside the others (never over one)."""
    d = zstandard.train_dictionary(size, training_records(), level=LEVEL)
    path = DICTIONARIES / f"{d.dict_id()}.zdict"
    if path.exists():
        raise FileExistsError(f"{path} exists; a shipped dictionary is never replaced")
    DICTIONARIES.mkdir(exist_ok=True)
    path.write_bytes(d.as_bytes())
    return d.dict_id(), path


if __name__ == "__main__":
    import sys
    if sys.argv[1:] != ["train"]:
        sys.exit("usage: python -m sanctuary.ledger.compression train")
    ident, where = train()
    print(f"dictionary {ident} written to {where}; point CURRENT at it and add its checksum to the test")
