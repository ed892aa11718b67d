"""A `.env` beside manage.py configures a developer's runs, and never the test suite's.

The settings module is copied into a temporary project with a `.env` beside it
(`.env.example` as a developer would `cp` it), then imported in a subprocess.
"""

import json
import os
import shutil
import subprocess
import sys

from tests.project.test_deploy_settings import PROJECT_ROOT

REPORT = """
import json
from braze_scim import settings
print(json.dumps({"debug": settings.DEBUG, "allowed_hosts": settings.ALLOWED_HOSTS}))
"""


def settings_seen(tmp_path, environment):
    project = tmp_path / "project"
    (project / "braze_scim").mkdir(parents=True)
    (project / "braze_scim" / "__init__.py").touch()
    shutil.copy(PROJECT_ROOT / "braze_scim" / "settings.py", project / "braze_scim" / "settings.py")
    shutil.copy(PROJECT_ROOT / ".env.example", project / ".env")
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=project,
        env={**environment, "PYTHONPATH": str(project), "DJANGO_SECRET_KEY": "tests-only-not-a-secret"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def without_django_settings(environment):
    """The environment a test gives a subprocess it starts: its own DJANGO_ values only."""
    return {key: value for key, value in environment.items() if not key.startswith("DJANGO_")}


def test_the_test_suite_and_what_it_starts_never_read_a_developers_dot_env(tmp_path):
    seen = settings_seen(tmp_path, without_django_settings(os.environ))
    assert seen == {"debug": False, "allowed_hosts": ["localhost", "127.0.0.1", "[::1]"]}


def test_outside_the_test_suite_the_dot_env_is_read(tmp_path):
    environment = {key: value for key, value in without_django_settings(os.environ).items() if key != "READ_DOT_ENV"}
    seen = settings_seen(tmp_path, environment)
    assert seen == {"debug": True, "allowed_hosts": ["localhost", "127.0.0.1"]}  # .env.example's values
