"""`qbsps webhooks serve` as a user runs it: a subprocess that answers signed POSTs until signalled."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import signature_of
from qbsps_tests.lib.webhooks.receiver_process import receiver_config, refused_receiver, start_receiver


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return receiver_config(tmp_path_factory.mktemp("webhooks-cli"))


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
    proc, url = start_receiver(["--config", str(config_file)])
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
    result = refused_receiver(["--config", str(unsigned)])
    assert result.returncode == 1
    assert "no qbo.webhook_verifier_token" in result.stderr
