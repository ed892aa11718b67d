"""Real Chromium through Playwright's sync API.

Debian's `chromium` package is used (found on PATH, or CHROMIUM_PATH):
Playwright's own browser download cannot work on these machines. Without a
chromium the browser tests are skipped, unless BROWSER_TESTS_REQUIRED=1 (CI),
which turns the skip into a failure.

Two kinds of page, kept apart:
- `page`: the site as a visitor gets it, CSP enforced; `page_problems` collects
  CSP violations and script errors, and tests assert it stays empty.
- `axe_page`: a context that bypasses the CSP and loads axe-core (the npm dev
  dependency `make setup-dev` installs) into every document, once at a desktop
  width and once at a phone width; `assert_accessible` runs axe on it.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import log_in

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
# WCAG 2.2 A and AA plus axe's best practices; only violations come back.
AXE_RUN = """
() => axe.run(document, {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
  resultTypes: ["violations"],
}).then(results => results.violations.map(violation =>
  `${violation.id}: ${violation.help} (${violation.nodes.map(node => node.target.join(" ")).join(", ")})`))
"""

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


def skip_unless_required(message: str):
    if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
        pytest.fail(f"{message}, and BROWSER_TESTS_REQUIRED=1")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        skip_unless_required("Debian's chromium is not installed (apt-get install chromium)")
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


@pytest.fixture
def signed_in(page, admin_user):
    """`page`, signed in as the company's admin, on the SCIM Provisioning page."""
    log_in(page, admin_user.email)
    return page


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        skip_unless_required("axe-core is not installed (make setup-dev runs npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(params=sorted(VIEWPORTS))
def axe_page(request, browser, live_server, axe_source):
    """A page at a desktop, then a phone width, with axe-core in every document it loads.

    Its context bypasses the CSP so the checker's script may run; CSP
    violations are the `page` fixture's business.
    """
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[request.param], bypass_csp=True)
    context.set_default_timeout(10_000)
    context.add_init_script(script=axe_source)
    yield context.new_page()
    context.close()


@pytest.fixture
def assert_accessible(axe_page):
    """Assert axe finds no violation on the page as it is now, and nothing is wider than the screen."""

    def check(state: str) -> None:
        violations = axe_page.evaluate(AXE_RUN)
        assert violations == [], f"{state}: {violations}"
        overflow = axe_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{state}: the page is {overflow}px wider than the window"

    return check
