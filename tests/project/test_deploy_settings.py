"""The settings module, loaded from a production-like environment, passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3$" + "x7Qp9-vLm2#Zr8@Wt5^Nb1&Hy4*Jd6!Fs0%Gc3(Ua" * 2,
    "DJANGO_ALLOWED_HOSTS": "scim.example.com",
    "DJANGO_HTTPS": "true",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_the_deploy_check_warns():
    env = {**PRODUCTION_ENV, "DJANGO_HTTPS": "false"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


@pytest.mark.parametrize("debug", ["false", ""])
def test_the_secret_key_is_required_outside_debug(debug):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    if debug:
        env["DJANGO_DEBUG"] = debug
    else:
        env.pop("DJANGO_DEBUG")
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_pages_redirect_to_https_but_the_scim_api_does_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^scim/", r"^healthz$", r"^readyz$"]
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/scim/v2/Users").status_code != 301
