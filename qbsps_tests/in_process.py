"""`qbsps` run in this process through click's CliRunner, answering like ``subprocess.run``.

A subprocess pays Python's start and the Dagster import (2-3 s) per command; in-process the same
command line, environment and working directory reach the same click group. What a process
would lose at exit is put back afterwards: the whole environment (commands set $QBSPS_CONFIG and
$DAGSTER_HOME), the working directory and the SIGINT/SIGTERM handlers. An unexpected exception
ends as it would in a process: exit 1 with its traceback on stderr.

Crash tests (SIGKILL mid-run), signal tests and the entry-point smoke test keep real processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from qbsps_orchestration.cli import main

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def process_state(env: Mapping[str, str] | None, cwd: Path | str | None) -> Iterator[None]:
    """Replace the environment (as ``subprocess.run(env=...)`` does) and the working directory
    for the block; restore both and the signal handlers after it."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for sig, handler in saved_handlers.items():
            if signal.getsignal(sig) is not handler:  # only the main thread may set one
                signal.signal(sig, handler)


def run_qbsps(
    args: list[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    input: str | None = None,  # noqa: A002 - the name subprocess.run uses
) -> subprocess.CompletedProcess[str]:
    """``qbsps ARGS`` with stdout and stderr apart; ``env`` replaces the environment when given."""
    with process_state(env, cwd):
        result = CliRunner().invoke(main, args, input=input, prog_name="qbsps", catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["qbsps", *args], result.exit_code, result.stdout, stderr)
