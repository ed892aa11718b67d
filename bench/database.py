"""The bench's throwaway databases: created, migrated and dropped by the harness.

PostgreSQL (the default) gets databases named `braze_scim_bench*` (or
`<--database-prefix>*`, which must contain "bench") on the server given by
--postgres-url; SQLite files live in the run's temporary
directory. Row counts for the correctness checks are read with plain SQL.
"""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parent.parent
USER_TABLE = "settings_app_dashboarduser"


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    engine: str  # "postgresql" or "sqlite"
    name: str

    def count_users(self, *, email_key_like: str) -> int:
        query = f"SELECT count(*) FROM {USER_TABLE} WHERE email_key LIKE %s"
        if self.engine == "sqlite":
            with sqlite3.connect(self.name) as db:
                return db.execute(query.replace("%s", "?"), (email_key_like,)).fetchone()[0]
        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(query, (email_key_like,)).fetchone()[0]

    def backend_pids(self) -> list[int]:
        """PostgreSQL server processes connected to this database (the workers' persistent connections)."""
        if self.engine == "sqlite":
            return []
        with psycopg.connect(self.url, autocommit=True) as db:
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,)
            )
            return [pid for (pid,) in rows]

    def version(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        with psycopg.connect(self.url, autocommit=True) as db:
            return "PostgreSQL " + db.execute("SHOW server_version").fetchone()[0]


def postgres_database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_create(*, engine: str, name: str, server_url: str, workdir: Path) -> BenchDatabase:
    """Create (replacing a leftover from an aborted run) and migrate one database."""
    if engine == "sqlite":
        path = workdir / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        database = BenchDatabase(url=f"sqlite:///{path}", engine="sqlite", name=str(path))
    else:
        # The harness drops what it creates: never let it near a database that is not a bench one.
        if "bench" not in name:
            raise ValueError(f"bench database names must contain 'bench': {name!r}")
        with psycopg.connect(postgres_database_url(server_url, "postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        database = BenchDatabase(url=postgres_database_url(server_url, name), engine="postgresql", name=name)
    manage(database, "migrate", "--no-input", "-v", "0")
    return database


def database_drop(database: BenchDatabase, *, server_url: str) -> None:
    if database.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(database.name + suffix).unlink(missing_ok=True)
        return
    with psycopg.connect(postgres_database_url(server_url, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name)))


def django_environment(database: BenchDatabase, *, secret_key: str, allowed_host: str) -> dict[str, str]:
    """Production settings plus the floors (bench.settings): debug off, a fresh secret key, the bench database."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": allowed_host,
        "DATABASE_URL": database.url,
    }


def manage(database: BenchDatabase, *args: str) -> None:
    env = _base_environment(database)
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, check=True)


def seed(database: BenchDatabase, *, users: int, origin: str, sample: int) -> dict:
    env = _base_environment(database)
    # stdout carries the token (read here, never printed); stderr passes through.
    completed = subprocess.run(
        [sys.executable, "-m", "bench.seed", "--users", str(users), "--origin", origin, "--sample", str(sample)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _base_environment(database: BenchDatabase) -> dict[str, str]:
    env = dict(os.environ)
    env.update(django_environment(database, secret_key=secrets.token_urlsafe(50), allowed_host="127.0.0.1"))
    return env
