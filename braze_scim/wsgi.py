"""WSGI entry point (gunicorn braze_scim.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braze_scim.settings")

application = get_wsgi_application()
