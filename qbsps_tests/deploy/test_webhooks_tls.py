"""`qbsps webhooks serve` over HTTPS, as Intuit calls it: a signed webhook POSTed with `requests`
(verifying the receiver's certificate) lands in the ledger inbox; plain HTTP to that port fails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import HEALTH_PATH, SIGNATURE_HEADER, signature_of
from qbsps_orchestration.lib.webhooks.serve import GRACEFUL_SHUTDOWN_SECONDS
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.deploy.tls import self_signed_pair

QBSPS = str(Path(sys.executable).parent / "qbsps")


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A connector config as `qbsps sandbox --write-config` writes it, its ledger migrated (`qbsps db
    upgrade`); the receiver never calls QBO, so the sandbox can stop once the file is written."""
    path = tmp_path_factory.mktemp("webhooks-tls") / "config.yaml"
    settings = SandboxSettings(qbo=QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(seed=False))
    with Sandbox(settings) as box:
        box.write_config(path)
    open_ledger(load_config(path), upgrade=True).close()
    return path


def _start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [QBSPS, "webhooks", "serve", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout=60)
    if not found or not found[0].startswith("QBO webhook receiver: "):
        proc.kill()
        raise AssertionError(f"qbsps webhooks serve did not announce its URL: {found} {proc.communicate()}")
    return proc, found[0].split(": ", 1)[1].strip()


def _event_body(event_id: str, entity_id: str, realm_id: str) -> bytes:
    return json.dumps(
        [
            {
                "specversion": "1.0",
                "id": event_id,
                "source": "intuit.tls-test",
                "type": "qbo.invoice.updated.v1",
                "time": "2026-03-02T15:30:07.000Z",
                "intuitentityid": entity_id,
                "intuitaccountid": realm_id,
                "data": {},
            }
        ]
    ).encode()


@pytest.mark.parametrize("given_by", ["options", "environment"])
def test_a_signed_webhook_over_https_is_stored_and_plain_http_fails(
    config_file: Path, tmp_path: Path, given_by: str
) -> None:
    config = load_config(config_file)
    token = config.qbo.webhook_verifier_token.resolve()  # type: ignore[union-attr]
    certfile, keyfile = self_signed_pair(tmp_path)
    if given_by == "options":
        args, env = ["--tls-certfile", str(certfile), "--tls-keyfile", str(keyfile)], {}
    else:
        args, env = (
            [],
            {"QBSPS_WEBHOOK_TLS_CERTFILE": str(certfile), "QBSPS_WEBHOOK_TLS_KEYFILE": str(keyfile)},
        )
    event_id = f"tls-{given_by}"
    body = _event_body(event_id, f"9{len(given_by)}", str(config.qbo.realm_id))
    proc, url = _start(["--config", str(config_file), *args], env)
    try:
        assert url.startswith("https://127.0.0.1:")
        signed = requests.post(
            url,
            data=body,
            headers={SIGNATURE_HEADER: signature_of(body, token)},
            verify=str(certfile),
            timeout=10,
        )
        health = requests.get(url.rsplit("/webhooks", 1)[0] + HEALTH_PATH, verify=str(certfile), timeout=10)
        with pytest.raises(requests.exceptions.SSLError):  # a client that does not trust it refuses it
            requests.post(url, data=body, timeout=10)
        with pytest.raises(requests.exceptions.ConnectionError):  # no plaintext on the TLS port
            requests.post(
                url.replace("https://", "http://", 1),
                data=body,
                headers={SIGNATURE_HEADER: signature_of(body, token)},
                timeout=10,
            )
        stopping = time.monotonic()
        proc.send_signal(signal.SIGTERM)  # the TLS connections above may still be open: bounded wait
        out, err = proc.communicate(timeout=GRACEFUL_SHUTDOWN_SECONDS + 20)
        stopped_after = time.monotonic() - stopping
    finally:
        if proc.poll() is None:
            proc.kill()
    assert signed.status_code == 200 and signed.json()["new"] == 1
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert proc.returncode == 0, err
    assert stopped_after < GRACEFUL_SHUTDOWN_SECONDS + 10
    assert token not in out + err and keyfile.read_text() not in out + err
    ledger = open_ledger(config)
    try:
        stored = [r for r in ledger.pending_changes("Invoice") if r.event_id == event_id]
    finally:
        ledger.close()
    assert [r.entity_id for r in stored] == [f"9{len(given_by)}"]  # once: the plain-HTTP try stored nothing


def test_a_certificate_without_its_key_is_refused(config_file: Path, tmp_path: Path) -> None:
    certfile, _ = self_signed_pair(tmp_path)
    result = subprocess.run(
        [
            QBSPS,
            "webhooks",
            "serve",
            "--config",
            str(config_file),
            "--port",
            "0",
            "--tls-certfile",
            str(certfile),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--tls-certfile and --tls-keyfile go together" in result.stderr


def test_a_key_that_does_not_match_the_certificate_is_refused_by_name(
    config_file: Path, tmp_path: Path
) -> None:
    certfile, _ = self_signed_pair(tmp_path, "one")
    _, other_key = self_signed_pair(tmp_path, "other")
    result = subprocess.run(
        [
            QBSPS,
            "webhooks",
            "serve",
            "--config",
            str(config_file),
            "--port",
            "0",
            "--tls-certfile",
            str(certfile),
            "--tls-keyfile",
            str(other_key),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"TLS certificate {certfile} with key {other_key} cannot be used" in result.stderr
    assert other_key.read_text() not in result.stdout + result.stderr
