"""Browser tests: Playwright driving Debian's Chromium against a live remit.

Without Chromium they skip, saying why; with REMIT_REQUIRE_BROWSER=1 (CI) they fail instead.
A failing test leaves a screenshot in test-artifacts/.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("REMIT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# plain synchronous code, so Django's async-safety guard is relaxed for these tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("REMIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} and REMIT_REQUIRE_BROWSER=1")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []  # what the Content-Security-Policy blocked: every test fails on it
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot saved: {path}")
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"


def snapshot(page, name: str) -> None:
    """Keep a picture of a page the test reached (for people reviewing a change)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
