"""The SCIM IP allowlist: parsing what the admin typed, and checking a client address."""

import functools
import ipaddress
import re

from django.conf import settings
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


@functools.lru_cache(maxsize=8)
def _trusted_proxy_networks(entries: tuple[str, ...]) -> list[IpNetwork]:
    return ip_allowlist_parse(" ".join(entries))


# Parsing an address is most of resolving a client; the same few peers call again and again.
@functools.lru_cache(maxsize=1024)
def _valid_address(text: str) -> str | None:
    try:
        return str(_address(text.strip()))
    except ValueError:
        return None


def client_ip_resolve(*, remote_addr: str, forwarded_for: str = "") -> str | None:
    """The address of the client that made the request, or None when it cannot be told.

    REMOTE_ADDR is the peer of this server. X-Forwarded-For is believed only when
    that peer is one of settings.TRUSTED_PROXIES (addresses, CIDR blocks or
    ranges): anyone else can write whatever they like into the header. The header
    is walked from the right, skipping trusted hops, because each proxy appends
    the address it saw; the first untrusted address is the client. Entries to its
    left were written by the client itself and mean nothing.
    """
    remote = _valid_address(remote_addr or "")
    trusted = _trusted_proxy_networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None or not trusted or not ip_allowed(remote, trusted) or not forwarded_for.strip():
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _valid_address(hop)
        if address is None:
            # A garbled hop cannot be attributed to anyone: refuse to guess.
            return None
        client = address
        if not ip_allowed(address, trusted):
            break
    return client
