"""The dashboard in a real browser: change a lever, run, read the figures and the map, save, download.

Headless Chromium (Debian's `chromium`) is driven by Playwright with that
executable, so nothing is downloaded. The screenshots are kept in
results/dashboard/ for a person to look at.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.inputs.scenario import Scenario
from tests.e2e.serving import ROOT, copy_library, dashboard, regionsim

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "results" / "dashboard"
WAIT = 180_000  # ms: the first run also starts the process pool

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is in the dev extra: pip install -e '.[dev]'")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")


def type_into(page, label: str, value: str) -> None:
    """Type a value into a labelled text field and confirm it, as a user does."""
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")


def test_change_a_lever_run_read_and_save(tmp_path):
    """A new user's path through the page, with a second browser alongside keeping its own state."""
    folder = copy_library(tmp_path / "scenarios")
    command = regionsim(
        "dashboard", "--port", "0", "--scenarios", str(folder), "--cache", str(tmp_path / "cache"), "--workers", "2"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    with dashboard(command) as served, sync_api.sync_playwright() as playwright:
        address = served.address
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 2000}, accept_downloads=True)
        other = browser.new_page(viewport={"width": 1200, "height": 900})
        for each in (page, other):
            each.goto(address)
            each.get_by_text("1 · Scenario").wait_for(timeout=WAIT)

        # Change a lever: a strategy from the library, then a value the schema refuses, then a good one.
        page.get_by_role("button", name="Add strategy").click()
        type_into(page, "Firms per year", "5000")
        page.get_by_text("must be at most 1000 (got 5000)").first.wait_for()
        assert page.get_by_role("button", name="Run").is_disabled()
        type_into(page, "Firms per year", "5")
        page.get_by_label("Cooperation").click(force=True)
        page.get_by_role("option", name="joint").click()
        type_into(page, "Replicates", "2")
        type_into(page, "Window from", "2018")
        type_into(page, "Horizon", "2020")
        page.get_by_text("must be at most 1000").wait_for(state="detached")

        # The other browser still has the baseline as it opened.
        other.get_by_text("No strategy: add one below.").wait_for()

        # Run, and see the key numbers, the map and the figures appear.
        run = page.get_by_role("button", name="Run")
        run.wait_for()
        assert run.is_enabled()
        started = time.perf_counter()
        run.click()
        picture = page.locator("img.regionsim-map")
        picture.wait_for(timeout=WAIT)
        seconds = time.perf_counter() - started
        print(f"\nRun to updated charts (2 replicates, 2017-2020, cold pool): {seconds:.1f} s")
        page.get_by_text("net jobs").first.wait_for()
        assert page.locator(".regionsim-keys td", has_text="baseline_edited").count() == 1
        before = picture.get_attribute("src")
        slider = page.get_by_role("slider")
        slider.focus()
        slider.press("ArrowLeft")
        page.wait_for_function(
            "old => document.querySelector('img.regionsim-map').getAttribute('src') !== old", arg=before, timeout=WAIT
        )
        slider.press("ArrowRight")
        slider.blur()
        time.sleep(1.0)
        page.screenshot(path=str(SHOTS / "e2e.png"), full_page=True)

        page.get_by_role("tab", name="Difference").click()
        figures = page.locator(".regionsim-figure img")
        figures.nth(1).wait_for(timeout=WAIT)
        assert figures.count() == 2
        page.get_by_text("How many more (or fewer) population").wait_for()
        time.sleep(1.0)
        page.screenshot(path=str(SHOTS / "e2e-against-baseline.png"), full_page=True)

        # Keep it: save under a name, asked before replacing, and download the report.
        type_into(page, "Name (the file is scenarios/<name>.yaml)", "e2e_five_firms")
        page.get_by_role("button", name="Save as scenario").click()
        page.get_by_text(f"Saved {folder / 'e2e_five_firms.yaml'}").wait_for()  # outside the working folder
        saved = folder / "e2e_five_firms.yaml"
        first = saved.read_text(encoding="utf-8")
        page.get_by_role("button", name="Save as scenario").click()
        page.get_by_text("Replace the saved scenario?").wait_for()
        assert saved.read_text(encoding="utf-8") == first
        page.get_by_role("button", name="Replace").click()
        page.get_by_text("Replace the saved scenario?").wait_for(state="hidden")
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name="Download report").click()
        report = Path(download.value.path()).read_text(encoding="utf-8")

        # Compare mode: the saved scenario beside the baseline, from the cache at once.
        page.get_by_role("button", name="Compare saved").click()
        page.get_by_label("Saved scenarios to compare").click(force=True)
        page.get_by_role("option", name="e2e_five_firms").click()
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Run").click()
        page.locator(".regionsim-keys td", has_text="e2e_five_firms").wait_for(timeout=WAIT)
        page.get_by_role("tab", name="Net jobs & cost").click()
        page.locator(".regionsim-figure img").first.wait_for(timeout=WAIT)
        time.sleep(1.0)
        page.screenshot(path=str(SHOTS / "e2e-compare.png"), full_page=True)
        browser.close()
        output = "".join(served.output)

    checked = CliRunner().invoke(app, ["check", str(saved)])
    assert checked.exit_code == 0, checked.output
    scenario = Scenario.from_yaml(saved)
    assert scenario.name == "e2e_five_firms" and scenario.levers.cooperation == "joint"
    assert scenario.levers.strategies[0].firms_per_year == 5 and scenario.replicates == 2
    assert "baseline_edited" in report and "data:image/png;base64," in report
    assert (SHOTS / "e2e.png").stat().st_size > 50_000
    assert "Could not load URL" not in output and "Traceback" not in output  # offline, and no crash
