"""The systemd units' own commands, run on this machine as systemd would run them (their
ExecStart/ExecStartPost lines, the venv and ports swapped for this machine's): the migrations on
fresh databases made by deploy/postgres-init/, then the Dagster webserver and daemon and the
webhook receiver over TLS, each reported healthy by deploy/healthcheck.py; a signed webhook lands
in the ledger on PostgreSQL; every service stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml
from cryptography.fernet import Fernet

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import SIGNATURE_HEADER, signature_of
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.deploy.test_webhooks_tls import _event_body
from qbsps_tests.deploy.tls import self_signed_pair
from qbsps_tests.deploy.units import on_this_machine, unit_lines
from qbsps_tests.services import free_ports
from qbsps_tests.support import REPO

pytestmark = pytest.mark.services


@pytest.fixture()
def environment(deployment_databases: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """What /etc/qbsps/qbsps.env and the units' Environment= give the services."""
    config_path = tmp_path / "config.yaml"
    settings = SandboxSettings(qbo=QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(seed=False))
    with Sandbox(settings) as box:  # the receiver never calls QBO; the daemon's ticks may fail
        box.write_config(config_path)
    data = yaml.safe_load(config_path.read_text())
    del data["ledger"]  # as deploy/ asks: the ledger's URL and keys come from the environment
    config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "deploy" / "dagster.postgres.yaml").read_text())
    certfile, keyfile = self_signed_pair(tmp_path)
    return {
        **deployment_databases,
        "QBSPS_CONFIG": str(config_path),
        "QBSPS_SECRET_KEYS": Fernet.generate_key().decode(),
        "QBSPS_WEBHOOK_TLS_CERTFILE": str(certfile),
        "QBSPS_WEBHOOK_TLS_KEYFILE": str(keyfile),
        "DAGSTER_HOME": str(home),
    }


def test_the_units_bring_the_services_up_healthy_on_postgresql(
    environment: dict[str, str],
    started: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    report_measurement,
) -> None:
    env = {**os.environ, **environment, "PYTHONUNBUFFERED": "1"}
    web_port, hook_port = free_ports(2)
    for command in unit_lines("qbsps-migrate.service", "ExecStart"):
        line = on_this_machine(command, web_port, hook_port)
        done = subprocess.run(line, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{command}: {done.stderr}"
    # The sandbox's config names the QBO company, as `qbsps connect quickbooks` would have stored it.
    begin = time.monotonic()
    services = ("qbsps-dagster-webserver.service", "qbsps-dagster-daemon.service", "qbsps-webhooks.service")
    for unit in services:
        (command,) = unit_lines(unit, "ExecStart")
        log = (tmp_path / f"{unit}.log").open("w")
        args = on_this_machine(command, web_port, hook_port)
        started.append(
            subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    for unit in services:
        (probe,) = unit_lines(unit, "ExecStartPost")
        line = on_this_machine(probe, web_port, hook_port)
        done = subprocess.run(line, env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, (
            f"{unit}: {done.stderr}\n{(tmp_path / f'{unit}.log').read_text()[-3000:]}"
        )
    healthy_after = time.monotonic() - begin

    for name in ("QBSPS_LEDGER_URL", "QBSPS_SECRET_KEYS"):
        monkeypatch.setenv(name, environment[name])  # this process reads the ledger as the services do
    config = load_config(environment["QBSPS_CONFIG"])
    assert config.ledger.url == environment["QBSPS_LEDGER_URL"]  # the ledger on PostgreSQL
    token = config.qbo.webhook_verifier_token.resolve()  # type: ignore[union-attr]
    body = _event_body("units-stack", "77", str(config.qbo.realm_id))
    answer = requests.post(f"https://127.0.0.1:{hook_port}/webhooks/qbo", data=body, timeout=10,
                           headers={SIGNATURE_HEADER: signature_of(body, token)},
                           verify=environment["QBSPS_WEBHOOK_TLS_CERTFILE"])  # fmt: skip
    assert answer.status_code == 200 and answer.json()["new"] == 1

    for proc in started:
        os.killpg(proc.pid, signal.SIGTERM)  # as systemd stops a unit: its whole control group
    codes = [proc.wait(timeout=90) for proc in started]
    assert codes[2] == 0  # the receiver ends cleanly; Dagster's processes end on the signal
    ledger = open_ledger(config)
    try:
        assert [r.entity_id for r in ledger.pending_changes("Invoice") if r.event_id == "units-stack"] == [
            "77"
        ]
    finally:
        ledger.close()
    report_measurement(f"webserver, daemon and receiver healthy {healthy_after:.0f} s after start")
