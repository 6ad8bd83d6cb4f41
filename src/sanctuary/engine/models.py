"""The v1 request and decision contract (``../shared/DESIGN.md``), validated at the boundary.

Unknown keys are errors; every error names its field path (``subject.convictions[2].date``).
Three-valued facts are ``true``, ``false`` or absent/``null``/``"unknown"`` (unknown).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..errors import InputError


def _tri(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in ("unknown", ""):
        return None
    return v


_M = TypeVar("_M", bound=BaseModel)
TriBool = Annotated[bool | None, BeforeValidator(_tri)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=2000)


Authority = Literal["ice-ero", "ice-hsi", "cbp", "usms", "other-federal", "unknown"]
DocumentKind = Literal[
    "i-247a", "i-247d", "i-247n", "i-247x", "i-200", "i-205", "i-138", "i-862",
    "federal-arrest-warrant", "federal-search-warrant", "judicial-probable-cause-determination",
    "court-order", "judicial-subpoena", "none",
]
Signer = Literal["federal-judge", "federal-magistrate-judge", "state-judge", "immigration-officer", "unknown"]
OffenseBasis = Literal["federal-criminal-immigration", "federal-criminal-other", "civil-immigration", "unknown"]
AskKind = Literal[
    "hold", "notify-release", "transfer", "interview", "personal-info", "criminal-history", "status-info",
    "facility-access", "assist-operation", "arrest-civil-warrant", "task-force", "agreement", "data-share",
    "interpreter", "status-inquiry",
]
ASK_KINDS: tuple[str, ...] = AskKind.__args__  # type: ignore[attr-defined]
DOCUMENT_KINDS: tuple[str, ...] = DocumentKind.__args__  # type: ignore[attr-defined]
Level = Literal["felony", "misdemeanor", "infraction", "unknown"]
Finding = Literal[
    "personal-infliction-gbi", "personal-use-firearm", "personal-use-deadly-weapon", "first-degree-burglary",
    "non-accomplice-present", "gang-enhancement", "victim-minor",
]


class Document(_Strict):
    kind: DocumentKind
    signed_by: Signer = "unknown"
    offense_basis: OffenseBasis = "unknown"
    court: str | None = Field(None, description="issuing court as printed, e.g. 'United States District Court, C.D. Cal.'")
    grants_access: TriBool = Field(None, description="a court order that specifically grants access to the area (H&S 24251)")


Place = Literal["school", "library", "health-facility", "courthouse", "jail", "city-property", "county-property", "shelter"]
PersonalField = Literal["home-address", "work-address", "phone", "date-of-birth", "release-date", "probation-check-in",
                        "schedule", "photo", "other"]
Purpose = Literal["immigration-enforcement", "other"]


class _Detail(_Strict):
    place: Place | None = None


class FacilityDetail(_Detail):
    area: Literal["public", "nonpublic"] | None = None
    use: Literal["entry", "staging"] | None = Field(
        None, description="staging = a staging area, processing location or operations base (ED 17)")


class PersonalInfoDetail(_Detail):
    fields: list[PersonalField] = Field(default_factory=list, max_length=20)
    public: TriBool = Field(None, description="is the requested information available to the public?")
    parent_consent: bool | None = Field(None, description="written parent consent (Ed. Code 234.7)")


class DataShareDetail(_Detail):
    kind: Literal["alpr", "database-access", "bulk-records", "video"] | None = None


class AgreementDetail(_Detail):
    kind: Literal["287g", "dedicated-office-space", "detention-contract", "cross-designation"] | None = None


class TaskForceDetail(_Detail):
    primary_purpose: Purpose | None = None
    duties: Purpose | None = None
    ongoing: bool | None = None


class AssistDetail(_Detail):
    purpose: Literal["immigration-enforcement", "criminal-other", "unknown"] = "unknown"
    role: Literal["perimeter", "traffic-control", "arrest", "transport", "other"] | None = None
    border_search: bool | None = Field(
        None, description="an 8 U.S.C. 1357(a)(3) activity: warrantless border-area vehicle search or private-land access")


class StatusInquiryDetail(_Detail):
    """The agency itself asking a person about immigration status (extends the v1 vocabulary)."""

    purpose: Literal["u-t-visa-certification", "firearm-922d5", "city-service", "own-immigration-matter",
                     "employment", "other", "unknown"] = "unknown"


class InterviewDetail(_Detail):
    topic: Literal["civil-immigration", "criminal", "unknown"] = "unknown"


DETAILS: dict[str, type[_Detail]] = {
    "facility-access": FacilityDetail, "personal-info": PersonalInfoDetail, "data-share": DataShareDetail,
    "agreement": AgreementDetail, "task-force": TaskForceDetail, "assist-operation": AssistDetail,
    "interview": InterviewDetail, "status-inquiry": StatusInquiryDetail,
}


class Ask(_Strict):
    kind: AskKind
    detail: dict[str, Any] = Field(default_factory=dict, description="vocabulary per ask kind: see docs/schema and DETAILS")



class Conviction(_Strict):
    statute: str = Field(min_length=1, max_length=200)
    level: Level = "unknown"
    date: dt.date | None = None
    jurisdiction: Literal["california", "federal", "other-state"] = "california"
    reduced: Literal["prop47", "pc17b"] | None = None
    findings: list[Finding] | None = Field(
        None, description="record-of-conviction findings; null = not checked, [] = the record shows none")
    juvenile: bool = False


class PendingCharge(_Strict):
    statute: str = Field(min_length=1, max_length=200)
    level: Level = "unknown"
    magistrate_probable_cause: TriBool = None


class Subject(_Strict):
    in_custody: TriBool = None
    release_info_public: TriBool = None
    convictions: list[Conviction] = Field(default_factory=list, max_length=200)
    pending_charges: list[PendingCharge] = Field(default_factory=list, max_length=200)
    csar_registrant: TriBool = None
    federal_aggravated_felony: TriBool = None
    outstanding_federal_felony_warrant: TriBool = None
    prior_removal_after_aggravated_felony: TriBool = None
    victim_or_witness: TriBool = Field(None, description="a crime victim or witness not charged or convicted (PC 679.015)")
    hate_crime_victim_or_witness: TriBool = Field(None, description="PC 422.93(b)")
    status_proof_shown: TriBool = None
    preferred_language: str | None = Field(None, max_length=35)


class Context(_Strict):
    detected_during_unrelated_activity: TriBool = None
    exigent_circumstances: TriBool = None


NO_CONTEXT = Context()  # the default: one shared, frozen instance (no model built for each request without one)


class Request(_Strict):
    agency: str = Field(min_length=1, max_length=80)
    as_of: dt.date = Field(default_factory=dt.date.today)
    from_authority: Authority = "unknown"
    documents: list[Document] = Field(default_factory=list, max_length=50)
    asks: list[Ask] = Field(min_length=1, max_length=50)
    subject: Subject = Field(default_factory=Subject)
    context: Context = NO_CONTEXT
    regime: str = "la-2026"
    reference: str | None = Field(None, max_length=200, description="the agency's own case or booking number")

    @classmethod
    def parse(cls, data: Any) -> Request:
        """Validate, turning pydantic's errors into one :class:`InputError` with field paths."""
        if not isinstance(data, dict):
            raise InputError("a request must be a JSON/YAML object", field="")
        try:
            req = cls.__pydantic_validator__.validate_python(data)  # model_validate without its wrapper
        except ValidationError as e:
            raise _input_error([{"field": field_path(err["loc"]), "message": err["msg"], "type": err["type"]}
                                for err in e.errors()]) from None
        return req._with_details()

    @classmethod
    def parse_json(cls, raw: bytes | str) -> Request:
        """:meth:`parse` of a JSON text, read by pydantic itself (twice as fast as ``json.loads`` then
        :meth:`parse`).  Anything it refuses is parsed again the slow way, so that errors read the same.
        Raises ``ValueError`` when the text is not JSON at all."""
        try:
            req = cls.model_validate_json(raw)
        except ValidationError:
            return cls.parse(json.loads(raw))
        return req._with_details()

    def _with_details(self) -> Request:
        """Each ask's ``detail`` checked against the vocabulary of its kind, and normalised."""
        errors: list[dict[str, Any]] = []
        asks = []
        changed = False
        for i, a in enumerate(self.asks):  # the detail vocabulary depends on the ask kind
            if not a.detail:  # nothing to check, nothing to normalise
                asks.append(a)
                continue
            changed = True
            try:
                d = DETAILS.get(a.kind, _Detail).model_validate(a.detail)
            except ValidationError as e:
                errors += [{"field": field_path(("asks", i, "detail", *err["loc"])), "message": err["msg"],
                            "type": err["type"]} for err in e.errors()]
                continue
            asks.append(a.model_copy(update={"detail": d.model_dump(exclude_unset=True)}))
        if errors:
            raise _input_error(errors)
        return self.model_copy(update={"asks": asks}) if changed else self


