"""The measured qbsps run: `qbsps sync inbound` (or `outbound`) in a process of its own, exactly as
an operator runs it (the config `qbsps sandbox --write-config` writes, a DAGSTER_HOME, the real
jobs), timed from start to exit; its peak RSS comes from the kernel's accounting of that one child
(wait4)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.runs import prepare_dagster_home
from qbsps_orchestration.sandbox.runtime import Sandbox

from .catalog import config_rows

QBSPS = str(Path(sys.executable).parent / "qbsps")


@dataclass(frozen=True)
class SyncRun:
    seconds: float
    returncode: int
    peak_rss_mb: float  # the sync process and any children it waited for
    output_tail: str


def prepare_workdir(box: Sandbox, workdir: Path) -> dict[str, str]:
    """The connector config (with the bench items), a migrated ledger and a DAGSTER_HOME; returns
    the environment a `qbsps` process runs in."""
    config_path = workdir / "qbsps" / "config.yaml"
    box.write_config(config_path)
    data = yaml.safe_load(config_path.read_text())
    # The sandbox's history shows an upload at once (a real account's lags by minutes): an upload
    # is confirmed in the same pass, as the chaos stage does it.
    data["sps"]["history_lag_seconds"] = 0
    data["items"] += config_rows(box)
    config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    open_ledger(load_config(config_path), actor="bench", upgrade=True).close()  # `qbsps db upgrade`
    home = prepare_dagster_home(workdir / "dagster_home")
    return {**os.environ, "QBSPS_CONFIG": str(config_path), "DAGSTER_HOME": str(home)}


def run_qbsps_inbound(box: Sandbox, workdir: Path) -> SyncRun:
    return run_qbsps_sync(prepare_workdir(box, workdir), workdir, "inbound")


def run_qbsps_sync(env: dict[str, str], workdir: Path, direction: str) -> SyncRun:
    log = workdir / f"sync-{direction}.log"
    with log.open("ab") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            [QBSPS, "sync", direction], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )
        # wait4 reports this child's own resource use, untouched by anything else this process ran.
        _, status, rusage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    tail = log.read_text(errors="replace")[-2000:]
    return SyncRun(seconds, process.returncode, rusage.ru_maxrss / 1024, tail)  # ru_maxrss: KiB
