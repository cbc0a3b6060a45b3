"""`dagster-celery worker` processes as an operator starts them (README, "Scale-out on Celery"):
each in a session of its own, so a SIGKILL takes the worker and its pool process together, as
when a host dies."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from qbsps_tests.support import REPO, wait_for

DAGSTER_CELERY = str(Path(sys.executable).parent / "dagster-celery")
READY_SECONDS = 90


class CeleryWorkers:
    def __init__(self, env: Mapping[str, str], queue: str, logs: Path) -> None:
        self._env, self._queue, self._logs = dict(env), queue, logs
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        logs.mkdir(parents=True, exist_ok=True)

    def log(self, name: str) -> Path:
        return self._logs / f"{name}.log"

    def start(self, *names: str) -> None:
        """Start one worker per name (one task at a time each) and wait until all are ready."""
        for name in names:
            command = [
                DAGSTER_CELERY,
                "worker",
                "start",
                "-A",
                "dagster_celery.app",
                "-y",
                str(REPO / "deploy" / "celery.yaml"),
                "-q",
                self._queue,
                "-n",
                f"{self._queue}-{name}",  # node names are broker-wide: two tests' w1 would clash
                "--",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
            ]
            with self.log(name).open("wb") as out:
                self._processes[name] = subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=self._env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # killpg reaches the worker's pool process too
                )
        for name in names:
            wait_for(lambda n=name: self._ready(n), READY_SECONDS, f"celery worker {name} to be ready")

    def _ready(self, name: str) -> bool:
        process = self._processes[name]
        if process.poll() is not None:
            raise AssertionError(f"worker {name} exited {process.returncode}:\n{self.log(name).read_text()}")
        return b" ready." in self.log(name).read_bytes()

    def kill(self, name: str) -> None:
        """SIGKILL the worker and its pool process at once (its whole session)."""
        process = self._processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM) of every worker still running, SIGKILL after 20 s; the
        session of one already gone is killed too (its pool process may have outlived it)."""
        for process in self._processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM if process.poll() is None else signal.SIGKILL)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
