"""What a rule reads, so that its answer can be reused wherever those reads come out the same.

:class:`RecordingFacts` is a :class:`~sanctuary.engine.facts.Facts` that notes every fact a rule
consults, as a token:

- ``("subject", name)`` and ``("context", name)``: a field of the request's subject or context;
- ``("req", name)``: a field read from the request itself;
- ``("verdict", kind, field)``: a field of the verdict on an ask of that kind (obligation rules);
- ``("gate", purpose, field)``: a field of the Gov. Code § 7282.5 gate for ``notify`` or ``transfer``
  (its value, citations, qualifying record or reasons; the gate reads the person's record quietly: its
  own result stands for what it read);
- ``AS_OF``: the request's day itself (the engine picks the rules in force without reading it), and
  ``YEAR``, its year alone;
- ``RECORDS``: the person's convictions or pending charges, read outside the gate.

**Holes.**  With ``holes`` on (the scalar engine's memo), a rule that reads the gate's qualifying record
-- "PC 187(a), 2019 felony (7282.5(a)(1))", which differs from person to person -- gets a :class:`Hole`
in its place, a marker standing for "this request's qualifying record for that purpose", and the read is
noted as ``("gate", purpose, "named")`` (only that there is one).  The answer, reason text and all, then
holds for every request whose gate agrees on the rest; :func:`fill` puts each request's own record into
the holes before the decision leaves the engine.  A hole may be formatted into text, concatenated,
joined or passed on; anything that looks at its content (``in``, ``len``, a comparison with another
string, a method such as ``startswith``, a format spec) raises :class:`ConcreteRead`, and the engine
evaluates the rule again without holes, keyed on the record itself.

A reading of unsettled law taken outside the gate is noted in ``readings``, so that a reused answer
can report it again.  The recorder is sound for any pack: every way a rule can see the request goes
through a noted read.  Used by the scalar engine's ask memo (:mod:`sanctuary.engine.decide`) and by the
batch engine (:mod:`sanctuary.whatif.batch`).
"""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from operator import attrgetter
from typing import Any

from .facts import Facts, put_bounded
from .models import made

AS_OF = ("as_of",)
YEAR = ("year",)
RECORDS = ("records",)
Token = tuple[str, ...]

MARK = "\ue000"  # a private-use character: starts every hole's marker
_NONCE = secrets.token_hex(8)  # per process, so that no text a request carries can spell a marker


class ConcreteRead(BaseException):
    """A rule looked at the content of a :class:`Hole`.  A ``BaseException``, so that a rule's own
    ``except Exception`` cannot swallow it: the engine catches it and evaluates the rule without holes."""


class Hole(str):
    """The marker that stands for a request's 7282.5 qualifying record for ``purpose`` (see the module's
    docstring): a string that may be carried into text but not inspected."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True  # a hole stands only for a non-empty record (the key notes that there is one)

    def __str__(self) -> str:
        return str.__str__(self)  # a plain copy of the marker

    def __format__(self, spec: str) -> str:
        if spec:
            raise ConcreteRead("format spec")
        return str.__str__(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str) and not str.startswith(other, MARK):
            raise ConcreteRead("==")  # a rule comparing the record with some text
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    __hash__ = str.__hash__

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        raise ConcreteRead(name)  # str's methods: startswith, split, lower, ...

    def _concrete(self, *_: Any) -> Any:
        raise ConcreteRead("content")

    __contains__ = __len__ = __iter__ = __getitem__ = __lt__ = __le__ = __gt__ = __ge__ = _concrete  # type: ignore[assignment]
    __mod__ = __rmod__ = __mul__ = __rmul__ = __repr__ = _concrete  # type: ignore[assignment]


def hole(purpose: str) -> Hole:
    """The marker of ``purpose``'s qualifying record (one per purpose and process)."""
    got = _HOLES.get(purpose)
    if got is None:
        got = _HOLES[purpose] = Hole(f"{MARK}{_NONCE}:{purpose}\ue001")
    return got