def _input_error(errors: list[dict[str, Any]]) -> InputError:
    """One error for them all, named by the first (every one is in ``errors``)."""
    first = errors[0]
    return InputError(f"{first['field'] or 'request'}: {first['message']}", field=first["field"], errors=errors)


def field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# ------------------------------------------------------------------ decision (output)
_FIELDS: dict[type, tuple[tuple[str, ...], set[str]]] = {}  # a model's field names, in order and as a set


def _fields(cls: type) -> tuple[tuple[str, ...], set[str]]:
    spec = _FIELDS.get(cls)
    if spec is None:
        spec = _FIELDS[cls] = (tuple(cls.model_fields), set(cls.model_fields))
    return spec


def built(cls: type[_M], **values: Any) -> _M:
    """An output model from values the engine typed itself, every field given: what ``model_construct``
    does, without its per-field default handling (a contract test validates every kind of decision
    against the published schema).  Values are kept in field order, as validation keeps them, so that
    :func:`model_json` writes the fields in the order pydantic does."""
    order, names = _fields(cls)
    if tuple(values) != order:
        if values.keys() != names:
            raise TypeError(f"{cls.__name__}: fields {sorted(names ^ values.keys())} missing or unknown")
        values = {k: values[k] for k in order}
    return made(cls, values)


