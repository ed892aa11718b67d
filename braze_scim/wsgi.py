"""WSGI entry point (gunicorn braze_scim.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braze_scim.settings")

application = get_wsgi_application()

# What is loaded now (Django, the apps, and through the URLconf the views, DRF and the rest) lives as
# long as the worker. gc.freeze() takes it out of the cyclic collector's sight, so the full collections
# a list page sets off no longer walk it all (why and what it buys: docs/performance.md#gcfreeze).
# The URLconf is imported here rather than by the first request so that its modules are frozen too,
# and a broken one fails the boot, not a request.
get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
gc.freeze()