_HOLES: dict[str, Hole] = {}


def cite_holes(purpose: str, n: int) -> tuple[Hole, ...]:
    """``n`` markers standing for the ``n`` provision ids a 7282.5 gate for ``purpose`` cites (the batch
    engine's templates, :mod:`sanctuary.whatif.batch`).  A plain tuple of the right length, so that its
    length and a comparison with a tuple of another length are exact; anything that compares or inspects
    one of its ids raises :class:`ConcreteRead`."""
    return tuple(hole(f"cites:{purpose}:{i}") for i in range(n))


def fill(value: Any, subs: dict[str, str]) -> Any:
    """A string, or a list or tuple of them (nested), with every hole (``subs``: marker -> the record)
    filled; what holds no marker is returned as it is (the memo's parts stay shared).  Raises
    :class:`ConcreteRead` when filling makes two strings of one list equal: the engine merges equal
    texts (missing facts, what would change), so it would have merged those two."""
    if isinstance(value, str):
        plain = str.__str__(value)
        return _fill_str(plain, subs) if MARK in plain else value
    items = [fill(v, subs) for v in value]
    if all(a is b for a, b in zip(items, value, strict=True)):
        return value
    texts = [str.__str__(v) for v in value if isinstance(v, str)]
    if texts and len(set(texts)) != len({v for v in items if isinstance(v, str)}):
        raise ConcreteRead("two texts filled alike")
    return type(value)(items)


def marked(value: Any) -> bool:
    """Whether a string, or a list or tuple of them, holds a hole (``None`` holds none)."""
    if not value:
        return False
    kind = type(value)
    if kind is str:
        return MARK in value
    if kind is Hole:
        return True
    return (kind is list or kind is tuple) and any(MARK in v if type(v) is str else type(v) is Hole for v in value)


# Where the holes are: (key or index or a model's field, what under it) pairs; None: fill it all.  Nested
# tuples of plain values, so that the garbage collector stops tracking them (a memo keeps thousands).
Plan = tuple[tuple[Any, "Plan | None"], ...]


def frozen(plan: dict[Any, Any] | None) -> Plan | None:
    """A plan built as nested dicts, as nested tuples."""
    return None if plan is None else tuple((k, frozen(v)) for k, v in plan.items())


def fill_at(value: Any, plan: Plan | None, subs: dict[str, str]) -> Any:
    """``value`` with the holes ``plan`` points at filled (see :func:`fill`): copied along those paths
    only, every other part shared as it is.  (On the memo's hit path: kept to plain loops and copies.)"""
    if plan is None:
        return fill(value, subs)
    kind = type(value)
    if kind is dict:
        new = value.copy()
    elif kind is list or kind is tuple:
        new = list(value)
    else:
        new = value.__dict__.copy()  # a model made in field order (built or made): the copy keeps it
    for k, sub in plan:
        v = new[k]
        if sub is None and type(v) is str:  # a leaf that is one text (most are): filled here
            new[k] = _fill_str(v, subs) if MARK in v else v
        else:
            new[k] = fill_at(v, sub, subs)
    if kind is dict or kind is list:
        return new
    return tuple(new) if kind is tuple else made(kind, new)


def _fill_str(text: str, subs: dict[str, str]) -> str:
    for marker, record in subs.items():
        text = text.replace(marker, record)
    return text


class _Reads:
    """A read-only view of the request, its subject or context, a verdict or the gate, that notes each
    field read (as ``(*prefix, name)``).  The gate's ``value`` is itself such a view, its fields noted as
    ``("gate", purpose, "value.<field>")``: a rule that asks only whether the gate is met is not keyed on
    why (``because``: which provisions the qualifying record meets)."""

    __slots__ = ("_dot", "_facts", "_obj", "_prefix")

    def __init__(self, obj: Any, facts: RecordingFacts, *prefix: str, dot: str = "") -> None:
        self._obj, self._facts, self._prefix, self._dot = obj, facts, prefix, dot

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        f = self._facts
        if not f.quiet:
            prefix = self._prefix
            if prefix[0] == "gate" and not self._dot:
                if name == "value":
                    return _Reads(value, f, *prefix, dot="value.")
                if name == "qualifying" and f.holes and value:
                    f.read.add(("gate", prefix[1], "named"))
                    return hole(prefix[1])
            f.read.add(AS_OF if prefix == ("req",) and name == "as_of" else (*prefix, self._dot + name))
        return value


