"""The floors L1 and L2a, which the bench's ratios are measured against (L0 is /healthz).

- L1: the project's middleware, one primary-key SELECT of a user's `id` through
  `connection.cursor()`, and a constant JSON body: the least a request that reads
  the database costs.
- L2a: L1, then the request counted against the bench company's daily limit by
  the function the SCIM throttle calls, so with the same statement, committed the
  same way: the least a SCIM request can cost.

Served only by the bench's servers, through bench.settings and bench.urls.
"""

from functools import cache

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from settings_app.models import DashboardUser, ScimProvisioning
from settings_app.services.rate_limit import scim_request_count

# bench.seed's company, whose daily limit the seed raises out of the load's way.
BENCH_COMPANY_SLUG = "bench-company"
BODY = {"status": "ok"}


@cache
def _user_id() -> int:
    """A user to read: the first one, looked up once per process."""
    return DashboardUser.objects.order_by("pk").values_list("pk", flat=True)[0]


@cache
def _provisioning() -> ScimProvisioning:
    """The bench company's SCIM provisioning, loaded once per process (the gate reads it per request)."""
    return ScimProvisioning.objects.select_related("company").get(company__slug=BENCH_COMPANY_SLUG)


def _read_one_user_id() -> None:
    table = connection.ops.quote_name(DashboardUser._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s", [_user_id()])
        cursor.fetchone()


@never_cache
@require_GET
def l1(request):
    _read_one_user_id()
    return JsonResponse(BODY)


@never_cache
@require_GET
def l2a(request):
    _read_one_user_id()
    scim_request_count(
        provisioning=_provisioning(),
        now=timezone.now(),
        method=request.method,
        path=request.path,
        client_ip=request.META.get("REMOTE_ADDR"),
    )
    return JsonResponse(BODY)
