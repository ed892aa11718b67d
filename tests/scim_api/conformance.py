"""What the scim2-tester runs share: the pytest test (in-process) and `make conformance` (over loopback).

- userNames are emails here (Braze's login), which scim2-tester cannot learn
  from a schema: it is told to generate emails for them.
- A few failing results are known limitations of scim2-tester 0.5.2, not of
  the server (`known_false_alarm` says which and why); everything else that is
  ERROR, CRITICAL or DEVIATION counts as a failure.
"""

import collections
import uuid
from contextlib import contextmanager

import scim2_tester.checkers.patch_add
import scim2_tester.checkers.patch_replace
import scim2_tester.filling
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL, Status.DEVIATION}
PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
TAGS = {"discovery", "crud", "patch", "misc"}  # never exclude_tags: it also drops the discovery checks

# Read-only sub-attributes the server fills in (RFC 7643 §4.2 members.display; Braze's roles and
# workspaces under permissions). scim2-tester compares a PATCHed value with what comes back field
# by field, these included, and so reports the server's own additions as a mismatch.
SERVER_FILLED = {"display", "roles", "appGroup"}

_MODULES_USING_RANDOM_VALUES = (
    scim2_tester.filling,
    scim2_tester.checkers.patch_add,
    scim2_tester.checkers.patch_replace,
)


@contextmanager
def emails_as_user_names():
    """While open, scim2-tester generates email addresses for userName (it would send random UUIDs)."""
    generate = scim2_tester.filling.generate_random_value

    def generate_with_emails(context, path, *args, **kwargs):
        if str(path).lower().endswith("username"):
            return f"{uuid.uuid4().hex}@example.com"
        return generate(context, path, *args, **kwargs)

    for module in _MODULES_USING_RANDOM_VALUES:
        module.generate_random_value = generate_with_emails
    try:
        yield
    finally:
        for module in _MODULES_USING_RANDOM_VALUES:
            module.generate_random_value = generate


def _writable(value):
    if isinstance(value, list):
        return [_writable(item) for item in value]
    dumped = value.model_dump() if hasattr(value, "model_dump") else value
    if isinstance(dumped, dict):
        return {key: item for key, item in dumped.items() if key not in SERVER_FILLED}
    return dumped


def known_false_alarm(result) -> str | None:
    """Why a failing result is a known limitation of the checker rather than of the server, or None."""
    data = result.data if isinstance(result.data, dict) else {}
    urn = data.get("urn")
    actual = data.get("modify_actual", data.get("actual", data.get("actual_value")))
    if "expected" in data and _writable(data["expected"]) == _writable(actual):
        return "only read-only sub-attributes the server fills in differ"
    removing = result.title == "check_remove_attribute"
    if removing and urn == "permissions" and actual is not None and not actual.company_permissions:
        return "permissions removed: what is left (the Default Workspace, no permissions) is server-filled"
    if removing and urn == "active":
        # Every user is active or not. The published User schema does not mark `active` required,
        # so the checker tries to remove it; PATCH refuses (400 invalidValue).
        return "active cannot be unassigned: replace it with false to deactivate"
    return None


def run_checks(client) -> list:
    client.discover()
    with emails_as_user_names():
        return check_server(client, include_tags=TAGS)


def summary(results) -> tuple[str, list[str], list[str]]:
    """('N passed, M failed, K skipped', failing lines, skipped lines)."""
    failing = [
        f"{r.status.name} {r.resource_type} {r.title}: {r.reason}"
        for r in results
        if r.status in FAILING and known_false_alarm(r) is None
    ]
    skipped = [f"SKIPPED {r.resource_type} {r.title}: {r.reason}" for r in results if r.status == Status.SKIPPED]
    statuses = collections.Counter(r.status for r in results)
    passed = sum(statuses[status] for status in PASSING) + (sum(statuses[s] for s in FAILING) - len(failing))
    return f"{passed} passed, {len(failing)} failed, {len(skipped)} skipped", failing, skipped
