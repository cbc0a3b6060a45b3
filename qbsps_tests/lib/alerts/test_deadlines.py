"""Deadline alerts at an injected `now`, delivered to a real local SMTP server and webhook: one
when a deadline becomes near, one when it is missed, none when the document went out, none again
on the next tick; the message names partner, document, PO, deadline and estimated chargeback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import yaml

from qbsps_orchestration.lib.alerts import AlertKind, deadline_alerts, notifiers_from, watch_deadlines
from qbsps_orchestration.lib.alerts.deadlines import MAX_PER_STATE
from qbsps_orchestration.lib.config import QbspsConfig, config_from_mapping
from qbsps_orchestration.lib.deadlines import DocumentKind, Obligation, Shipped
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_tests.lib.alerts.servers import SMTP_PASSWORD, SmtpInbox, WebhookInbox, channels_config
from qbsps_tests.lib.config.conftest import SAMPLE_YAML
from qbsps_tests.lib.outbound.landed_orders import order_bytes

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
SHIPPED = Shipped("SPSALLTESTID", "71", "INV-71", "INV-71", "PO-71", date(2026, 11, 26), Decimal("412.30"))
DUE = datetime(2026, 11, 27, tzinfo=UTC)  # 24 hours after the ship date (UTC partner calendar)


def _config(smtp: SmtpInbox, webhook: WebhookInbox, **more: object) -> QbspsConfig:
    data = yaml.safe_load(SAMPLE_YAML)
    data["alerts"] = channels_config(smtp, webhook)
    data["trading_partners"][0]["deadlines"] = {
        "near_hours": 4,
        "ship_notice": {"hours_after_ship": 24, "chargeback": {"kind": "per_carton", "amount": "3.75"}},
        **more,
    }
    data["trading_partners"][0]["send_order_acks"] = True
    return config_from_mapping(data)


def test_near_then_missed_each_alert_once(ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox) -> None:
    config = _config(smtp, webhook)
    channels = notifiers_from(config.alerts)

    def tick(now: datetime, shipped: list[Shipped] = [SHIPPED]) -> tuple[int, int]:  # noqa: B006
        result = watch_deadlines(ledger, config, channels, now, lambda: shipped)
        assert result.problems == ()
        return len(result.delivery.sent), result.delivery.cleared

    assert tick(DUE - timedelta(hours=5)) == (0, 0)  # open: outside the 4-hour window
    assert smtp.mails == []
    assert tick(DUE - timedelta(hours=3)) == (1, 0)  # near
    assert tick(DUE - timedelta(hours=2)) == (0, 0)  # still near: not again
    [near] = smtp.mails
    subject = str(near.message["Subject"])
    document = "ship notice (856) for PO PO-71 (QBO invoice INV-71)"
    assert subject == f"[qbsps] Due in 3 hours: {document} to SPS All Test Retail"
    assert "Trading partner: SPS All Test Retail (SPSALLTESTID)" in near.body
    assert "is due 2026-11-27 00:00 UTC (24 hours after ship date 2026-11-26)" in near.body
    # Not built yet: one carton (the ship notice builder's default) at 3.75.
    assert "Estimated chargeback if late: 3.75 (3.75 per carton)" in near.body
    assert near.message["X-Qbsps-Alert"] == "deadline_near:SPSALLTESTID:856:PO-71:INV-71"

    assert tick(DUE + timedelta(minutes=1)) == (1, 1)  # missed: the near alert clears
    assert tick(DUE + timedelta(hours=6)) == (0, 0)
    missed = smtp.mails[1]
    assert str(missed.message["Subject"]).startswith("[qbsps] Missed: ship notice (856) for PO PO-71")
    assert "was due 2026-11-27 00:00 UTC" in missed.body and "6 hours ago" not in missed.body
    assert len(smtp.mails) == 2 and len(webhook.texts) == 2
    assert webhook.texts[1].startswith("Missed: ship notice (856)")
    assert all(SMTP_PASSWORD not in m.body for m in smtp.mails)


def test_met_before_the_window_alerts_nothing(ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox) -> None:
    config = _config(smtp, webhook)
    recorded = ledger.record_outbound(
        "Shipment", "SPSALLTESTID", "INV-71", b'{"Shipment": {}}', qbo_entity="Invoice", qbo_id="71"
    )
    ledger.mark_synced(recorded.document_id, version_id=recorded.version_id)  # a confirmed upload
    for hours in (-3, 1, 30):
        result = watch_deadlines(
            ledger, config, notifiers_from(config.alerts), DUE + timedelta(hours=hours), lambda: [SHIPPED]
        )
        assert result.delivery.sent == [] and result.problems == ()
    assert smtp.mails == [] and webhook.texts == [] and ledger.alerts.stored(include_cleared=True) == []


def test_a_failed_qbo_read_keeps_shipment_alerts_and_still_checks_acks(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    config = _config(smtp, webhook, acknowledgment={"hours_after_order": 24})
    channels = notifiers_from(config.alerts)
    watch_deadlines(ledger, config, channels, DUE + timedelta(hours=1), lambda: [SHIPPED])  # 856 missed
    arrived = ledger.document(
        ledger.record_inbound(
            "Order", "SPSALLTESTID", "PO-72", order_bytes("PO-72"), format="json"
        ).document_id
    )
    now = arrived.created_at + timedelta(hours=22)  # the 855 is near

    def unreachable() -> list[Shipped]:
        raise ConnectionError(f"QBO down (password {SMTP_PASSWORD})")

    result = watch_deadlines(ledger, config, channels, now, unreachable)
    assert result.checked == () and result.delivery.cleared == 0
    assert result.problems == ("deadline check failed: ConnectionError: QBO down (password [redacted])",)
    assert len(result.delivery.sent) == 1 and ":855:PO-72:" in result.delivery.sent[0]
    open_alerts = sorted((a.kind, a.dedup_key.split(":")[2]) for a in ledger.alerts.stored())
    assert open_alerts == [(AlertKind.DEADLINE_MISSED.value, "856"), (AlertKind.DEADLINE_NEAR.value, "855")]
    assert len(smtp.mails) == 2 and "order acknowledgment (855) for PO PO-72" in smtp.mails[1].body


def test_more_than_the_cap_is_one_summary_alert() -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    found = [
        Obligation(
            "TP",
            "Retailer",
            DocumentKind.INVOICE,
            f"PO-{i}",
            f"INV-{i}",
            now - timedelta(hours=i + 1),
            "3 days after ship date",
            False,
            timedelta(hours=4),
        )
        for i in range(MAX_PER_STATE + 3)
    ]
    alerts = deadline_alerts(found, now)
    assert len(alerts) == MAX_PER_STATE + 1 and alerts[-1].key == "more"
    assert alerts[-1].subject == "3 more partner deadlines missed"
    assert "No chargeback rule is configured" in alerts[0].body