class _VerdictReads(Mapping[str, Any]):
    """The verdicts by ask kind an obligation reads, noting each verdict field read as
    ``("verdict", kind, field)``.  Which kinds are present is the memo's context (the asks)."""

    def __init__(self, verdicts: dict[str, Any], facts: RecordingFacts) -> None:
        self._verdicts, self._facts = verdicts, facts

    def __getitem__(self, kind: str) -> Any:
        return _Reads(self._verdicts[kind], self._facts, "verdict", kind)

    def __iter__(self) -> Iterator[str]:
        return iter(self._verdicts)

    def __len__(self) -> int:
        return len(self._verdicts)


class RecordingFacts(Facts):
    """:class:`Facts` that notes what the rules read in ``read`` (tokens, see the module's docstring);
    with ``holes``, the gate's qualifying record is read as a :class:`Hole`."""

    holes = False

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.read: set[Token] = set()
        self.readings: dict[str, str] = {}
        self.quiet = 0
        self.subject = _Reads(self.subject, self, "subject")  # type: ignore[assignment]
        self.context = _Reads(self.context, self, "context")  # type: ignore[assignment]
        self.req = _Reads(self.req, self, "req")  # type: ignore[assignment]

    def recording(self, verdicts: dict[str, Any]) -> Mapping[str, Any]:
        """``verdicts`` as an obligation rule should see them, their reads noted."""
        return _VerdictReads(verdicts, self)

    @property  # type: ignore[override]
    def as_of(self) -> Any:
        if not self.quiet:
            self.read.add(AS_OF)
        return self._as_of

    @as_of.setter
    def as_of(self, day: Any) -> None:
        self._as_of = day

    @property
    def year(self) -> int:
        if not self.quiet:
            self.read.add(YEAR)
        return self._as_of.year

    def reading(self, interpretation_id: str) -> str:
        value = super().reading(interpretation_id)
        if not self.quiet:
            self.readings[interpretation_id] = value
        return value

    def _record(self, name: str) -> Any:
        """The person's record, computed once and quietly (the gate reads it too)."""
        if not self.quiet:
            self.read.add(RECORDS)
        got = self.__dict__.get(f"_{name}")
        if got is None:
            self.quiet += 1
            try:
                got = self.__dict__[f"_{name}"] = getattr(Facts, name).func(self)
            finally:
                self.quiet -= 1
        return got

    @property  # type: ignore[override]
    def convictions(self) -> Any:
        return self._record("convictions")

    @property  # type: ignore[override]
    def pending(self) -> Any:
        return self._record("pending")

    def trust_gate(self, purpose: str) -> Any:
        """The gate, read through a view that notes which of its fields the rule looks at."""
        self.quiet += 1
        try:
            gate = super().trust_gate(purpose)
        finally:
            self.quiet -= 1
        return gate if self.quiet else _Reads(gate, self, "gate", purpose)


# The request's fields every memo's context holds (so a rule reading them is not keyed on them); the
# decision and obligation memos hold every ask too (WITH_ASKS), the ask memo only the ask decided
CONTEXT_FIELDS = frozenset({"agency", "from_authority", "documents", "regime"})
WITH_ASKS = CONTEXT_FIELDS | {"asks"}
MEMO_LIMIT = 5_000  # answers kept per memo (a decision's is about 10 KB with its trace); the oldest go first


def _NOTHING(f: Facts) -> tuple[()]:  # noqa: N802 -- the reader of an empty pattern
    return ()


