"""deploy/dagster.postgres.yaml as shipped, under a real `dagster-daemon` on the machine's
PostgreSQL: a run whose worker is SIGKILLed mid-run is failed and launched again by run retries,
and the retry succeeds (run_retries with retry_on_asset_or_op_failure: false covers worker deaths)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from qbsps_tests.deploy import worker_job
from qbsps_tests.deploy.worker_job import PID_FILE_ENV, RETRY_NUMBER_TAG
from qbsps_tests.support import REPO, postgres_database, wait_for

pytestmark = pytest.mark.services

BIN = Path(sys.executable).parent
JOB_FILE = Path(worker_job.__file__)


def test_a_run_whose_worker_is_killed_is_retried_to_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_measurement
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "deploy" / "dagster.postgres.yaml").read_text())
    pid_file = tmp_path / "worker.pid"
    with postgres_database() as database:
        storage = {
            "USERNAME": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            "DB": database,
        }
        for name, value in storage.items():
            monkeypatch.setenv(f"DAGSTER_PG_{name}", value)  # this process reads the runs as the daemon does
        env = {**os.environ, "DAGSTER_HOME": str(home), PID_FILE_ENV: str(pid_file)}
        log = (tmp_path / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-f", str(JOB_FILE)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            launched = subprocess.run(
                [str(BIN / "dagster"), "job", "launch", "-f", str(JOB_FILE), "-j", "worker_job"],
                env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert launched.returncode == 0, launched.stderr
            worker = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 180, "the run worker"))
            os.kill(worker, signal.SIGKILL)  # the worker dies as under the OOM killer
            killed = time.monotonic()
            with dg.DagsterInstance.from_config(str(home)) as instance:

                def retried_to_success() -> list[dg.DagsterRun] | None:
                    runs = [record.dagster_run for record in instance.get_run_records()]
                    done = [run for run in runs if run.status == dg.DagsterRunStatus.SUCCESS]
                    return runs if done else None

                runs = wait_for(retried_to_success, 240, "the retried run to succeed", every=1)
                recovered_after = time.monotonic() - killed
        finally:
            os.killpg(daemon.pid, signal.SIGKILL)  # the daemon, its code server and any run it left
            daemon.wait(timeout=30)
    first, retry = sorted(runs, key=lambda run: run.tags.get(RETRY_NUMBER_TAG, "0"))
    assert first.status == dg.DagsterRunStatus.FAILURE
    assert retry.tags[RETRY_NUMBER_TAG] == "1" and retry.parent_run_id == first.run_id
    assert retry.status == dg.DagsterRunStatus.SUCCESS
    report_measurement(f"worker SIGKILLed: retried run succeeded {recovered_after:.0f} s later")
