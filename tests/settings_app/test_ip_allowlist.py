import ipaddress

import pytest
from django.core.exceptions import ValidationError

from settings_app.services.ip_allowlist import MAX_ENTRIES, ip_allowed, ip_allowlist_parse


def test_empty_allowlist_allows_everyone():
    assert ip_allowlist_parse("  \n ") == []
    assert ip_allowed("203.0.113.9", []) is True


def test_addresses_cidrs_and_ranges_separated_by_commas_and_whitespace():
    networks = ip_allowlist_parse("203.0.113.7, 10.0.0.0/24\n192.168.1.10-192.168.1.20  2001:db8::/32")
    assert ip_allowed("203.0.113.7", networks)
    assert not ip_allowed("203.0.113.8", networks)
    assert ip_allowed("10.0.0.255", networks)
    assert not ip_allowed("10.0.1.0", networks)
    assert ip_allowed("192.168.1.10", networks)
    assert ip_allowed("192.168.1.20", networks)
    assert not ip_allowed("192.168.1.21", networks)
    assert ip_allowed("2001:db8::1", networks)
    assert not ip_allowed("2001:db9::1", networks)


def test_range_is_summarised_exactly():
    networks = ip_allowlist_parse("10.0.0.1-10.0.0.50")
    covered = {str(ip) for network in networks for ip in network}
    assert covered == {f"10.0.0.{n}" for n in range(1, 51)}


def test_ipv4_mapped_ipv6_client_matches_ipv4_entry():
    networks = ip_allowlist_parse("10.0.0.0/8")
    assert ip_allowed("::ffff:10.1.2.3", networks)


def test_unparseable_client_address_is_not_allowed():
    assert ip_allowed("not-an-ip", [ipaddress.ip_network("10.0.0.0/8")]) is False


@pytest.mark.parametrize(
    "entry",
    [
        "10.0.0.5/24",  # host bits set
        "010.0.0.1",  # leading zero
        "10.1",  # short form
        "0x7f.0.0.1",  # hex
        "10.0.0.50-10.0.0.1",  # reversed range
        "10.0.0.1-2001:db8::1",  # mixed families
        "256.0.0.1",
        "example.com",
        "10.0.0.0/33",
    ],
)
def test_bad_entries_are_named_in_the_error(entry):
    with pytest.raises(ValidationError) as info:
        ip_allowlist_parse(f"10.0.0.1, {entry}")
    assert info.value.code == "invalid_entry"
    assert entry in info.value.messages[0]
    assert "10.0.0.1," not in info.value.messages[0]


def test_too_many_entries():
    text = ",".join(f"10.0.{n // 256}.{n % 256}" for n in range(MAX_ENTRIES + 1))
    with pytest.raises(ValidationError) as info:
        ip_allowlist_parse(text)
    assert info.value.code == "too_many_entries"
    assert len(ip_allowlist_parse(text.rsplit(",", 1)[0])) == MAX_ENTRIES
