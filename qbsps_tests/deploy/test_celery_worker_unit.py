"""The Celery worker unit as systemd runs it (its own ExecStart and ExecStartPost, the venv and
files swapped for this machine's): the worker starts on the machine's broker and its health check
says so by its node name; once it is stopped, the same check fails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from qbsps_tests.deploy.units import on_this_machine, unit_lines
from qbsps_tests.production.broker import BROKERS, backend_url, delete_queue, require_broker
from qbsps_tests.support import REPO, wait_for

pytestmark = pytest.mark.services
UNIT = "qbsps-celery-worker@.service"


def _unit_command(key: str, instance: str, queue: str) -> list[str]:
    (line,) = unit_lines(UNIT, key)
    line = line.replace("%i", instance).replace("%H", socket.gethostname())
    line = line.replace("/opt/qbsps/celery.yaml", str(REPO / "deploy" / "celery.yaml"))
    command = on_this_machine(line, 0, 0)
    return [*command, "-q", queue] if key == "ExecStart" else command


def test_the_worker_unit_starts_a_worker_its_health_check_finds_by_name(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    broker = BROKERS["rabbitmq"]
    require_broker(broker)
    queue, instance = f"qbsps_test_{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:6]}"
    (tmp_path / "home").mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # the unit's Environment=PATH
        "QBSPS_CELERY_BROKER_URL": broker,
        "QBSPS_CELERY_BACKEND_URL": backend_url(broker),
    }
    health = _unit_command("ExecStartPost", instance, queue)
    try:
        with (tmp_path / "worker.log").open("wb") as log:
            worker = subprocess.Popen(
                _unit_command("ExecStart", instance, queue),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(worker)
        probe = subprocess.run(health, env=env, capture_output=True, text=True, timeout=180)
        assert probe.returncode == 0, probe.stderr + (tmp_path / "worker.log").read_text()
        assert f"qbsps-{instance}@" in probe.stdout and broker not in probe.stdout + probe.stderr

        # A warm shutdown of the unit's whole group, as systemd stops it.
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        wait_for(lambda: not _group_alive(worker.pid), 60, "the worker's processes to end")
        once = [arg for arg in health if arg != "--wait"][: health.index("--wait")]
        gone = subprocess.run(once, env=env, capture_output=True, text=True, timeout=60)
        assert gone.returncode == 1 and "did not answer" in gone.stderr
    finally:
        delete_queue(broker, queue)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
