"""Steps the browser tests share: signing in and driving the SCIM Provisioning page."""

import re

from tests.conftest import ADMIN_PASSWORD

PAGE_PATH = "/settings/admin/scim-provisioning/"
TOKEN_RE = re.compile(r"scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}")


def log_in(page, email):
    page.goto(PAGE_PATH)
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{PAGE_PATH}")


def fill_valid_settings(page):
    page.get_by_label("Default Workspace").select_option(label="Test Workspace")
    page.get_by_label("Service Origin").fill("https://idp.example.com")


def generate(page) -> str:
    page.get_by_role("button", name="Generate SCIM Token").click()
    token_element = page.get_by_test_id("scim-token")
    token_element.wait_for()
    return token_element.inner_text().strip()
