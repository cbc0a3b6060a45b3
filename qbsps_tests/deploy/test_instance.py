"""deploy/dagster.postgres.yaml loaded whole into a real Dagster instance on the machine's
PostgreSQL (a fresh database per test): storage, run queue, pools, run retries, monitoring,
retention; a pool of one company holds its ops to the file's limit across processes; and the
deployment's databases made by deploy/postgres-init/ take `qbsps db upgrade` (the ledger) and
`dagster instance migrate` (Dagster), each as its own role."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.scheduler.instigation import TickStatus
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage
from sqlalchemy import create_engine, inspect, text

from qbsps_tests.deploy.conftest import run_init_sql
from qbsps_tests.deploy.pool_job import HOLD_SECONDS, LOG_ENV, POOL, most_at_once
from qbsps_tests.support import REPO, offline_config_data, postgres_database

pytestmark = pytest.mark.services

INSTANCE_FILE = REPO / "deploy" / "dagster.postgres.yaml"
BIN = Path(sys.executable).parent


def _home(folder: Path) -> Path:
    folder.mkdir()
    shutil.copyfile(INSTANCE_FILE, folder / "dagster.yaml")  # as the image and the units place it
    return folder


@pytest.fixture()
def production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    with postgres_database() as database:
        for name, value in {"USERNAME": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "DB": database,
                            "PORT": "5432"}.items():  # fmt: skip
            monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
        with dg.DagsterInstance.from_config(str(_home(tmp_path / "dagster"))) as instance:
            yield instance


def test_the_production_file_loads_whole_on_postgresql(production: dg.DagsterInstance) -> None:
    assert isinstance(production.run_storage, PostgresRunStorage)
    assert isinstance(production.event_log_storage, PostgresEventLogStorage)
    assert isinstance(production.schedule_storage, PostgresScheduleStorage)
    assert type(production.run_coordinator).__name__ == "QueuedRunCoordinator"
    queue = production.get_concurrency_config().run_queue_config
    assert queue is not None and queue.max_concurrent_runs == 6
    assert {limit["key"]: limit["limit"] for limit in queue.tag_concurrency_limits} == {
        "dagster/backfill": 2,
        "dagster/sensor_name": 2,
    }
    assert production.global_op_concurrency_default_limit == 4
    assert (production.run_retries_enabled, production.run_retries_max_retries) == (True, 2)
    assert production.run_retries_retry_on_asset_or_op_failure is False  # only worker deaths are re-run
    assert production.run_monitoring_enabled
    assert production.run_monitoring_start_timeout_seconds == 180
    assert production.run_monitoring_max_runtime_seconds == 7200
    sensor_ticks = production.get_tick_retention_settings(InstigatorType.SENSOR)
    assert (sensor_ticks[TickStatus.SKIPPED], sensor_ticks[TickStatus.FAILURE]) == (7, 30)
    assert production.get_tick_retention_settings(InstigatorType.SCHEDULE)[TickStatus.SUCCESS] == 90
    assert "MONITORING" in production.get_required_daemon_types()
    assert "EVENT_LOG_CONSUMER" in production.get_required_daemon_types()  # the one that retries runs


def test_a_company_pool_holds_its_ops_to_the_default_limit_across_processes(
    production: dg.DagsterInstance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_measurement
) -> None:
    """Six ops of one run, each in its own process, all in qbo_api:<realm>: four at most at once."""
    log = tmp_path / "spans.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    from qbsps_tests.deploy import pool_job

    result = dg.execute_job(dg.reconstructable(pool_job.pool_job), instance=production)
    assert result.success
    spans = [tuple(json.loads(line)) for line in log.read_text().splitlines()]
    assert len(spans) == 6
    peak = most_at_once(spans)  # type: ignore[arg-type]
    info = production.event_log_storage.get_concurrency_info(POOL)
    assert (info.limit, info.using_default_limit) == (4, True)
    assert 2 <= peak <= 4, spans  # more than one (not serial), never past the pool's limit
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    report_measurement(f"6 ops of {HOLD_SECONDS:.0f} s in pool {POOL}: at most {peak} at once, {wall:.1f} s")


def _qbsps_config(folder: Path) -> Path:
    """A valid config whose APIs are never called, with no `ledger:` section (as in deploy/): the
    ledger's URL comes from QBSPS_LEDGER_URL."""
    data = offline_config_data([{"trading_partner_id": "SPSALLTESTID", "name": "Test Retail",
                                 "vendor_number": "V1", "qbo_vendor": {"id": "56"},
                                 "qbo_customer": {"id": "58"}, "rsx_format": "json"}])  # fmt: skip
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=180, env={**os.environ, **env})


