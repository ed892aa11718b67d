"""`make run`'s first steps, in a scratch copy of the Makefile: the local .env, and the port check that
comes before anything changes (seed_demo gives the demo admin a new password)."""

import shutil
import socket
import stat
import subprocess
import sys

import pytest

from tests.project.test_deploy_settings import PROJECT_ROOT

VENV = PROJECT_ROOT / ".venv"


@pytest.fixture
def scratch(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("needs make")
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv").symlink_to(VENV.resolve() if VENV.exists() else sys.prefix)
    return tmp_path


def make(directory, *args):
    # -o: the virtualenv is taken as installed; this checks the run steps, not the install.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.runtime", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_run_writes_a_private_dot_env_with_a_generated_key_once(scratch):
    assert make(scratch, ".env").returncode == 0
    dot_env = scratch / ".env"
    assert stat.S_IMODE(dot_env.stat().st_mode) == 0o600
    values = dict(line.split("=", 1) for line in dot_env.read_text().splitlines() if "=" in line)
    assert values["DJANGO_DEBUG"] == "true"
    assert len(values["DJANGO_SECRET_KEY"]) >= 50

    written = dot_env.read_text()
    assert make(scratch, ".env").returncode == 0
    assert dot_env.read_text() == written  # an existing .env is never replaced


def test_the_dot_env_is_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT, timeout=30)
    assert ignored.returncode == 0


def test_make_run_on_a_taken_port_says_so_before_it_changes_anything(scratch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = make(scratch, "run", f"PORT={port}")
    assert result.returncode != 0
    assert f"Port {port} is in use" in result.stdout
    assert "manage.py" not in result.stdout + result.stderr  # neither migrate nor seed_demo ran
