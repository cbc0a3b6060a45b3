"""One service of the dev stack: a subprocess in its own process group, logging to a file.

Its own group (a new session) means a Ctrl+C in the terminal reaches only `qbsps dev up`, which
then stops the services in order; and stopping one reaches everything it started (dagster dev's
webserver, daemon, code servers and run workers), so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.25
SWEEP_GRACE_SECONDS = 3.0  # what a left-over group member gets between SIGTERM and SIGKILL


class ServiceError(RuntimeError):
    """A service did not come up, or stopped on its own; the message names it and shows its log."""


class Interrupted(Exception):
    """The stack was asked to stop while a service was still starting."""


class Service:
    """``name`` is how messages call it: "the sandbox", "Dagster"."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log_file: Path,
        *,
        env: dict[str, str],
        cwd: Path,
        stop_timeout: float,
    ) -> None:
        self.name = name
        self.argv = argv
        self.log_file = log_file
        self.env = env
        self.cwd = cwd
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        with self.log_file.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not started")
        return self.process.pid

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def wait_ready(
        self,
        ready: Callable[[], bool],
        timeout: float,
        stopping: threading.Event,
        *,
        check: Callable[[], None],
    ) -> None:
        """Until ``ready()`` is true. Raises if the time runs out, on a stop request (Interrupted), or
        when ``check()`` does: it raises for any service of the stack that died meanwhile."""
        deadline = time.monotonic() + timeout
        while not ready():
            check()
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.name} did not answer within {timeout:.0f} s{self.tail()}")
            if stopping.wait(POLL_SECONDS):
                raise Interrupted

    def died(self, code: int) -> str:
        return f"{self.name} " + (f"was killed by signal {-code}" if code < 0 else f"exited with code {code}")

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        last = [line for line in text.splitlines() if line.strip()][-lines:]
        return f"\nlast lines of {self.log_file}:\n  " + "\n  ".join(last) if last else ""

    def stop(self) -> None:
        """SIGTERM to the service itself (each shuts down gracefully on it), then whatever is left
        of its process group gets SIGTERM and, after a grace period, SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):  # then the group sweep kills it
                self.process.wait(self.stop_timeout)
        self._sweep_group()
        self.process.wait()

    def _sweep_group(self) -> None:
        group = self.process.pid if self.process else None
        if group is None or not _signal_group(group, signal.SIGTERM):
            return
        deadline = time.monotonic() + SWEEP_GRACE_SECONDS
        while time.monotonic() < deadline and _signal_group(group, 0):
            time.sleep(POLL_SECONDS)
        _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, sig: int) -> bool:
    """True while the group has members (zombies included: the OS reaps orphans, not we)."""
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed user: not ours to stop
        return False
    return True