def test_the_deployment_databases_take_their_migrations_each_as_its_own_role(
    deployment_databases: dict[str, str], tmp_path: Path
) -> None:
    env = {**deployment_databases, "QBSPS_CONFIG": str(_qbsps_config(tmp_path)),
           "DAGSTER_HOME": str(_home(tmp_path / "dagster"))}  # fmt: skip
    env.pop("QBSPS_SECRET_KEYS", None)
    first = _run([str(BIN / "qbsps"), "db", "upgrade"], env)
    again = _run([str(BIN / "qbsps"), "db", "upgrade"], env)
    dagster = _run([str(BIN / "dagster"), "instance", "migrate"], env)
    assert first.returncode == 0, first.stderr
    assert "upgraded from an empty database to revision" in first.stdout
    assert again.returncode == 0 and "already at revision" in again.stdout
    assert dagster.returncode == 0, dagster.stderr
    for output in (first, again, dagster):
        assert env["QBSPS_PG_PASSWORD"] not in output.stdout + output.stderr

    ledger = create_engine(env["QBSPS_LEDGER_URL"])
    dagster_url = env["QBSPS_LEDGER_URL"].replace(env["QBSPS_PG_USERNAME"], env["DAGSTER_PG_USERNAME"])
    dagster_url = dagster_url.replace(env["QBSPS_PG_PASSWORD"], env["DAGSTER_PG_PASSWORD"])
    dagster_db = create_engine(dagster_url.rsplit("/", 1)[0] + "/" + env["DAGSTER_PG_DB"])
    try:
        with ledger.connect() as connection:
            owners = set(connection.execute(text("SELECT DISTINCT tableowner FROM pg_tables "
                                                 "WHERE schemaname = 'public'")).scalars())  # fmt: skip
        assert owners == {env["QBSPS_PG_USERNAME"]}
        assert "alembic_version" in inspect(ledger).get_table_names()
        with dagster_db.connect() as connection:
            owners = set(connection.execute(text("SELECT DISTINCT tableowner FROM pg_tables "
                                                 "WHERE schemaname = 'public'")).scalars())  # fmt: skip
        assert owners == {env["DAGSTER_PG_USERNAME"]}
        assert {"runs", "event_logs", "jobs"} <= set(inspect(dagster_db).get_table_names())
        stranger = create_engine(env["QBSPS_LEDGER_URL"].rsplit("/", 1)[0] + "/" + env["DAGSTER_PG_DB"])
        with pytest.raises(Exception, match="permission denied for database"):
            stranger.connect().close()  # the ledger's role cannot reach Dagster's database
        stranger.dispose()
    finally:
        ledger.dispose()
        dagster_db.dispose()


def test_the_init_sql_runs_again_unharmed_and_refuses_a_missing_password(
    deployment_databases: dict[str, str],
) -> None:
    again = run_init_sql(deployment_databases)
    assert again.returncode == 0, again.stderr
    assert "CREATE DATABASE" not in again.stdout  # both exist: nothing made twice
    unset = {name: value for name, value in deployment_databases.items() if name != "QBSPS_PG_PASSWORD"}
    for variables in (unset, {**deployment_databases, "QBSPS_PG_PASSWORD": ""}):
        refused = run_init_sql(variables)
        assert refused.returncode != 0 and "QBSPS_PG_PASSWORD is not set" in refused.stderr
