"""`qbsps webhooks serve` as a subprocess for tests: a config it can serve, started and announced."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings

QBSPS = str(Path(sys.executable).parent / "qbsps")


def receiver_config(folder: Path) -> Path:
    """A connector config as `qbsps sandbox --write-config` writes it, its ledger migrated (`qbsps db
    upgrade`); the receiver never calls QBO, so the sandbox can stop once the file is written."""
    path = folder / "config.yaml"
    settings = SandboxSettings(qbo=QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(seed=False))
    with Sandbox(settings) as box:
        box.write_config(path)
    open_ledger(load_config(path), upgrade=True).close()
    return path


def start_receiver(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`qbsps webhooks serve ARGS --port 0`, once it announced its URL; returns the process and URL."""
    proc = subprocess.Popen(
        [QBSPS, "webhooks", "serve", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout=60)
    if not found or not found[0].startswith("QBO webhook receiver: "):
        proc.kill()
        raise AssertionError(f"qbsps webhooks serve did not announce its URL: {found} {proc.communicate()}")
    return proc, found[0].split(": ", 1)[1].strip()


def refused_receiver(args: list[str]) -> subprocess.CompletedProcess[str]:
    """`qbsps webhooks serve ARGS --port 0` expected to refuse to start: its exit and output."""
    return subprocess.run(
        [QBSPS, "webhooks", "serve", *args, "--port", "0"], capture_output=True, text=True, timeout=60
    )
