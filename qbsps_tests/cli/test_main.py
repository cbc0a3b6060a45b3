"""`qbsps sandbox` in the foreground, as a user runs it, until SIGTERM/SIGINT: the suite's smoke test of
the installed `qbsps` entry point in a process of its own. Then `qbsps demo`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.sandbox.settings import default_samples_dir
from qbsps_tests.in_process import run_qbsps

QBSPS = str(Path(sys.executable).parent / "qbsps")


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"qbsps sandbox exited early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("qbsps sandbox did not write its info file")
        time.sleep(0.1)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_sandbox_command_serves_until_signalled(tmp_path: Path, stop_signal: signal.Signals) -> None:
    info_file, config_file = tmp_path / "sandbox.json", tmp_path / "config.yaml"
    proc = subprocess.Popen(
        [
            QBSPS,
            "sandbox",
            "--qbo-port",
            "0",
            "--sps-port",
            "0",
            "--latency-ms",
            "5",
            "--info-file",
            str(info_file),
            "--write-config",
            str(config_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(config_file, proc)
        info = json.loads(info_file.read_text())
        for base in (info["qbo"]["api_base_url"], info["sps"]["api_base_url"]):
            assert httpx.get(f"{base}/_sandbox/health", timeout=5).json()["status"] == "ok"
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert info["qbo"]["api_base_url"] in out and info["sps"]["api_base_url"] in out
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{info['qbo']['api_base_url']}/_sandbox/health", timeout=2)


def test_demo_runs_the_inbound_flow_end_to_end(tmp_path: Path) -> None:
    result = run_qbsps(["demo"], cwd=tmp_path)  # in-process: the entry point is the sandbox test's
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "qbsps sync inbound" in out and out.count(" created ") >= 4
    listed = out.split("Purchase orders now in the sandbox company")[1]
    # SPS's published samples when this machine has them, else qbsps's own demo orders: the demo
    # passes either way (.ci/run also runs it from a copy that cannot see ../shared).
    first_order = "PO584615-1 " if default_samples_dir() else "PO700101-1 "
    assert first_order in listed and "The Grommet" in listed
    assert (tmp_path / ".qbsps" / "demo" / "dagster").is_dir()  # runs recorded for the Dagster UI
    received = out.split("SPS received")[1]
    assert " Invoice   accepted" in received and " Shipment  accepted" in received
    assert "`make dev`" in received and "qbsps dev order" in received and "qbsps dev invoice" in received
