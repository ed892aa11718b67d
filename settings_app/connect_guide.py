"""What the SCIM Provisioning page's "How to connect" panel shows: base URL, headers, a curl to try.

The token is never part of it: the curl reads it from the `SCIM_TOKEN`
shell variable, so the command can be shown, copied and pasted anywhere.
"""

import json
import shlex
from dataclasses import dataclass

from settings_app.models import ScimProvisioning
from settings_app.services.scim_access import origin_header_required

TOKEN_PLACEHOLDER = "<token>"
TOKEN_VARIABLE = "SCIM_TOKEN"


@dataclass(frozen=True)
class Header:
    name: str
    value: str


@dataclass(frozen=True)
class ConnectGuide:
    base_url: str
    headers: tuple[Header, ...]  # what every request sends, the token as TOKEN_PLACEHOLDER
    curl: str  # searches for `example_email`; the token comes from $SCIM_TOKEN


def scim_connect_guide(*, provisioning: ScimProvisioning, base_url: str, example_email: str) -> ConnectGuide:
    headers = [Header("Authorization", f"Bearer {TOKEN_PLACEHOLDER}")]
    if origin_header_required(provisioning.method):
        headers.append(Header("X-Request-Origin", provisioning.service_origin))
    users_url = base_url.rstrip("/") + "/Users"
    search = f"filter=userName eq {json.dumps(example_email)}"  # a SCIM string is a JSON string
    lines = [
        f"curl -sS -G {shlex.quote(users_url)}",
        f'-H "Authorization: Bearer ${TOKEN_VARIABLE}"',
        *(
            f"-H {shlex.quote(f'{header.name}: {header.value}')}"
            for header in headers
            if header.name != "Authorization"
        ),
        f"--data-urlencode {shlex.quote(search)}",
    ]
    return ConnectGuide(base_url=base_url, headers=tuple(headers), curl=" \\\n  ".join(lines))
