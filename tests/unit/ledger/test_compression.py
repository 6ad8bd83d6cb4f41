"""Personal records are compressed with a dictionary shipped in the package: a record names its
dictionary, so a shipped dictionary must never change or go away."""

from __future__ import annotations

import hashlib

import pytest
import zstandard

from sanctuary.ledger import compression

# Every dictionary ever shipped, with its checksum.  Records in ledgers out there need these exact bytes
# to be read back: add a line for a new dictionary, never edit or remove one.
SHIPPED = {
    24683972: "754eebaa68bf6b9416219ebc32b218028f989bf102af9d42aaa48390d1d81e97",
}


def test_every_shipped_dictionary_is_present_unchanged_and_named_by_its_id() -> None:
    files = {int(p.stem): p for p in compression.DICTIONARIES.glob("*.zdict")}
    assert set(files) == set(SHIPPED)
    for ident, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == SHIPPED[ident], f"{path} was changed"
        assert compression.dictionary(ident).dict_id() == ident
    assert compression.CURRENT in SHIPPED


def test_records_round_trip_and_name_the_current_dictionary() -> None:
    records = compression.training_records(40, seed=5)
    for rec in records:
        packed = compression.pack_personal(rec)
        assert zstandard.get_frame_parameters(packed).dict_id == compression.CURRENT
        assert compression.unpack_personal(packed) == rec
    # the point of the dictionary: a decision's personal record keeps a small fraction of its size
    plain = zstandard.ZstdCompressor(level=compression.LEVEL)
    assert sum(len(compression.pack_personal(r)) for r in records) < 0.4 * sum(len(plain.compress(r)) for r in records)


def test_a_record_whose_dictionary_is_not_installed_is_a_clear_error() -> None:
    other = zstandard.train_dictionary(4096, [b'{"a":%d,"b":"x%dy"}' % (i, i * 7) for i in range(400)])
    assert other.dict_id() not in SHIPPED
    packed = zstandard.ZstdCompressor(dict_data=other).compress(b'{"a":1,"b":"x7y"}')
    with pytest.raises(LookupError, match=f"dictionary {other.dict_id()}.*not installed"):
        compression.unpack_personal(packed)
