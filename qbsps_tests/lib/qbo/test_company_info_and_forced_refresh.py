"""What `qbsps doctor` asks of the QBO client: the CompanyInfo read, and a refresh forced while the
access token is still fresh (stored like any refresh, rotation included)."""

from __future__ import annotations

from datetime import timedelta

from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault

from .conftest import QboEnv


def test_company_info_is_read_at_the_realm_id(qbo_env: QboEnv) -> None:
    info = qbo_env.client().company_info()
    assert info["CompanyName"] == "qbsps Demo Supplier Co"
    assert info["CompanyAddr"]["CountrySubDivisionCode"] == "MN"


def test_refresh_now_refreshes_a_fresh_token_and_stores_the_result(qbo_env: QboEnv) -> None:
    tokens = qbo_env.token_source()
    first = tokens.access_token()
    refreshed = tokens.refresh_now()
    assert tokens.refresh_count == 2 and refreshed.access_token != first
    assert tokens.access_token() == refreshed.access_token  # the new one is handed out from now on
    stored = LedgerTokenVault(qbo_env.ledger, qbo_env.realm_id, None).current()
    assert stored.access_token == refreshed.access_token
    assert refreshed.refresh_expires_at is not None
    left = refreshed.refresh_expires_at - qbo_env.clock.now()
    assert timedelta(days=100) < left <= timedelta(days=101)  # the sandbox's rolling 8,726,400 s


def test_refresh_now_persists_a_rotated_refresh_token(qbo_env: QboEnv) -> None:
    tokens = qbo_env.token_source()
    tokens.access_token()
    qbo_env.clock.advance(25 * 3600)  # past the rotation age
    rotated = tokens.refresh_now().refresh_token
    assert rotated != qbo_env.refresh_token
    assert LedgerTokenVault(qbo_env.ledger, qbo_env.realm_id, None).current().refresh_token == rotated
    assert qbo_env.client(tokens).company_info()["Id"] == "1"  # and it keeps working