def made(cls: type[_M], values: dict[str, Any]) -> _M:
    """:func:`built` for a hot path whose caller writes ``values`` as a dict literal of every field in
    field order (not checked here, where it would cost a fifth of the saving: both pydantic and
    :func:`model_json` write a model's fields in its dict's order, and ``tests/unit/engine/test_contract.py``
    checks the engine's decisions against the model's order).  The fields-set is one set shared by every
    instance of the class: pydantic only ever adds to it, and every field name is already in it."""
    m = cls.__new__(cls)
    put = object.__setattr__
    put(m, "__dict__", values)
    put(m, "__pydantic_fields_set__", (_FIELDS.get(cls) or _fields(cls))[1])
    put(m, "__pydantic_extra__", None)
    put(m, "__pydantic_private__", None)
    return m


def _values(o: Any) -> dict[str, Any]:
    if isinstance(o, BaseModel):
        return o.__dict__
    raise TypeError(f"{type(o).__name__} is not JSON")


def model_json(m: BaseModel, exclude: str | None = None) -> bytes:
    """``m.model_dump_json(exclude={exclude})``, byte for byte, written by orjson over the models' own
    values (a decision: 8 against 32 microseconds).  Right for the models here, which have no aliases,
    serializers or excluded fields, and whose values are JSON types, dates and models (a test holds it
    to pydantic over every scenario case and sample request); anything else falls back to pydantic."""
    try:
        if exclude is None:
            return orjson.dumps(m, default=_values)
        return orjson.dumps({k: v for k, v in m.__dict__.items() if k != exclude}, default=_values)
    except TypeError:
        return m.model_dump_json(exclude={exclude} if exclude else None).encode()


class AskDecision(BaseModel):
    kind: str
    detail: dict[str, Any] = {}
    outcome: str
    citations: list[str]
    reason: str
    deciding_rule: str
    missing_facts: list[str] = []
    qualifying: str | None = None


class ObligationOut(BaseModel):
    kind: str
    text: str
    citation: str
    deadline: str | None = None
    condition: str | None = None


class InterpretationUsed(BaseModel):
    id: str
    question: str
    reading: str
    meaning: str
    default: bool


class Decision(BaseModel):
    decision_id: str
    agency: str
    as_of: dt.date
    regime: str
    regime_in_force: bool
    regime_label: str = ""
    law_version: str
    asks: list[AskDecision]
    obligations: list[ObligationOut]
    missing_facts: list[str]
    what_would_change: list[str]
    interpretations: list[InterpretationUsed]
    charges: list[dict[str, Any]] = []
    trace: dict[str, Any]
    receipt: dict[str, Any] | None = None


def request_schema() -> dict[str, Any]:
    """The request's JSON Schema, with the ``detail`` vocabulary of each ask kind under ``x-ask-details``."""
    schema = Request.model_json_schema()
    schema["x-ask-details"] = {k: m.model_json_schema() for k, m in sorted(DETAILS.items())}
    schema["x-ask-details"]["*"] = _Detail.model_json_schema()
    return schema
