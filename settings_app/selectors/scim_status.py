"""What the SCIM page's status panel and `manage.py scim_status` show: one status object, each value's rule here.

The last request is the latest day's row of the daily count: the throttle's
one statement per request records it there (settings_app.services.rate_limit),
so reading it costs the page one query and a SCIM request nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from settings_app.models import Company, DashboardUser, ScimProvisioning, ScimRequestCount
from settings_app.services.enablement import ScimStatus, scim_status
from settings_app.services.ip_allowlist import ip_allowed, ip_allowlist_parse
from settings_app.services.rate_limit import scim_rate_limit, utc_day

NEVER_USED = "Never used"
NO_REQUEST = "None yet"


@dataclass(frozen=True)
class LastRequest:
    """The company's last authenticated SCIM request (its client address passed the IP allowlist)."""

    at: datetime.datetime
    method: str
    path: str  # never the query string
    client_ip: str  # "" when unknown


@dataclass(frozen=True)
class ScimStatusSummary:
    status: ScimStatus
    provisioning: ScimProvisioning | None
    last_request: LastRequest | None
    requests_today: int
    daily_limit: int
    users_active: int
    users_deactivated: int
    now: datetime.datetime

    @property
    def last_used(self) -> str:
        """ "Never used", or how long ago the last request was: "3 minutes ago", "now"."""
        if self.last_request is None:
            return NEVER_USED
        return str(naturaltime(self.last_request.at)).replace("\xa0", " ")

    @property
    def last_request_line(self) -> str:
        """Its method and path, "GET /scim/v2/Users", or "None yet"."""
        if self.last_request is None:
            return NO_REQUEST
        return f"{self.last_request.method} {self.last_request.path}"

    @property
    def last_request_time(self) -> str:
        """When the last request came, in UTC: "2026-12-06 10:02:03 UTC", or "" when there was none."""
        if self.last_request is None:
            return ""
        return self.last_request.at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @property
    def requests_today_line(self) -> str:
        """Today's (UTC) count against the daily limit: "1,204 of 5,000 today"."""
        return f"{self.requests_today:,} of {self.daily_limit:,} today"

    @property
    def users_line(self) -> str:
        """Provisioned users: "12 active, 3 deactivated"."""
        return f"{self.users_active:,} active, {self.users_deactivated:,} deactivated"


def scim_last_request(*, company: Company) -> tuple[LastRequest | None, datetime.date | None, int]:
    """The last request, the day of its row and that day's count (None, None, 0 before the first request)."""
    row = (
        ScimRequestCount.objects.filter(company=company)
        .order_by("-day")
        .values("day", "count", "last_request_at", "last_method", "last_path", "last_client_ip")
        .first()
    )
    if row is None:
        return None, None, 0
    last = None
    if row["last_request_at"] is not None:
        last = LastRequest(
            at=row["last_request_at"],
            method=row["last_method"],
            path=row["last_path"],
            client_ip=row["last_client_ip"],
        )
    return last, row["day"], row["count"]


def scim_status_summary(
    *, company: Company, provisioning: ScimProvisioning | None, now: datetime.datetime | None = None
) -> ScimStatusSummary:
    """The status panel of `company`, whose provisioning the caller has already read (None when not configured).

    Two queries: the latest daily-count row, and the company's users by
    active and deactivated (the users SCIM sees, however they were created).
    """
    now = now or timezone.now()
    last_request, day, count = scim_last_request(company=company)
    users = DashboardUser.objects.filter(company=company).aggregate(
        active=Count("pk", filter=Q(is_active=True)), deactivated=Count("pk", filter=Q(is_active=False))
    )
    return ScimStatusSummary(
        status=scim_status(provisioning),
        provisioning=provisioning,
        last_request=last_request,
        requests_today=count if day == utc_day(now) else 0,
        daily_limit=scim_rate_limit(provisioning),
        users_active=users["active"],
        users_deactivated=users["deactivated"],
        now=now,
    )


def _allows(ip_allowlist: str, address: str) -> bool:
    try:
        return ip_allowed(address, ip_allowlist_parse(ip_allowlist))
    except ValidationError:
        return False  # an unreadable saved allowlist refuses every address, as the gate does


def scim_allowlist_lockout(
    *, company: Company, provisioning: ScimProvisioning | None, ip_allowlist: str
) -> LastRequest | None:
    """The last accepted SCIM request when saving `ip_allowlist` would newly refuse its address, else None.

    The page asks for confirmation, naming the address, before such a save:
    the identity provider may still be calling from there. An allowlist that
    already refuses the address (a lockout confirmed before) asks nothing.
    """
    last, _, _ = scim_last_request(company=company)
    if last is None or not last.client_ip or _allows(ip_allowlist, last.client_ip):
        return None
    if provisioning is not None and not _allows(provisioning.ip_allowlist, last.client_ip):
        return None
    return last
