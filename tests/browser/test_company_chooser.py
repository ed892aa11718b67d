"""A superuser picks the company on the chooser in real Chromium, at desktop and phone widths."""

import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

PAGE_PATH = "/settings/admin/scim-provisioning/"
CHOOSER_PATH = "/settings/admin/company/"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request, browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[request.param])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: page_problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: page_problems.append(f"script error: {error}"))
    yield page
    context.close()


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_superuser_chooses_a_company_then_switches(sized_page, superuser, company, company_factory, page_problems):
    company_factory(name="Acme", slug="acme", workspaces=("Acme Workspace",))
    page = sized_page
    page.goto(PAGE_PATH)
    page.get_by_label("Email").fill("Root@Example.com")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"**{CHOOSER_PATH}?next=**")
    page.get_by_role("heading", name="Choose a company").wait_for()
    assert fits_the_width(page)
    button = page.get_by_role("button", name="Open settings")
    assert button.is_visible()
    button.click()  # nothing chosen: the browser asks for a choice first (required)
    assert page.url.endswith(f"{CHOOSER_PATH}?next=%2Fsettings%2Fadmin%2Fscim-provisioning%2F")

    page.get_by_label("Company", exact=True).select_option(label="Demo Company")
    button.click()
    page.wait_for_url(f"**{PAGE_PATH}")
    assert page.get_by_test_id("operator-company").inner_text().startswith("Operator view of Demo Company")
    assert page.get_by_label("Default Workspace").locator("option", has_text="Production Workspace").count() == 1
    assert fits_the_width(page)

    page.get_by_role("link", name="Change company").click()
    page.wait_for_url(f"**{CHOOSER_PATH}?next=**")
    assert (
        page.get_by_label("Company", exact=True).evaluate("select => select.selectedOptions[0].text") == "Demo Company"
    )
    page.get_by_label("Company", exact=True).select_option(label="Acme")
    page.get_by_role("button", name="Open settings").click()
    page.wait_for_url(f"**{PAGE_PATH}")
    assert page.get_by_test_id("operator-company").inner_text().startswith("Operator view of Acme")
    assert page.get_by_label("Default Workspace").locator("option", has_text="Acme Workspace").count() == 1
    assert page_problems == []
