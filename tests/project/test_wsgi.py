"""The WSGI entry point gunicorn loads: the app is ready before the first request; a broken URLconf fails the boot."""

import json
import os
import subprocess
import sys

from tests.project.test_deploy_settings import PRODUCTION_ENV, PROJECT_ROOT

LOAD_AND_REPORT = """
import json, sys
from braze_scim.wsgi import application
print(json.dumps({"views_loaded": "scim_api.views" in sys.modules, "app": type(application).__name__}))
"""

BROKEN_SETTINGS = """
from braze_scim.settings import *  # noqa: F403
ROOT_URLCONF = "broken_urls"
"""


def load_app(tmp_path, **env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)])
    return subprocess.run(
        [sys.executable, "-c", LOAD_AND_REPORT], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_loading_the_app_imports_the_urlconf_before_any_request(tmp_path):
    result = load_app(tmp_path)

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["app"] == "WSGIHandler"
    assert loaded["views_loaded"]  # by the URLconf, before any request


def test_a_urlconf_that_cannot_be_imported_fails_the_boot_not_a_request(tmp_path):
    (tmp_path / "broken_settings.py").write_text(BROKEN_SETTINGS)
    (tmp_path / "broken_urls.py").write_text("raise RuntimeError('the URLconf is broken')\n")

    result = load_app(tmp_path, DJANGO_SETTINGS_MODULE="broken_settings")

    assert result.returncode != 0
    assert "the URLconf is broken" in result.stderr