def _reader(tokens: tuple[Token, ...]) -> Callable[[Facts], Any] | None:
    """How to read the values of ``tokens`` from plain :class:`Facts`, in as few calls as possible (one
    ``attrgetter`` for the fields, one per gate and per verdict read); ``None`` when the memo cannot key
    on one of them."""
    fields: list[str] = []
    of: dict[tuple[str, str], list[str]] = {}  # ("gate", purpose) or ("verdict", kind) -> its fields read
    for t in tokens:
        if t in (AS_OF, YEAR):
            fields.append(t[0])
        elif t[0] in ("subject", "context") and t[1] not in ("convictions", "pending_charges"):
            fields.append(f"{t[0]}.{t[1]}")
        elif t[0] in ("gate", "verdict"):
            of.setdefault((t[0], t[1]), []).append(t[2])
        else:
            return None
    parts: list[Callable[[Facts], Any]] = [attrgetter(*fields)] if fields else []
    if not parts and not of:
        return _NOTHING
    for (scope, which), names in of.items():
        get = attrgetter(*names)
        if scope == "gate":
            parts.append(lambda f, get=get, which=which: get(f.trust_gate(which)))
        else:
            parts.append(lambda f, get=get, which=which: get(f.verdicts[which]))
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda f: (a(f), b(f))
    if len(parts) == 3:
        a, b, c = parts
        return lambda f: (a(f), b(f), c(f))
    return lambda f: tuple(part(f) for part in parts)


class Seen:
    """What the rules of one decision read (tokens) and the readings they took outside the gate."""

    __slots__ = ("readings", "tokens")

    def __init__(self) -> None:
        self.tokens: set[Token] = set()
        self.readings: dict[str, str] = {}


class Memo:
    """Answers by context (for an ask: agency, requester, documents, ask kind and detail, era of the
    law; for a decision or its obligations: the same with every ask) and by the values of what the rules
    read.  A context can hold several patterns of reads (a rule reads more facts on some paths than on
    others); an answer is found under the first pattern whose values it matches -- sound because a rule
    that reads the same values takes the same path.  The latest ``limit`` answers are kept."""

    def __init__(self, context: frozenset[str] = CONTEXT_FIELDS, limit: int = MEMO_LIMIT) -> None:
        self.context = context  # the request fields the context holds (a rule reading them is not keyed on them)
        self.limit = limit
        self._patterns: OrderedDict[tuple[Any, ...], tuple[tuple[tuple[Token, ...], Callable[[Facts], Any], int], ...]] = OrderedDict()
        self._numbers = itertools.count()
        self._answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._answers)

    def find(self, ctx: tuple[Any, ...], f: Facts) -> tuple[tuple[Token, ...], Any] | None:
        """(the pattern it was found under, the answer), or ``None``."""
        for pattern, values, number in self._patterns.get(ctx, ()):
            got = self._answers.get((ctx, number, values(f)))
            if got is not None:
                self.hits += 1
                return pattern, got
        return None

    def remember(self, ctx: tuple[Any, ...], read: set[Token], answer: Any, f: Facts) -> bool:
        """Keep ``answer`` under what was read (as ``f``'s values); ``False`` when it cannot be keyed.
        The key holds the pattern by its number (hashing a number is cheaper than hashing the tokens on
        every lookup; a pattern let go with its context and seen again gets a new one)."""
        tokens = tuple(sorted(t for t in read if not (t[0] == "req" and t[1] in self.context)))
        known = self._patterns.get(ctx, ())
        same = next((p for p in known if p[0] == tokens), None)
        values = same[1] if same is not None else _reader(tokens)
        if values is None:
            return False
        number = same[2] if same is not None else next(self._numbers)
        key = (ctx, number, values(f))
        try:
            hash(key)
        except TypeError:
            return False
        if same is None:  # copy on write: a reader in another thread sees either
            put_bounded(self._patterns, ctx, self.limit, (*known, (tokens, values, number)))
        put_bounded(self._answers, key, self.limit, answer)
        return True
