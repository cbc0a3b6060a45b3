"""The conditions read from a real ledger: documents stuck past the threshold (failed, or still
owed since their version arrived), a credential marked dead, the QBO refresh token's two limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from qbsps_orchestration.lib.alerts import AlertKind, Redactor
from qbsps_orchestration.lib.alerts.conditions import (
    FIVE_YEARS,
    MAX_DOCUMENT_ALERTS,
    credential_alerts,
    reconnect_alerts,
    stuck_document_alerts,
)
from qbsps_orchestration.lib.connections import QboConnection, store_qbo_connection
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboTokens
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault

HOUR = timedelta(hours=1)


def _age(ledger: Ledger, document_id: int, by: timedelta) -> None:
    """Time passes for one document: its row and its versions are `by` older."""
    engine = sa.create_engine(ledger.url)
    at = datetime.now(UTC) - by
    with engine.begin() as connection:
        for table, column in (("documents", "id"), ("document_versions", "document_id")):
            stamp = "updated_at" if table == "documents" else "received_at"
            connection.execute(
                sa.text(f"UPDATE {table} SET {stamp} = :at WHERE {column} = :id"),
                {"at": at.replace(tzinfo=None), "id": document_id},
            )
    engine.dispose()


def test_failed_and_owed_documents_past_the_threshold_are_stuck(ledger: Ledger) -> None:
    failed = ledger.record_inbound("Order", "SPSALLTESTID", "PO-FAIL", b"<Order/>").document_id
    ledger.mark_failed(failed, "LineItem[0].OrderLine: unknown item NOPE; map it in items")
    owed = ledger.record_inbound("Order", "SPSALLTESTID", "PO-OWED", b"<Order/>").document_id
    ledger.schedule_retry(owed, "QBO answered HTTP 503 after 6 attempts")
    fresh = ledger.record_inbound("Order", "SPSALLTESTID", "PO-NEW", b"<Order/>").document_id
    ledger.mark_failed(fresh, "just failed")
    _age(ledger, failed, 2 * HOUR)
    _age(ledger, owed, 3 * HOUR)
    now = datetime.now(UTC)

    alerts = stuck_document_alerts(ledger, now, HOUR)
    assert [a.dedup_key for a in alerts] == [
        f"stuck_document:{owed}",
        f"stuck_document:{failed}",
    ]  # oldest first
    owed_alert, failed_alert = alerts
    assert failed_alert.subject == "Order PO-FAIL (from trading partner SPSALLTESTID) stuck: failed"
    assert "Reason: LineItem[0].OrderLine: unknown item NOPE; map it in items" in failed_alert.body
    assert "What to do: map the retailer's item to a QBO Item" in failed_alert.body
    assert f'then run it again: qbsps replay {failed} --reason "..."' in failed_alert.body
    assert f"Ledger document: {failed}" in failed_alert.body and "(2 hours)" in failed_alert.body
    assert "waiting to be written" in owed_alert.subject and "1 transient failures" in owed_alert.body
    assert "QBO answered HTTP 503" in owed_alert.body
    assert stuck_document_alerts(ledger, now, 4 * HOUR) == []


def test_a_flood_of_stuck_documents_is_capped_with_one_alert_for_the_rest(ledger: Ledger) -> None:
    for n in range(MAX_DOCUMENT_ALERTS + 3):
        doc = ledger.record_inbound("Order", "SPSALLTESTID", f"PO-{n:03}", b"<Order/>").document_id
        ledger.mark_failed(doc, "refused")
        _age(ledger, doc, 2 * HOUR)
    alerts = stuck_document_alerts(ledger, datetime.now(UTC), HOUR)
    assert len(alerts) == MAX_DOCUMENT_ALERTS + 1
    assert alerts[-1].dedup_key == "stuck_document:more" and alerts[-1].subject.startswith("3 more documents")


def test_a_dead_credential_asks_for_reconnection(ledger: Ledger) -> None:
    vault = LedgerTokenVault(ledger, "9130", None)
    vault.replace(QboTokens("at", datetime.now(UTC), "rt-secret-value-1"))
    snapshot = vault.snapshot()
    lease = vault.claim(snapshot, "test", timedelta(minutes=1))
    assert lease is not None
    reason = "QBO token refresh refused: HTTP 400 invalid_grant: run `qbsps connect quickbooks`"
    assert vault.mark_reconnect_needed(lease, reason)
    [alert] = reconnect_alerts(ledger)
    assert alert.kind is AlertKind.RECONNECT_NEEDED and alert.dedup_key == "reconnect_needed:qbo.tokens.9130"
    assert reason in alert.body and "run `qbsps connect quickbooks`." in alert.body
    assert "rt-secret-value-1" not in alert.text


def test_the_refresh_tokens_rolling_and_five_year_ends_warn_ahead(ledger: Ledger) -> None:
    now = datetime.now(UTC)
    assert credential_alerts(ledger, "9130", now, 14) == []  # not connected: nothing to warn of
    vault = LedgerTokenVault(ledger, "9130", None)
    vault.replace(
        QboTokens("at", now + HOUR, "rt-secret-value-2", refresh_expires_at=now + timedelta(days=60))
    )
    connected = now - FIVE_YEARS + timedelta(days=8, hours=1)  # 8 days left
    store_qbo_connection(ledger, QboConnection("9130", "client-id", "client-secret-xyz", connected))
    [five_year] = credential_alerts(ledger, "9130", now, 14)
    assert five_year.dedup_key == "credential_expiring:qbo.tokens.9130:five_year"
    assert "(8 days left)" in five_year.subject and "qbsps connect quickbooks" in five_year.body

    vault.replace(
        QboTokens("at", now + HOUR, "rt-secret-value-2", refresh_expires_at=now + timedelta(days=10, hours=1))
    )
    rolling, _ = credential_alerts(ledger, None, now, 14)  # the realm from the stored connection
    assert rolling.dedup_key == "credential_expiring:qbo.tokens.9130:rolling"
    assert "(10 days left)" in rolling.subject and "100 days" in rolling.body
    [only] = credential_alerts(ledger, "9130", now, 9)  # 10 days left is not within 9, 8 is
    assert only.dedup_key.endswith(":five_year")
    for alert in credential_alerts(ledger, "9130", now, 14):
        assert "rt-secret-value-2" not in alert.text and "client-secret-xyz" not in alert.text


def test_the_redactor_hides_known_secrets_and_credential_shapes() -> None:
    redact = Redactor(["hunter2-long", "https://hooks.example.com/services/T1/B1/abc"])
    text = redact(
        "login hunter2-long failed; postgresql://u:pw@db/x; Authorization: Bearer eyJhbGciOi.xyz; "
        "posting to /services/T1/B1/abc and https://hooks.slack.com/services/T9/B9/zzz?x=1"
    )
    assert "hunter2-long" not in text and "u:pw" not in text and "eyJhbGciOi" not in text
    assert "/services/T1/B1/abc" not in text and "T9/B9/zzz" not in text
    assert text.count("[redacted]") == 5
