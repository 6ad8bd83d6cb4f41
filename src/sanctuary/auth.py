"""Who is calling: API tokens (argon2id hashes only), roles, agency scope, rate limits.

A token looks like ``sct_<prefix>_<secret>``.  The database keeps the prefix (to find the row) and an
argon2id hash of the whole token; the token itself is shown once, at creation.  Argon2 is deliberately
slow, so a verified token is remembered in-process by its SHA-256 for a minute.  Revocation takes
effect at once in the process that revoked, and within ``recheck_seconds`` (1 s) in every other worker.
Rate limits are token buckets; under ``sanctuary serve --workers N`` the workers share them
(:class:`SharedBuckets`), so a token gets its rate in all, not N times it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .db.models import Role, Token, User
from .errors import SanctuaryError

HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)  # OWASP's argon2id minimum


class AuthError(SanctuaryError):
    code = "unauthorized"
    status = 401


class ForbiddenError(SanctuaryError):
    code = "forbidden"
    status = 403


class RateLimitedError(SanctuaryError):
    code = "rate_limited"
    status = 429


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: int | None = None
    name: str = "anonymous"
    agency: str | None = None
    token_id: int | None = None
    token_prefix: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


PUBLIC = Principal(Role.PUBLIC)


class SharedBuckets:
    """Token buckets in memory shared by the worker processes of one server (made by the parent, handed to
    each worker at its start: :func:`share_buckets`).  A fixed table: a token's slot is its id modulo
    :attr:`SLOTS`, probing onward past other tokens' slots; when a probe finds no room, the slot
    idle longest is taken (that token starts again with a full bucket).  Each slot holds the token id,
    the bucket's level and when it was last updated, on the monotonic clock every process shares."""

    SLOTS = 1 << 14
    PROBES = 32

    def __init__(self, ctx: Any = None) -> None:
        import multiprocessing
        ctx = ctx or multiprocessing.get_context("spawn")
        self.lock = ctx.Lock()
        self.table = ctx.RawArray("d", 3 * self.SLOTS)  # token id (0 = free), level, last update

    def take(self, token_id: int, rate: float, burst: float, now: float) -> bool:
        """Take one request from the token's bucket; False when it is empty."""
        t = self.table
        with self.lock:
            slot, oldest = -1, -1
            for k in range(self.PROBES):
                i = 3 * ((token_id + k) % self.SLOTS)
                if t[i] == token_id:
                    slot = i
                    break
                if t[i] == 0 or oldest < 0 or t[i + 2] < t[oldest + 2]:
                    oldest = i
                if t[i] == 0:
                    break
            if slot < 0:
                slot = oldest
                t[slot], t[slot + 1], t[slot + 2] = token_id, burst, now
            level = min(burst, t[slot + 1] + (now - t[slot + 2]) * rate)
            ok = level >= 1
            t[slot + 1], t[slot + 2] = (level - 1 if ok else level), now
            return ok


_shared: SharedBuckets | None = None


def share_buckets(buckets: SharedBuckets | None) -> None:
    """Use ``buckets`` (shared with the other workers) for this process's rate limits."""
    global _shared
    _shared = buckets


def new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"sct_{prefix}_{secrets.token_urlsafe(32)}"


def create_user(db: Session, name: str, role: Role | str, agency: str | None) -> User:
    role = Role(role)
    if role == Role.CLERK and not agency:
        raise ForbiddenError("a clerk belongs to an agency", field="agency")
    u = User(name=name, role=str(role), agency=agency)
    db.add(u)
    db.flush()
    return u


def issue_token(db: Session, user: User) -> tuple[Token, str]:
    prefix, token = new_token()
    t = Token(user_id=user.id, prefix=prefix, hash=HASHER.hash(token))
    db.add(t)
    db.flush()
    return t, token


class TokenAuthenticator:
    def __init__(self, sessions: sessionmaker[Session], rate: float, burst: int, cache_seconds: float = 60,
                 recheck_seconds: float = 1.0) -> None:
        self.sessions = sessions
        self.rate, self.burst = rate, burst
        self.cache_seconds, self.recheck_seconds = cache_seconds, recheck_seconds
        self._cache: dict[bytes, tuple[float, Principal]] = {}
        self._checked: dict[bytes, float] = {}
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def authenticate(self, header: str | None) -> Principal:
        if not header:
            return PUBLIC
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.startswith("sct_") or token.count("_") < 2:
            raise AuthError("use 'Authorization: Bearer sct_...'")
        digest = hashlib.sha256(token.encode()).digest()
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit and now - hit[0] < self.cache_seconds and now - self._checked.get(digest, 0.0) < self.recheck_seconds:
            self._take(hit[1])  # verified, and its revocation was checked less than recheck_seconds ago
            return hit[1]
        with self.sessions() as db:
            if hit and now - hit[0] < self.cache_seconds:
                p = hit[1]
                revoked = db.execute(select(Token.revoked_at).where(Token.id == p.token_id)).scalar_one_or_none()
                if revoked is not None:
                    self._cache.pop(digest, None)
                    raise AuthError("token revoked", token_prefix=p.token_prefix)
                self._checked[digest] = now
            else:
                prefix = token.split("_")[1]
                row = db.execute(select(Token, User).join(User).where(Token.prefix == prefix)).first()
                if row is None:
                    raise AuthError("unknown token")
                tok, user = row
                try:
                    HASHER.verify(tok.hash, token)
                except VerificationError:
                    raise AuthError("unknown token") from None
                if tok.revoked_at is not None:
                    raise AuthError("token revoked", token_prefix=prefix)
                p = Principal(Role(user.role), user.id, user.name, user.agency, tok.id, prefix)
                self._cache[digest] = (now, p)
                self._checked[digest] = now
        self._take(p)
        return p

    def _take(self, p: Principal) -> None:
        """Token bucket per token: ``rate`` requests per second, bursts up to ``burst``."""
        assert p.token_id is not None
        now = time.monotonic()
        if _shared is not None:
            if not _shared.take(p.token_id, self.rate, float(self.burst), now):
                raise RateLimitedError(f"more than {self.rate:g} requests per second for this token",
                                       token_prefix=p.token_prefix)
            return
        with self._lock:
            level, last = self._buckets.get(p.token_id, (float(self.burst), now))
            level = min(float(self.burst), level + (now - last) * self.rate)
            if level < 1:
                self._buckets[p.token_id] = (level, now)
                raise RateLimitedError(f"more than {self.rate:g} requests per second for this token",
                                       token_prefix=p.token_prefix)
            self._buckets[p.token_id] = (level - 1, now)

    def revoke(self, db: Session, token_id: int) -> None:
        t = db.get(Token, token_id)
        if t is None:
            raise ForbiddenError(f"no token {token_id}")
        t.revoked_at = dt.datetime.now(dt.UTC)
        self._cache = {k: v for k, v in self._cache.items() if v[1].token_id != token_id}
