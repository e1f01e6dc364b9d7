"""Browser tests: Playwright drives Debian's Chromium against the app served from this process.

Marked ``browser``; skipped (with the reason in the summary) when ``/usr/bin/chromium`` is missing.
A failing browser test leaves a screenshot under ``tests/output/screenshots/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import served

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
SKIP_REASON = f"browser tests skipped: Chromium not found at {CHROMIUM} (apt-get install chromium)"


def has_chromium() -> bool:
    return os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    if has_chromium():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    browser_tests = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(r.longrepr)]
    if browser_tests:
        terminalreporter.write_line(f"{len(browser_tests)} {SKIP_REASON}", yellow=True, bold=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (one Playwright per process)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(session_app):
    """The app on a free loopback port, served from a thread of the test process (same test database)."""
    with served(session_app) as url:
        yield url


@pytest.fixture
def page(request, app, browser, live_server):
    """A fresh browser tab (English, desktop width) on the live server; a screenshot if the test fails."""
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def axe_violations():
    """``axe_violations(page)`` -> the serious and critical axe-core violations of the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(tab) -> list[dict]:
        results = axe.run(tab)
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check
