"""Runs a `qbsps` command and SIGKILLs it (its whole process group) at chosen points of progress,
each followed by a random extra delay, so the kills land at arbitrary lines of the code: between a
write and its ledger update, in the middle of Dagster's event writes, while a file is fetched."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

QBSPS = str(Path(sys.executable).parent / "qbsps")
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Kill:
    threshold: int  # the progress count that armed the kill
    at: int  # the progress count when the process died
    delay_ms: int  # how long after arming

    def __str__(self) -> str:
        return f"armed at {self.threshold}, +{self.delay_ms} ms, killed at {self.at}"


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    env: dict[str, str]
    cwd: Path

    def start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [QBSPS, *self.args],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the kill reaches the children too
        )

    def run(self, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [QBSPS, *self.args], env=self.env, cwd=self.cwd, capture_output=True, text=True, timeout=timeout
        )


def kill_thresholds(rng: random.Random, total: int, kills: int) -> list[int]:
    """``kills`` distinct progress counts spread over the first 90% of ``total`` units of work."""
    return sorted(rng.sample(range(1, max(kills + 1, int(total * 0.9))), kills))


def run_with_kills(
    command: Command,
    progress: Callable[[], int],
    thresholds: list[int],
    rng: random.Random,
    *,
    limit_seconds: float,
) -> list[Kill]:
    """Start the command; at each threshold of ``progress`` kill it and start it again. A run that
    finished before the next threshold is started again (it reports what is left)."""
    kills: list[Kill] = []
    deadline = time.monotonic() + limit_seconds
    for threshold in thresholds:
        process = command.start()
        while process.poll() is None and progress() < threshold:
            if time.monotonic() > deadline:
                _kill(process)
                raise TimeoutError(f"no progress to {threshold} within {limit_seconds:.0f} s")
            time.sleep(POLL_SECONDS)
        if process.poll() is not None:
            continue  # finished (or failed) before this point: the next start goes on from there
        delay_ms = rng.randint(0, 400)
        time.sleep(delay_ms / 1000)
        _kill(process)
        kills.append(Kill(threshold, progress(), delay_ms))
    return kills


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own in the meantime
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
