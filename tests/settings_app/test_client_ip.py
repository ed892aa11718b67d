import pytest

from settings_app.services.ip_allowlist import client_ip_resolve


@pytest.fixture(autouse=True)
def trusted(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        # An untrusted peer's header is ignored: anyone can write it.
        ("203.0.113.9", "10.1.1.1", "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
        ("192.0.2.1", "203.0.113.9", "203.0.113.9"),
        # Walked from the right, skipping trusted hops; the client's own entries to the left count for nothing.
        ("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.2.2.2, 192.0.2.1", "203.0.113.9"),
        # Every hop trusted: the leftmost is the client.
        ("10.0.0.5", "10.3.3.3, 10.2.2.2", "10.3.3.3"),
        ("10.0.0.5", " 2001:db8::1 ", "2001:db8::1"),
        # A garbled hop cannot be attributed to anyone.
        ("10.0.0.5", "203.0.113.9, not-an-ip", None),
        ("", "", None),
        ("garbage", "", None),
    ],
)
def test_client_ip(remote_addr, forwarded_for, expected):
    assert client_ip_resolve(remote_addr=remote_addr, forwarded_for=forwarded_for) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip_resolve(remote_addr="10.0.0.5", forwarded_for="203.0.113.9") == "10.0.0.5"
