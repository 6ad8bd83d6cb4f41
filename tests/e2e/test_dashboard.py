"""The public dashboard in a real browser: charts, tables with suppressed cells, downloads, and keyboard
reachable links; a screenshot goes to docs/screenshots when SANCTUARY_SCREENSHOTS is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import serve, service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from sanctuary.api.app import create_app
    from sanctuary.reports.demo import record_year
    svc, sessions = service(tmp_path_factory.mktemp("dash"))
    record_year(svc, 2025, rows=900)
    url, server = serve(create_app(svc, sessions))
    yield url
    server.should_exit = True
    svc.ledger.close()


def test_dashboard_in_chromium(browser, site) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{site}/dashboard?year=2025")
    assert page.get_by_role("heading", level=1).inner_text().startswith("How Los Angeles agencies answered")
    assert page.locator("svg").count() >= 2
    table = page.locator("#by-agency + p.note + p + table")
    assert table.locator("tbody tr").count() >= 3
    assert page.locator("td.s").count() >= 1  # small cells are shown as suppressed, not as numbers
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download by-agency.csv").click()
    text = Path(dl.value.path()).read_text()
    assert text.startswith("agency,prohibited,review,permitted,required,total")
    # the first Tab from a fresh page lands on the first link, in document order
    page.goto(f"{site}/dashboard?year=2025")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "All years"
    if os.environ.get("SANCTUARY_SCREENSHOTS"):
        (ROOT / "docs" / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "dashboard.png"))
    pdf = page.request.get(f"{site}/dashboard.pdf?year=2025")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages)
    assert "Asks per month, by outcome" in text  # the chart's title: the SVG is in the PDF as vector text
    page.goto(f"{site}/v1/reports/truth-access?year=2025&format=html")
    assert "Gov. Code § 7283.1(c)" in page.content()
    page.close()
