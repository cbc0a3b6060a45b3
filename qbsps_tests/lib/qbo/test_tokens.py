"""Token refresh ahead of expiry, rotation persisted before use, one refresher at a time."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboOAuthError
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault

from .conftest import QboEnv


def test_access_token_is_reused_until_shortly_before_expiry(qbo_env: QboEnv) -> None:
    tokens = qbo_env.token_source()
    first = tokens.access_token()
    qbo_env.clock.advance(3600 - 6 * 60)  # six minutes left: still used
    assert tokens.access_token() == first and tokens.refresh_count == 1
    qbo_env.clock.advance(2 * 60)  # four minutes left: refreshed ahead of expiry
    assert tokens.access_token() != first and tokens.refresh_count == 2


def test_rotated_refresh_token_is_persisted_and_used_by_the_next_process(qbo_env: QboEnv) -> None:
    client = qbo_env.client()
    client.query("SELECT * FROM Vendor")
    qbo_env.clock.advance(25 * 3600)  # past the rotation age: the next refresh rotates
    client.query("SELECT * FROM Vendor")
    vault = LedgerTokenVault(qbo_env.ledger, qbo_env.realm_id, qbo_env.refresh_token)
    rotated = vault.current().refresh_token
    assert rotated != qbo_env.refresh_token
    # Encrypted at rest: the ledger file never holds the token in clear.
    ledger_file = Path(qbo_env.ledger.url.removeprefix("sqlite:///"))
    assert rotated.encode() not in ledger_file.read_bytes()
    # A second process (own ledger connection, same configured initial token) keeps working.
    other = Ledger(qbo_env.ledger.url, cipher=qbo_env.ledger.credentials.cipher)
    qbo_env.clock.advance(3600)
    assert qbo_env.client(qbo_env.token_source(other)).query("SELECT * FROM Vendor")["Vendor"]
    other.close()


def test_superseded_refresh_token_is_reported_without_the_token(qbo_env: QboEnv) -> None:
    qbo_env.client().query("SELECT * FROM Vendor")
    qbo_env.clock.advance(25 * 3600)
    qbo_env.client().query("SELECT * FROM Vendor")  # rotates; the configured value is now dead
    fresh_ledger = Ledger(f"{qbo_env.ledger.url}-other", cipher=qbo_env.ledger.credentials.cipher)
    fresh_ledger.migrate()
    with pytest.raises(QboOAuthError) as caught:
        qbo_env.token_source(fresh_ledger).access_token()
    assert "invalid_grant" in str(caught.value) and qbo_env.refresh_token not in str(caught.value)
    fresh_ledger.close()


def test_one_refresher_at_a_time(qbo_env: QboEnv) -> None:
    sources = [
        qbo_env.token_source(Ledger(qbo_env.ledger.url, cipher=qbo_env.ledger.credentials.cipher))
        for _ in range(4)
    ]
    results: list[str] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.access_token())) for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4 and len(set(results)) == 1  # one refresh; the others reused it
    assert sum(s.refresh_count for s in sources) == 1


def test_an_access_token_refused_with_401_is_refreshed_once(qbo_env: QboEnv) -> None:
    client = qbo_env.client()
    client.query("SELECT * FROM Vendor")
    before = client.tokens.refresh_count
    # The server's clock moves past expiry while the client still thinks its token is fresh.
    client.tokens._now = lambda: qbo_env.clock.now() - timedelta(hours=2)  # type: ignore[attr-defined]
    qbo_env.clock.advance(3700)
    assert client.query("SELECT * FROM Vendor")["Vendor"]
    assert client.tokens.refresh_count == before + 1
