"""A lost refresh answer after Intuit rotated the token: "reconnect needed", stored in the ledger,
shown by `qbsps status`, raised by every later QBO call without asking the token endpoint again,
and cleared by a reconnection. Against the sandbox's real token endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connect import AppCredentials, connect_quickbooks
from qbsps_orchestration.lib.connector import qbo_client
from qbsps_orchestration.lib.qbo import QboReconnectNeededError
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.consent_browser import decide
from qbsps_tests.sandboxed import FAST_RETRY, SandboxedConnector, sandboxed_connector

TOKEN_PATH = "/oauth2/v1/tokens/bearer"


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxedConnector]:
    with sandboxed_connector(tmp_path, monkeypatch, samples=False) as connector:
        yield connector


def token_calls(running: SandboxedConnector) -> int:
    """Refresh grants the sandbox's token endpoint answered (issued or refused)."""
    authority = running.box.qbo.authority
    issued = sum(family["refreshes"] for family in authority.store.describe()["families"])
    return issued + sum(authority.invalid_grants.values())


def expire_access_and_rotate_next(running: SandboxedConnector) -> None:
    running.box.qbo.settings.refresh_rotation_age = 0  # the next refresh rotates the refresh token
    running.box.clock.advance(3600)  # the access token we hold has expired


def lose_the_answer_of_a_rotating_refresh(running: SandboxedConnector) -> None:
    running.box.qbo.authority.drop_next_refresh_response = True
    with pytest.raises(QboReconnectNeededError) as caught:
        running.qbo().query("SELECT * FROM Vendor")
    assert running.box.qbo.authority.dropped_refresh_responses == 1
    message = str(caught.value)
    assert "qbsps connect quickbooks" in message and "answer to a token refresh was lost" in message


def status(running: SandboxedConnector) -> str:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("qbsps")), "status", "--config", str(running.config_path)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_lost_refresh_answer_then_invalid_grant_needs_a_reconnect(running: SandboxedConnector) -> None:
    assert running.qbo().query("SELECT * FROM Vendor")["Vendor"]
    expire_access_and_rotate_next(running)
    lose_the_answer_of_a_rotating_refresh(running)
    calls = token_calls(running)
    assert running.box.qbo.authority.invalid_grants == {"refresh token was superseded by a newer value": 1}

    # Every later call, in this process or another one, fails at once and never asks Intuit again.
    running.box.clock.advance(3600)
    for _ in range(3):
        with pytest.raises(QboReconnectNeededError, match="qbsps connect quickbooks"):
            running.qbo().query("SELECT * FROM Vendor")
    assert token_calls(running) == calls

    # Stored in the ledger, shown by `qbsps status`, and never with a token in it.
    [dead] = running.ledger.credentials.reconnects_needed()
    assert dead.name == f"qbo.tokens.{running.box.settings.qbo.realm_id}"
    shown = status(running)
    assert "Connections that need reconnecting:" in shown and "run `qbsps connect quickbooks`" in shown
    stored = LedgerTokenVault(running.ledger, running.box.settings.qbo.realm_id, None).current()
    assert stored.refresh_token not in shown and stored.refresh_token not in dead.reason

    # A successful `qbsps connect quickbooks` clears it; QBO calls work again.
    reconnect(running)
    assert running.qbo().query("SELECT * FROM Vendor")["Vendor"]
    assert "reconnecting" not in status(running)


def test_a_changed_configured_refresh_token_clears_reconnect_needed(running: SandboxedConnector) -> None:
    running.qbo().query("SELECT * FROM Vendor")
    expire_access_and_rotate_next(running)
    lose_the_answer_of_a_rotating_refresh(running)
    # The user got a new refresh token (e.g. from Intuit's OAuth playground) and put it in the config.
    data = yaml.safe_load(running.config_path.read_text())
    data["qbo"]["refresh_token"] = {"value": running.box.qbo.authority.issue_refresh_token()}
    running.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    client = qbo_client(load_config(running.config_path), running.ledger, retry=FAST_RETRY)
    assert client.query("SELECT * FROM Vendor")["Vendor"]
    assert running.ledger.credentials.reconnects_needed() == []


