"""The WSGI entry point gunicorn loads: the app, its URLconf imported, and all of it frozen for the GC."""

import json
import os
import subprocess
import sys

from tests.project.test_deploy_settings import PRODUCTION_ENV, PROJECT_ROOT

LOAD_AND_REPORT = """
import gc, json, sys
from braze_scim.wsgi import application
print(json.dumps({"frozen": gc.get_freeze_count(), "views_loaded": "scim_api.views" in sys.modules,
                  "app": type(application).__name__}))
"""


def test_loading_the_app_imports_the_urlconf_and_freezes_what_it_loaded():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_AND_REPORT], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["app"] == "WSGIHandler"
    assert loaded["views_loaded"]  # by the URLconf, before any request
    # Django, DRF and the project's modules: tens of thousands of objects the collector no longer walks.
    assert loaded["frozen"] > 50_000
