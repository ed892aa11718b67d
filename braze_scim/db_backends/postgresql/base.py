"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

The settings choose it for a postgres:// DATABASE_URL (braze_scim/settings.py).

With CONN_HEALTH_CHECKS, Django checks a reused connection before the first
query of each request by running `SELECT 1`: a round trip and a statement for
the server on every request (docs/performance.md, "Health check"). Without any check, the first request after a
database restart or a network cut fails on its worker's dead connection.

The check here asks the socket instead. An idle connection that is healthy has
nothing to read; one the server closed (restart, `pg_terminate_backend`,
idle-session timeout) or the network reset has its termination message or EOF
waiting. So a poll that finds nothing means usable, at the cost of one
non-blocking system call; when something is waiting, Django's own `SELECT 1`
check decides (it fails on a dead connection and reads any stray message on a
live one).
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed or self.connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            waiting = poller.poll(0)
        except (OSError, ValueError):  # the socket itself is gone
            return False
        return not waiting or super().is_usable()
