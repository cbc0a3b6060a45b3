"""`qbsps webhooks serve` as a user runs it: a subprocess that answers signed POSTs until signalled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import signature_of
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings

QBSPS = str(Path(sys.executable).parent / "qbsps")


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete connector config (as `qbsps sandbox --write-config` writes it); the receiver itself
    never calls QBO, so the sandbox can stop once the file is written."""
    path = tmp_path_factory.mktemp("webhooks-cli") / "config.yaml"
    settings = SandboxSettings(qbo=QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(seed=False))
    with Sandbox(settings) as box:
        box.write_config(path)
    open_ledger(load_config(path), upgrade=True).close()  # `qbsps db upgrade`, as a deployment runs it
    return path


def _start(config: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [QBSPS, "webhooks", "serve", "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout=60)
    if not found or not found[0].startswith("QBO webhook receiver: "):
        proc.kill()
        raise AssertionError(f"qbsps webhooks serve did not announce its URL: {found} {proc.communicate()}")
    return proc, found[0].split(": ", 1)[1].strip()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_a_signed_post_and_stops_on_signal(
    config_file: Path, stop_signal: signal.Signals
) -> None:
    config = load_config(config_file)
    token = config.qbo.webhook_verifier_token.resolve()  # type: ignore[union-attr]
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": f"cli-{stop_signal.name}",
                "source": "intuit.cli-test",
                "type": "qbo.invoice.created.v1",
                "time": "2026-03-02T15:30:07.000Z",
                "intuitentityid": stop_signal.name,
                "intuitaccountid": config.qbo.realm_id,
                "data": {},
            }
        ]
    ).encode()
    proc, url = _start(config_file)
    try:
        forged = httpx.post(
            url, content=body, headers={"intuit-signature": signature_of(body, "guess")}, timeout=10
        )
        signed = httpx.post(
            url, content=body, headers={"intuit-signature": signature_of(body, token)}, timeout=10
        )
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert forged.status_code == 401
    assert signed.status_code == 200 and signed.json()["new"] == 1
    assert proc.returncode == 0, err
    assert token not in out + err  # the verifier token is never printed
    ledger = open_ledger(config)
    try:
        assert [
            r.entity_id for r in ledger.pending_changes("Invoice") if r.event_id == f"cli-{stop_signal.name}"
        ] == [stop_signal.name]
    finally:
        ledger.close()


def test_serve_refuses_a_config_without_verifier_token(config_file: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(config_file.read_text())
    del data["qbo"]["webhook_verifier_token"]
    data["ledger"]["secret_keys"] = {"file": str(config_file.parent / "secret.key")}
    unsigned = tmp_path / "config.yaml"
    unsigned.write_text(yaml.safe_dump(data, sort_keys=False))
    result = subprocess.run(
        [QBSPS, "webhooks", "serve", "--config", str(unsigned), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no qbo.webhook_verifier_token" in result.stderr
