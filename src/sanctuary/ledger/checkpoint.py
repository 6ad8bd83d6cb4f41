"""Signed checkpoints in the common text format (C2SP tlog-checkpoint inside a C2SP signed note).

::

    sanctuary.local/ledger        <- origin
    1024                          <- tree size
    mWCcq2...base64 root...=      <- root hash
                                  <- blank line ends the body
    — sanctuary.local/ledger Ab3x...base64(key id || Ed25519 signature)...

The key id is the first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key); the verifier key is
published as ``name+<key id hex>+<base64(0x01 || public key)>`` so anyone can check checkpoints offline.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import LedgerError, ProofError

DASH = "\u2014"


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


class Signer:
    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        self.name = name
        self._key = private
        self.public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id(name, self.public)

    @property
    def verifier_key(self) -> str:
        raw = base64.b64encode(b"\x01" + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"

    def sign(self, cp: Checkpoint) -> str:
        body = cp.body()
        sig = self._key.sign(body.encode())
        return f"{body}\n{DASH} {self.name} {base64.b64encode(self.key_id + sig).decode()}\n"

    @classmethod
    def generate(cls, name: str, path: Path) -> Signer:
        """Create a key, write it with mode 0600 (and the verifier key beside it), refuse to overwrite."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        s = cls(name, key)
        path.with_suffix(".pub").write_text(s.verifier_key + "\n")
        return s

    @classmethod
    def load(cls, name: str, path: Path) -> Signer:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise LedgerError(f"{path} is not an Ed25519 key")
        return cls(name, key)


class Verifier:
    def __init__(self, vkey: str) -> None:
        try:
            name, kid, b64 = vkey.strip().split("+", 2)
            raw = base64.b64decode(b64)
        except ValueError as e:
            raise ProofError(f"malformed verifier key: {e}") from None
        if raw[:1] != b"\x01" or len(raw) != 33:
            raise ProofError("verifier key is not an Ed25519 key")
        self.name, self.public = name, raw[1:]
        self.key_id = key_id(name, self.public)
        if kid != self.key_id.hex():
            raise ProofError("verifier key id does not match its key")
        self._key = Ed25519PublicKey.from_public_bytes(self.public)

    def verify(self, note: str) -> Checkpoint:
        """Check the note's signature by this key and return the checkpoint it signs."""
        body, sep, sigs = note.partition("\n\n")
        if not sep:
            raise ProofError("checkpoint has no signature block")
        body += "\n"
        ok = False
        for line in sigs.splitlines():
            if not line.startswith(f"{DASH} {self.name} "):
                continue
            blob = base64.b64decode(line.rsplit(" ", 1)[1])
            if blob[:4] != self.key_id:
                continue
            try:
                self._key.verify(blob[4:], body.encode())
                ok = True
            except InvalidSignature:
                raise ProofError("checkpoint signature does not verify") from None
        if not ok:
            raise ProofError(f"checkpoint is not signed by {self.name}")
        return parse_body(body)


def parse_body(body: str) -> Checkpoint:
    lines = body.split("\n")
    try:
        return Checkpoint(lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True))
    except (IndexError, ValueError) as e:
        raise ProofError(f"malformed checkpoint body: {e}") from None
