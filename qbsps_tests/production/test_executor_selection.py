"""Which executor the document batch jobs get: dagster-celery's only when a broker is configured
(else one-step jobs run in the run's process),
its settings the same as the workers' (deploy/celery.yaml), the broker URL only ever an env reference."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from dagster_celery.cli import get_validated_config

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs import executor
from qbsps_tests.support import REPO

BATCH_JOBS = [
    "inbound_purchase_orders_job",
    "order_acks_job",
    "outbound_documents_job",
    "qbo_reference_job",
    "item_registries_job",
]
BROKER = "amqp://guest:s3cret@127.0.0.1:5672//"

_LOAD = """
import json
from qbsps_orchestration.definitions import defs
loaded = defs()
jobs = {name: loaded.resolve_job_def(name) for name in %r + ["qbo_cdc_job"]}
print(json.dumps({name: job.executor_def.name for name, job in jobs.items()}))
"""


ONE_STEP_JOBS = BATCH_JOBS[:3]


def test_without_a_broker_one_step_jobs_run_in_process_and_the_others_keep_the_default() -> None:
    assert not os.environ.get(executor.BROKER_ENV)
    loaded = defs()
    kinds = {name: loaded.resolve_job_def(name).executor_def.name for name in BATCH_JOBS}
    assert kinds == {
        **dict.fromkeys(ONE_STEP_JOBS, "in_process"),  # no step process to start: quicker runs
        "qbo_reference_job": "multi_or_in_process_executor",  # four snapshot steps, side by side
        "item_registries_job": "multi_or_in_process_executor",
    }
    assert all(len(loaded.resolve_job_def(name).graph.node_defs) == 1 for name in ONE_STEP_JOBS)


def test_with_a_broker_the_batch_jobs_run_on_celery() -> None:
    env = {**os.environ, executor.BROKER_ENV: BROKER, executor.QUEUE_ENV: "qbsps_acme"}
    env.pop(executor.BACKEND_ENV, None)
    command = [sys.executable, "-c", _LOAD % BATCH_JOBS]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    jobs = json.loads(result.stdout.strip().splitlines()[-1])
    assert jobs == {
        **dict.fromkeys(BATCH_JOBS, "qbsps_celery"),
        "qbo_cdc_job": "multi_or_in_process_executor",  # polls the change feed: no document batch
    }


def test_the_backend_follows_the_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(executor.BACKEND_ENV, raising=False)
    monkeypatch.setenv(executor.BROKER_ENV, BROKER)
    assert executor.celery_backend() == "rpc://"  # results come back over RabbitMQ
    monkeypatch.setenv(executor.BROKER_ENV, "redis://127.0.0.1:6379/0")
    assert executor.celery_backend() == {"env": executor.BROKER_ENV}  # Redis is its own backend
    monkeypatch.setenv(executor.BACKEND_ENV, "redis://127.0.0.1:6379/1")
    assert executor.celery_backend() == {"env": executor.BACKEND_ENV}
    config = executor.celery_executor_config()
    assert config["broker"] == {"env": executor.BROKER_ENV}
    assert config["config_source"]["task_default_queue"] == executor.DEFAULT_QUEUE
    assert executor.document_batch_executor() is not None
    monkeypatch.delenv(executor.BROKER_ENV)
    assert executor.document_batch_executor() is None


def test_the_workers_config_validates_and_matches_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    path = REPO / "deploy" / "celery.yaml"
    monkeypatch.setenv(executor.BROKER_ENV, BROKER)
    monkeypatch.setenv(executor.BACKEND_ENV, "rpc://")
    validated = get_validated_config(str(path))  # what `dagster-celery worker start -y` checks
    assert (validated["broker"], validated["backend"]) == (BROKER, "rpc://")
    assert validated["config_source"] == executor.WORKER_SETTINGS
    raw = yaml.safe_load(path.read_text())["execution"]["config"]
    assert raw["broker"] == {"env": executor.BROKER_ENV}  # never a URL in the file
