"""lib/connect.py and the connector's fallbacks: each credential from the config when it names one,
else from what `connect` stored; a plain NotConnectedError when neither has it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.config import INTUIT_DISCOVERY_URL, QbspsConfig, load_config
from qbsps_orchestration.lib.connect import AppCredentials, connect_quickbooks, connect_sps, known_qbo_app
from qbsps_orchestration.lib.connections import load_qbo_connection
from qbsps_orchestration.lib.connector import (
    QBO_NOT_CONNECTED,
    NotConnectedError,
    connected_config,
    qbo_client,
    sps_client,
)
from qbsps_orchestration.lib.sps.credentials_check import SpsCredentialsError
from qbsps_tests.consent_browser import decide
from qbsps_tests.sandboxed import SandboxedConnector, sandboxed_connector


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxedConnector]:
    with sandboxed_connector(tmp_path, monkeypatch, samples=False) as connector:
        yield connector


def _config_without(running: SandboxedConnector, qbo: tuple[str, ...], sps: tuple[str, ...]) -> QbspsConfig:
    data = yaml.safe_load(running.config_path.read_text())
    for key in qbo:
        del data["qbo"][key]
    for key in sps:
        del data["sps"][key]
    path = running.config_path.with_name("variant.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_config(path)


def _bare(running: SandboxedConnector) -> QbspsConfig:
    return _config_without(
        running, ("client_id", "client_secret", "refresh_token", "realm_id"), ("client_id", "client_secret")
    )


def _qbo_app(running: SandboxedConnector) -> AppCredentials:
    settings = running.box.settings.qbo
    return AppCredentials(settings.client_id, settings.client_secret)


def _connect(running: SandboxedConnector, config: QbspsConfig) -> None:
    connect_quickbooks(
        config, running.ledger, _qbo_app(running), "http://localhost:8714/callback", lambda r: decide(r.url)
    )


def test_a_config_without_credentials_loads_and_says_what_is_missing(running: SandboxedConnector) -> None:
    config = _bare(running)
    assert config.qbo.realm_id is None and config.qbo.client_id is None and config.sps.client_secret is None
    assert list(dict(config.credential_sources())) == ["qbo.webhook_verifier_token", "ledger.secret_keys"]
    assert connected_config(config, running.ledger) is config  # nothing connected yet
    with pytest.raises(NotConnectedError, match=f"^{QBO_NOT_CONNECTED}$"):
        qbo_client(config, running.ledger)
    with pytest.raises(NotConnectedError, match="^SPS is not connected: run qbsps connect sps$"):
        sps_client(config, ledger=running.ledger)


def test_the_discovery_url_defaults_to_intuits_production_document(running: SandboxedConnector) -> None:
    assert _config_without(running, ("discovery_url",), ()).qbo.discovery_url == INTUIT_DISCOVERY_URL
    assert INTUIT_DISCOVERY_URL == "https://developer.intuit.com/.well-known/openid_configuration/"


def test_after_connect_the_realm_and_app_come_from_the_ledger(running: SandboxedConnector) -> None:
    config = _bare(running)
    _connect(running, config)
    connection = load_qbo_connection(running.ledger)
    assert connection is not None and connection.client_secret not in repr(connection)
    assert known_qbo_app(config, running.ledger) == (connection.client_id, connection.client_secret)

    filled = connected_config(config, running.ledger)
    assert filled.qbo.realm_id == running.box.settings.qbo.realm_id and config.qbo.realm_id is None
    assert filled.source_path == config.source_path and filled.items == config.items  # private state kept
    client = qbo_client(config, running.ledger)  # the realm is found without the filled config too
    try:
        assert client.realm_id == filled.qbo.realm_id
        assert client.query("SELECT * FROM Account")["Account"]
    finally:
        client.close()


def test_a_config_that_pins_another_company_is_told_to_connect_it(running: SandboxedConnector) -> None:
    _connect(running, _bare(running))
    data = yaml.safe_load(running.config_path.read_text())
    del data["qbo"]["refresh_token"]
    data["qbo"]["realm_id"] = "4620816365150000000"
    running.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(NotConnectedError, match="^QuickBooks company 4620816365150000000 is not connected"):
        qbo_client(load_config(running.config_path), running.ledger)


def test_sps_credentials_are_proven_then_used_field_by_field(running: SandboxedConnector) -> None:
    sps = running.box.settings.sps
    bare = _bare(running)
    with pytest.raises(SpsCredentialsError, match="SPS refused the credentials"):
        connect_sps(bare, running.ledger, AppCredentials(sps.client_id, "wrong"))
    with pytest.raises(NotConnectedError):
        sps_client(bare, ledger=running.ledger)

    connect_sps(bare, running.ledger, AppCredentials(sps.client_id, sps.client_secret))
    # The config names only the client id; the secret comes from the ledger.
    only_id = _config_without(running, (), ("client_secret",))
    for config in (bare, only_id):
        client = sps_client(config)  # opens the ledger itself to read the stored keys
        try:
            assert client.auth_check()
        finally:
            client.close()
