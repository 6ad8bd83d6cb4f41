"""Every error Sanctuary raises, under one root.

::

    SanctuaryError
    ├── InputError                  bad request data; names the field path
    │   └── UnknownAgencyError      lists the valid agency ids
    ├── LawPackError                a law pack cannot be loaded; names file and key
    │   └── CitationError           a rule cites a provision that does not exist
    ├── DecisionError
    │   ├── RuleConflictError       two rules apply with no stated priority
    │   └── NoApplicableRuleError   no rule and no cited default for an ask
    ├── OffenseError                catalog could not be built or read
    └── LedgerError
        ├── IntegrityError          a stored record or node does not match its hash
        └── ProofError              a proof does not verify

Each error has a stable ``code``, an HTTP ``status`` and ``diagnostics()``.
"""

from __future__ import annotations

from typing import Any


class SanctuaryError(Exception):
    """Root of every Sanctuary error."""

    code = "sanctuary_error"
    status = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def diagnostics(self) -> dict[str, Any]:
        """The canonical JSON error shape (also used by the API)."""
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class InputError(SanctuaryError):
    """A request, file or argument is malformed. ``field`` names the path, e.g. ``subject.convictions[2].date``."""

    code = "invalid_input"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, field=field, errors=errors or [{"field": field, "message": message}])
        self.field = field
        self.errors = errors or [{"field": field, "message": message}]


class UnknownAgencyError(InputError):
    code = "unknown_agency"

    def __init__(self, agency: str, valid: list[str]) -> None:
        super().__init__(
            f"unknown agency {agency!r}; valid agency ids: {', '.join(valid)}", field="agency"
        )
        self.details["valid"] = valid


class LawPackError(SanctuaryError):
    code = "law_pack_error"
    status = 500

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        where = ": ".join(x for x in (file, key) if x)
        super().__init__(f"{where}: {message}" if where else message, file=file, key=key)


class CitationError(LawPackError):
    code = "citation_error"


class DecisionError(SanctuaryError):
    code = "decision_error"


class RuleConflictError(DecisionError):
    code = "rule_conflict"

    def __init__(self, ask: str, layer: str, rule_ids: list[str]) -> None:
        super().__init__(
            f"rules {', '.join(rule_ids)} both apply to {ask!r} in layer {layer!r} with no stated priority",
            ask=ask, layer=layer, rules=rule_ids,
        )


class NoApplicableRuleError(DecisionError):
    code = "no_applicable_rule"

    def __init__(self, ask: str, as_of: str) -> None:
        super().__init__(f"no rule and no cited default decides {ask!r} on {as_of}", ask=ask, as_of=as_of)


class OffenseError(SanctuaryError):
    code = "offense_error"


class LedgerError(SanctuaryError):
    code = "ledger_error"


class IntegrityError(LedgerError):
    code = "ledger_integrity"


class ProofError(LedgerError):
    code = "ledger_proof"
