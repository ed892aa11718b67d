"""WSGI entry point (gunicorn braze_scim.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braze_scim.settings")

application = get_wsgi_application()

# What is loaded now (Django, the apps, and through the URLconf the views, DRF and the rest) lives as
# long as the worker. gc.freeze() takes those ~120,000 objects out of the cyclic collector's sight:
# a full collection, which a 100-user list page sets off every few dozen requests, no longer walks
# them all; it cost a fifth of that page's time. The URLconf is imported here rather than by the first
# request so that its modules are frozen too (and a broken one fails the boot, not a request).
get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
gc.freeze()
