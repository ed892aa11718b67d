"""Health endpoints for load balancers and orchestrators.

`/healthz` (liveness) answers without touching the database, so a database
outage does not get healthy workers restarted. `/readyz` (readiness) checks
that the database answers and that every migration is applied.
"""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Migrations are never un-applied under a running process, so once they are
# all in place the (comparatively costly) migration-graph check is skipped.
_migrations_applied = False


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@never_cache
@require_GET
def readyz(request):
    global _migrations_applied
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            pending = _pending_migrations(connection)
            if pending:
                return JsonResponse({"status": "unavailable", "reason": f"{pending} migrations pending"}, status=503)
            _migrations_applied = True
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "reason": "database unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
