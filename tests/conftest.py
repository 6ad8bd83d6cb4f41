from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared (the law file and public data) is not beside this checkout")
    return SHARED


@pytest.fixture
def base_request() -> dict:
    return {
        "agency": "lasd", "as_of": "2026-03-02", "from_authority": "ice-ero",
        "documents": [{"kind": "i-247a", "signed_by": "immigration-officer", "offense_basis": "civil-immigration"}],
        "asks": [{"kind": "notify-release"}],
        "subject": {"in_custody": True, "release_info_public": False, "csar_registrant": False,
                    "federal_aggravated_felony": False, "outstanding_federal_felony_warrant": False},
    }
