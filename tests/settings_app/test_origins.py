import pytest
from django.core.exceptions import ValidationError

from settings_app.services.origins import origin_matches, origin_normalise


@pytest.mark.parametrize(
    ("entered", "canonical"),
    [
        ("scim.example.com", "scim.example.com"),
        ("SCIM.Example.COM", "scim.example.com"),
        ("scim.example.com/", "scim.example.com"),
        ("https://idp.example.com", "https://idp.example.com"),
        ("HTTPS://IdP.Example.com/", "https://idp.example.com"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("  https://idp.example.com  ", "https://idp.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_valid_origins_are_normalised(entered, canonical):
    assert origin_normalise(entered) == canonical


@pytest.mark.parametrize(
    "entered",
    [
        "",
        "   ",
        "https://idp.example.com/scim",
        "https://idp.example.com?x=1",
        "https://idp.example.com#top",
        "ftp://idp.example.com",
        "https://user:pw@idp.example.com",
        "https://",
        "idp example.com",
        "-bad.example.com",
        "https://idp.example.com:99999",
        "a" * 300,
        "example.com/path",
    ],
)
def test_invalid_origins_are_refused(entered):
    with pytest.raises(ValidationError) as info:
        origin_normalise(entered)
    assert info.value.code == "invalid_origin"


@pytest.mark.parametrize(
    ("configured", "header", "expected"),
    [
        ("https://idp.example.com", "https://idp.example.com", True),
        ("https://idp.example.com", "HTTPS://IDP.EXAMPLE.COM/", True),
        ("https://idp.example.com", "http://idp.example.com", False),
        ("https://idp.example.com", "https://idp.example.com:8443", False),
        ("https://idp.example.com", "https://evil.example.com", False),
        ("https://idp.example.com", "", False),
        ("idp.example.com", "https://idp.example.com", True),
        ("idp.example.com", "http://idp.example.com/", True),
        ("idp.example.com", "IDP.example.com", True),
        ("idp.example.com", "https://idp.example.com.evil.test", False),
        ("idp.example.com", "not an origin", False),
        ("", "https://idp.example.com", False),
    ],
)
def test_origin_matching(configured, header, expected):
    assert origin_matches(configured, header) is expected
