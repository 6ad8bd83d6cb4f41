"""pytest plugin: collects scenario cases (``cases/*.yaml`` in law packs and ``tests/cases``).

A case file has optional ``defaults`` (deep-merged into every case's request) and ``cases``::

    defaults: {agency: lasd, from_authority: ice-ero, subject: {in_custody: true}}
    cases:
      - name: A hold request is refused even with a murder conviction (T01)
        request: {as_of: 2019-06-01, asks: [{kind: hold}], subject: {convictions: [...]}}
        expect:
          - {outcome: prohibited, cites: ["Gov. Code § 7284.6(a)(1)(B)"]}
        obligations: [serve-copy-of-request]       # kinds that must be present
        no_obligations: [written-release-notice]   # kinds that must be absent
        missing: ["PC 872"]                         # substrings of missing_facts
        interpretations: {7282.5b-transfer: notification-and-transfer}
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


PACKS = Path(__file__).resolve().parents[1] / "law" / "packs"


def scenario_cases(*roots: Path) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """``(name, request, interpretations)`` of every scenario case under ``roots`` (default: the law packs),
    the request merged with its file's defaults and made JSON-plain (dates as ISO text)."""
    out = []
    for root in roots or (PACKS,):
        for f in sorted(root.rglob("cases/*.yaml")) + sorted(root.glob("*.yaml")):
            doc = yaml.safe_load(f.read_text())
            for c in doc["cases"]:
                req = json.loads(json.dumps(deep_merge(doc.get("defaults", {}), c.get("request", {})), default=str))
                out.append((c["name"], req, c.get("interpretations") or {}))
    return out


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        doc = yaml.safe_load(self.path.read_text())
        defaults = doc.get("defaults", {})
        for case in doc["cases"]:
            yield CaseItem.from_parent(self, name=case["name"], case=case, defaults=defaults)


class CaseFailure(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case: dict[str, Any], defaults: dict[str, Any], **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case
        self.defaults = defaults

    def runtest(self) -> None:
        from sanctuary.engine.decide import DecisionEngine
        case = self.case
        req = deep_merge(self.defaults, case.get("request", {}))
        d = DecisionEngine(interpretations=case.get("interpretations")).decide(req)
        problems: list[str] = []
        for i, exp in enumerate(case.get("expect", [])):
            exp = {"outcome": exp} if isinstance(exp, str) else exp
            got = d.asks[i]
            if got.outcome != exp["outcome"]:
                problems.append(f"ask[{i}] {got.kind}: expected {exp['outcome']}, got {got.outcome} ({got.reason} "
                                f"{got.citations} missing={got.missing_facts})")
            for c in exp.get("cites", []):
                if c not in got.citations:
                    problems.append(f"ask[{i}] {got.kind}: citation {c!r} not in {got.citations}")
            if "rule" in exp and got.deciding_rule != exp["rule"]:
                problems.append(f"ask[{i}] {got.kind}: deciding rule {got.deciding_rule}, expected {exp['rule']}")
            if not got.citations:
                problems.append(f"ask[{i}] {got.kind}: no citation")
        kinds = {o.kind for o in d.obligations}
        for k in case.get("obligations", []):
            if k not in kinds:
                problems.append(f"obligation {k!r} missing; got {sorted(kinds)}")
        for k in case.get("no_obligations", []):
            if k in kinds:
                problems.append(f"obligation {k!r} present but should not be")
        for m in case.get("missing", []):
            if not any(m in x for x in d.missing_facts):
                problems.append(f"missing fact containing {m!r} not in {d.missing_facts}")
        for k, v in case.get("interpretations_used", {}).items():
            used = {i.id: i.reading for i in d.interpretations}
            if used.get(k) != v:
                problems.append(f"interpretation {k}: expected {v}, got {used.get(k)}")
        if problems:
            raise CaseFailure("\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.path.name}: {self.name}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"
