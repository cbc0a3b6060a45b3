"""The deployment's two databases, made by deploy/postgres-init/ on the test server under fresh
names (roles are server-wide, so they get fresh names too), dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qbsps_tests.support import POSTGRES_URL, REPO, require_postgres, unavailable

INIT_SQL = REPO / "deploy" / "postgres-init" / "10-qbsps-databases.sql"


def run_init_sql(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """psql as the test server's superuser, with the deployment's variables, as an operator runs it."""
    server = make_url(POSTGRES_URL)
    return subprocess.run(
        ["psql", "-X", "-h", server.host or "127.0.0.1", "-p", str(server.port or 5432),
         "-U", server.username or "postgres", "-d", server.database or "postgres", "-f", str(INIT_SQL)],
        capture_output=True, text=True, timeout=60, env={**_without_deployment(os.environ), **env},
    )  # fmt: skip


def _without_deployment(environ: os._Environ[str]) -> dict[str, str]:
    return {
        name: value for name, value in environ.items() if not name.startswith(("DAGSTER_PG_", "QBSPS_PG_"))
    }


@pytest.fixture()
def deployment_databases() -> Iterator[dict[str, str]]:
    """The variables of qbsps.env for the two databases the init SQL made (their roles' passwords
    are set, though the test server trusts local connections)."""
    require_postgres()
    if shutil.which("psql") is None:
        unavailable("psql (PostgreSQL's client, 15 or later) is not installed")
    server = make_url(POSTGRES_URL)
    suffix = uuid.uuid4().hex[:10]
    env = {
        "DAGSTER_PG_USERNAME": f"qbsps_test_dagster_{suffix}",
        "DAGSTER_PG_PASSWORD": f"dagster{suffix}",
        "DAGSTER_PG_HOST": server.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(server.port or 5432),
        "DAGSTER_PG_DB": f"qbsps_test_dagster_db_{suffix}",
        "QBSPS_PG_USERNAME": f"qbsps_test_ledger_{suffix}",
        "QBSPS_PG_PASSWORD": f"ledger{suffix}",
        "QBSPS_PG_DB": f"qbsps_test_ledger_db_{suffix}",
    }
    env["QBSPS_LEDGER_URL"] = (
        f"postgresql+psycopg2://{env['QBSPS_PG_USERNAME']}:{env['QBSPS_PG_PASSWORD']}"
        f"@{env['DAGSTER_PG_HOST']}:{env['DAGSTER_PG_PORT']}/{env['QBSPS_PG_DB']}"
    )
    try:
        made = run_init_sql(env)
        assert made.returncode == 0, made.stderr
        yield env
    finally:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for database in (env["DAGSTER_PG_DB"], env["QBSPS_PG_DB"]):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in (env["DAGSTER_PG_USERNAME"], env["QBSPS_PG_USERNAME"]):
                connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.fixture()
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started as a unit would (each in a session of its own), killed after it."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for proc in processes:  # only what this test started, each by its own process group
        # The whole group, as systemd ends a control group after TimeoutStopSec: a code server
        # finishing a run (a sensor's, here) outlives the daemon that started it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
