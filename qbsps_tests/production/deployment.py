"""One production-shaped deployment per test: a fresh PostgreSQL database (Dagster's storage through
deploy/dagster.postgres.yaml in its public schema, the ledger in a schema of its own), the sandbox
with QBO's throttle on, a Celery queue of its own on the broker, and runs launched the way a run
worker executes them (`dagster job execute`), each step sent to the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qbsps_orchestration.dagster_support.names import QBO_API, RANGE_END, RANGE_START, SPS_API, api_pool
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.storage_templates import migrated_ledger
from qbsps_tests.support import POSTGRES_URL, REPO, postgres_database, wait_for

from .broker import backend_url, delete_queue, require_broker
from .steps import TEST_RUN_TAG, submitted
from .workers import CeleryWorkers

DAGSTER = str(Path(sys.executable).parent / "dagster")
RUN_SECONDS = 240  # one run of a few documents; bounded, so a lost step fails the test
LEDGER_SCHEMA = "ledger"
WORKERS = 2


@dataclass
class Deployment:
    connector: SandboxedConnector
    home: Path
    env: dict[str, str]
    database: str
    workers: CeleryWorkers
    launched: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def box(self) -> Sandbox:
        return self.connector.box

    @property
    def database_url(self) -> str:
        return make_url(POSTGRES_URL).set(database=self.database).render_as_string(hide_password=False)

    def instance(self) -> dg.DagsterInstance:
        """The deployment's instance, as the webserver opens it (DAGSTER_HOME, PostgreSQL)."""
        return dg.DagsterInstance.from_config(str(self.home))

    def launch(self, job: str, partitions: list[str], name: str) -> subprocess.Popen[bytes]:
        """One run over a range of partitions, as the daemon launches a single-run backfill."""
        tags = {RANGE_START: partitions[0], RANGE_END: partitions[-1], TEST_RUN_TAG: name}
        command = [DAGSTER, "job", "execute", "-m", "qbsps_orchestration.definitions", "-a", "defs"]
        with (self.home / f"run-{name}.log").open("wb") as out:
            process = subprocess.Popen(
                [*command, "-j", job, "--tags", json.dumps(tags)],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.launched.append(process)
        return process

    def stop_runs(self) -> None:
        """Kill any run process a failed test left waiting on its step."""
        for process in self.launched:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    def start_workers_once_queued(self, runs: Mapping[str, subprocess.Popen[bytes]]) -> None:
        """Start w1 and w2 once every run's step waits on the broker: the two workers then take
        one step each at the same moment (a run process starting late cannot leave its step to
        run after the other one ended)."""
        with self.instance() as instance:
            wait_for(lambda: submitted(instance, set(runs)), RUN_SECONDS, f"runs {sorted(runs)} to queue")
        self.workers.start("w1", "w2")

    def wait(self, runs: Mapping[str, subprocess.Popen[bytes]]) -> dict[str, str]:
        """Each run's status once its process ended (within RUN_SECONDS)."""
        for name, process in runs.items():
            try:
                process.wait(timeout=RUN_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                log = (self.home / f"run-{name}.log").read_text(errors="replace")[-4000:]
                raise AssertionError(f"run {name} did not end within {RUN_SECONDS}s:\n{log}") from None
        with self.instance() as instance:
            found = {
                r.tags[TEST_RUN_TAG]: r.status.value
                for r in instance.get_runs()
                if r.tags.get(TEST_RUN_TAG) in runs
            }
        return found

    def run_log(self, name: str) -> str:
        return (self.home / f"run-{name}.log").read_text(errors="replace")


def _ledger_url(database: str) -> str:
    url = make_url(POSTGRES_URL).set(database=database)
    return url.update_query_dict({"options": f"-csearch_path={LEDGER_SCHEMA}"}).render_as_string(
        hide_password=False
    )


@contextmanager
def fresh_database() -> Iterator[str]:
    """A fresh database on the test server with the ledger's schema; dropped afterwards."""
    with postgres_database() as name:
        own = create_engine(make_url(POSTGRES_URL).set(database=name))
        with own.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{LEDGER_SCHEMA}"'))
        own.dispose()
        yield name


def production_dagster_home(home: Path, database: str) -> dict[str, str]:
    """DAGSTER_HOME with the production storage; the DAGSTER_PG_* variables it reads."""
    home.mkdir(parents=True)
    production = yaml.safe_load((REPO / "deploy" / "dagster.postgres.yaml").read_text())
    repo_instance = yaml.safe_load((REPO / "dagster.yaml").read_text())
    instance = {"storage": production["storage"], "concurrency": repo_instance["concurrency"]}
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance))
    url = make_url(POSTGRES_URL)
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_USERNAME": url.username or "postgres",
        "DAGSTER_PG_PASSWORD": url.password or "",
        "DAGSTER_PG_HOST": url.host or "127.0.0.1",
        "DAGSTER_PG_DB": database,
        "DAGSTER_PG_PORT": str(url.port or 5432),
    }


@contextmanager
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: str) -> Iterator[Deployment]:
    require_broker(broker)
    settings = SandboxSettings(
        qbo=QboSandboxSettings(throttle=True),  # a call over QBO's limits is refused (429) and counted
        sps=SpsSandboxSettings(samples_dir=None, seed=False),
    )
    queue = f"qbsps_test_{uuid.uuid4().hex[:10]}"
    with fresh_database() as database, Sandbox(settings) as box:
        config_path = tmp_path / "qbsps" / "config.yaml"
        box.write_config(config_path)
        data = yaml.safe_load(config_path.read_text())
        data["ledger"]["url"] = _ledger_url(database)
        config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        config = load_config(config_path)
        env = {
            **os.environ,
            **production_dagster_home(tmp_path / "dagster", database),
            # dagster-celery starts `celery` from PATH: the venv's, as in an activated venv
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "QBSPS_CONFIG": str(config_path),
            "QBSPS_CELERY_BROKER_URL": broker,
            "QBSPS_CELERY_BACKEND_URL": backend_url(broker),
            "QBSPS_CELERY_QUEUE": queue,
        }
        for name, value in env.items():
            if name.startswith("DAGSTER_PG_"):  # this process opens the instance too
                monkeypatch.setenv(name, value)
        monkeypatch.setenv("QBSPS_CONFIG", str(config_path))
        connector = SandboxedConnector(box, config_path, config, migrated_ledger(config, actor="test"))
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            instance.get_runs()  # the storage is created here, not raced by the first run and workers
            # As the README says for two workers: `dagster instance concurrency set POOL 2` for the
            # company's pools. Set before any run: two runs creating a pool's default row at once
            # race in Dagster (a duplicate key on concurrency_limits fails one of them).
            for apis in ({QBO_API}, {QBO_API, SPS_API}, {SPS_API}):
                instance.event_log_storage.set_concurrency_slots(api_pool(apis, config.qbo.realm_id), WORKERS)
        workers = CeleryWorkers(env, queue, tmp_path / "workers")
        running = Deployment(connector, tmp_path / "dagster", env, database, workers)
        try:
            yield running
        finally:
            running.stop_runs()
            workers.stop()
            connector.close()
            delete_queue(broker, queue)
