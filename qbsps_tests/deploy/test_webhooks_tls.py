"""`qbsps webhooks serve` over HTTPS, as Intuit calls it: a signed webhook POSTed with `requests`
(verifying the receiver's certificate) lands in the ledger inbox; plain HTTP to that port fails."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
import requests

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import HEALTH_PATH, SIGNATURE_HEADER, signature_of
from qbsps_orchestration.lib.webhooks.serve import GRACEFUL_SHUTDOWN_SECONDS
from qbsps_tests.deploy.tls import self_signed_pair
from qbsps_tests.lib.webhooks.receiver_process import receiver_config, refused_receiver, start_receiver


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return receiver_config(tmp_path_factory.mktemp("webhooks-tls"))


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
    proc, url = start_receiver(["--config", str(config_file), *args], env)
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
    result = refused_receiver(["--config", str(config_file), "--tls-certfile", str(certfile)])
    assert result.returncode == 2
    assert "--tls-certfile and --tls-keyfile go together" in result.stderr


def test_a_key_that_does_not_match_the_certificate_is_refused_by_name(
    config_file: Path, tmp_path: Path
) -> None:
    certfile, _ = self_signed_pair(tmp_path, "one")
    _, other_key = self_signed_pair(tmp_path, "other")
    tls = ["--tls-certfile", str(certfile), "--tls-keyfile", str(other_key)]
    result = refused_receiver(["--config", str(config_file), *tls])
    assert result.returncode == 1
    assert f"TLS certificate {certfile} with key {other_key} cannot be used" in result.stderr
    assert other_key.read_text() not in result.stdout + result.stderr
