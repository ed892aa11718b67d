"""Real Chromium through Playwright's sync API.

Debian's `chromium` package is used (found on PATH, or CHROMIUM_PATH):
Playwright's own browser download cannot work on these machines. Without a
chromium the browser tests are skipped, unless BROWSER_TESTS_REQUIRED=1 (CI),
which turns the skip into a failure.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then
# refuse ORM calls from the test body as "async unsafe". The calls are plain
# synchronous ones, so the guard is lifted for the browser tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
            pytest.fail(f"{message}, and BROWSER_TESTS_REQUIRED=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page_problems():
    """CSP violations and script errors seen by `page`; a test asserts this stays empty."""
    return []


@pytest.fixture
def page(browser_context, page_problems):
    page = browser_context.new_page()
    # Chromium reports a script, style or handler blocked by the CSP on the console.
    page.on(
        "console",
        lambda message: page_problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: page_problems.append(f"script error: {error}"))
    return page