def test_the_client_that_lost_the_refresh_never_offers_the_refused_token_again(
    running: SandboxedConnector,
) -> None:
    """One client for a whole pass: after the 401 and the lost refresh, its next call fails with the
    reconnect message before reaching QBO (it used to send the refused token on, and a 429 or 5xx
    answered before the token was even checked hid why nothing worked)."""
    client = running.qbo()
    assert client.query("SELECT * FROM Vendor")["Vendor"]
    expire_access_and_rotate_next(running)
    running.box.qbo.authority.drop_next_refresh_response = True
    with pytest.raises(QboReconnectNeededError):
        client.query("SELECT * FROM Vendor")
    throttled = FaultRule(status=429, count=50, path_prefix="/v3/company/", retry_after=0)
    running.box.qbo_faults.add(throttled)
    with pytest.raises(QboReconnectNeededError, match="qbsps connect quickbooks"):
        client.query("SELECT * FROM Vendor")
    assert throttled.hits == 0


def test_a_lost_answer_without_rotation_is_retried_and_needs_nothing(running: SandboxedConnector) -> None:
    running.qbo().query("SELECT * FROM Vendor")
    running.box.clock.advance(3600)  # the rotation age (24 h) is not reached: the value stays valid
    running.box.qbo.authority.drop_next_refresh_response = True
    assert running.qbo().query("SELECT * FROM Vendor")["Vendor"]
    assert running.box.qbo.authority.dropped_refresh_responses == 1
    assert running.ledger.credentials.reconnects_needed() == []


@pytest.mark.parametrize(
    "fault",
    [
        FaultRule(status=503, count=2, path_prefix=TOKEN_PATH),
        FaultRule(drop=True, count=2, path_prefix=TOKEN_PATH),
    ],
    ids=["503-before-intuit", "connection-dropped-before-intuit"],
)
def test_transient_failures_before_the_token_endpoint_never_trip_it(
    running: SandboxedConnector, fault: FaultRule
) -> None:
    running.qbo().query("SELECT * FROM Vendor")
    expire_access_and_rotate_next(running)
    running.box.qbo_faults.add(fault)
    assert running.qbo().query("SELECT * FROM Vendor")["Vendor"]  # retried: the token was never spent
    assert fault.hits == 2 and running.ledger.credentials.reconnects_needed() == []
    assert running.box.qbo.authority.invalid_grants == {}


def test_a_dead_newly_configured_refresh_token_is_asked_about_once(running: SandboxedConnector) -> None:
    running.qbo().query("SELECT * FROM Vendor")
    data = yaml.safe_load(running.config_path.read_text())
    data["qbo"]["refresh_token"] = {"value": "AB11-a-value-intuit-never-issued"}
    running.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    config = load_config(running.config_path)
    running.box.clock.advance(3600)
    with pytest.raises(QboReconnectNeededError, match="revoked, expired or superseded"):
        qbo_client(config, running.ledger, retry=FAST_RETRY).query("SELECT * FROM Vendor")
    calls = token_calls(running)
    for _ in range(2):
        with pytest.raises(QboReconnectNeededError):
            qbo_client(config, running.ledger, retry=FAST_RETRY).query("SELECT * FROM Vendor")
    assert token_calls(running) == calls


def reconnect(running: SandboxedConnector) -> None:
    """What the user does: `qbsps connect quickbooks` through the sandbox's consent page."""
    settings = running.box.settings.qbo
    connect_quickbooks(
        running.config,
        running.ledger,
        AppCredentials(settings.client_id, settings.client_secret),
        "http://localhost:8714/callback",
        lambda request: decide(request.url),
    )
    assert running.ledger.credentials.reconnects_needed() == []
