"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py` from the repository root.

Kept in deploy/, never as ./gunicorn.conf.py, which gunicorn loads by itself:
the tests, the benchmark and `make conformance` start gunicorn from the
repository root with their own options. Options on the command line win over
these, e.g. `--bind 0.0.0.0:8000` or `--workers 4`.
"""

import os

wsgi_app = "braze_scim.wsgi:application"
bind = ["127.0.0.1:8000"]  # behind a reverse proxy on the same host; --bind to listen elsewhere

# gthread workers, one per core, 4 threads each, with gunicorn's keep-alive (2 s): IdPs
# send their calls over reused connections, and a sync worker closes every connection
# after one response, which the next request pays for again. Measured against sync on
# the same requests: docs/performance.md#connections-and-the-worker-class. Each thread
# keeps its own database connection: workers x threads connections per host. The app
# keeps no state in process memory, so workers (and hosts) can be added freely.
worker_class = "gthread"
workers = os.cpu_count() or 1
threads = 4
timeout = 30
graceful_timeout = 30

# Logs to stdout/stderr for the process manager. The access log writes the path
# without the query string (%(U)s, not %(r)s) and no Referer, so a token pasted
# into a URL never reaches a log.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# gunicorn's runtime control socket (gunicornc) is not used.
control_socket_disable = True
