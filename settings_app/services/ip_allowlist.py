"""The SCIM IP allowlist: parsing what the admin typed, and checking a client address."""

import ipaddress
import re

from django.core.exceptions import ValidationError

MAX_ENTRIES = 100

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SEPARATORS = re.compile(r"[\s,]+")


def _address(text: str) -> IpAddress:
    # ipaddress already refuses leading zeros, short forms (10.1) and hex octets.
    # A zone id (fe80::1%eth0) names a local interface and means nothing here.
    return ipaddress.ip_address(text.split("%", 1)[0])


def _parse_entry(entry: str) -> list[IpNetwork]:
    if "/" in entry:
        # strict: "10.0.0.5/24" is a typo more often than a wish for 10.0.0.0/24.
        return [ipaddress.ip_network(entry, strict=True)]
    if "-" in entry:
        first_text, _, last_text = entry.partition("-")
        first, last = _address(first_text), _address(last_text)
        if first.version != last.version:
            raise ValueError("a range must stay in one address family")
        if first > last:
            raise ValueError("a range must go from low to high")
        return list(ipaddress.summarize_address_range(first, last))
    address = _address(entry)
    return [ipaddress.ip_network(address)]


def ip_allowlist_entries(text: str) -> list[str]:
    """Split the admin's text into entries (commas and any white space separate)."""
    return [entry for entry in _SEPARATORS.split(text.strip()) if entry]


def ip_allowlist_parse(text: str) -> list[IpNetwork]:
    """Parse the allowlist into networks, or raise ValidationError naming every bad entry.

    Entries are addresses (IPv4 or IPv6), CIDR blocks (10.0.0.0/24) and ranges
    (10.0.0.1-10.0.0.50). An empty list means every address is allowed.
    """
    entries = ip_allowlist_entries(text)
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(
            "Enter at most %(max)d entries (use CIDR blocks or ranges to group addresses).",
            code="too_many_entries",
            params={"max": MAX_ENTRIES},
        )
    networks: list[IpNetwork] = []
    invalid: list[str] = []
    for entry in entries:
        try:
            networks.extend(_parse_entry(entry))
        except ValueError:
            invalid.append(entry)
    if invalid:
        raise ValidationError(
            "Not an IP address, CIDR block or low-high range: %(entries)s.",
            code="invalid_entry",
            params={"entries": ", ".join(invalid)},
        )
    return networks


def ip_allowed(address: str, networks: list[IpNetwork]) -> bool:
    """Is `address` inside any of `networks`? An empty allowlist allows everything."""
    if not networks:
        return True
    try:
        ip = _address(address)
    except ValueError:
        return False
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in networks)
