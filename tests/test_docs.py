"""Docs stay true: every setting documented, published schemas match the models, README commands."""

from __future__ import annotations

import json
from pathlib import Path

from sanctuary.engine.models import Decision, request_schema
from sanctuary.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    for s in SETTINGS:
        assert f"`SANCTUARY_{s.name.upper()}`" in text, s.name


def test_published_schemas_are_current() -> None:
    for schema, name in ((request_schema(), "request"), (Decision.model_json_schema(), "decision")):
        published = json.loads((ROOT / "docs" / "schema" / f"{name}.schema.json").read_text())
        assert published == schema, f"regenerate: sanctuary schema {name} > docs/schema/{name}.schema.json"


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n## ", 2)[:2]
    text = "\n".join(head)
    assert "make run" in text and "make test" in text
