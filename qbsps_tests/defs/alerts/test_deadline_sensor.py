"""deadline_alert_sensor through Dagster against the sandbox: orders landed through the inbound
path, an invoice shipped in its QuickBooks (read over HTTP by the sensor's QBO resource), alerts
by real SMTP and webhook. Near and missed alert once each; a document sent clears its alerts;
without a deadlines: block or an alerts: section the sensor skips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml

from qbsps_orchestration.defs.alerts.sensors import deadline_alert_sensor
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.outbound.flow import OutboundContext, invoice_key, process_invoice
from qbsps_tests.defs.inbound.helpers import resources
from qbsps_tests.lib.alerts.servers import (
    SmtpInbox,
    WebhookInbox,
    channels_config,
    smtp_server,
    webhook_server,
)
from qbsps_tests.lib.deadlines.partner_deadlines import DEADLINES, acknowledge, land, schemas, with_deadlines
from qbsps_tests.sandboxed import SandboxedConnector

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
# The 855 is due 24 hours after the order arrives; a 30-hour window makes it near at once.
SENSOR_DEADLINES = {**DEADLINES, "near_hours": 30}


@pytest.fixture
def channels() -> tuple[SmtpInbox, WebhookInbox]:
    with smtp_server(login=True) as smtp, webhook_server() as webhook:
        yield smtp, webhook


def _tick(instance: dg.DagsterInstance, c: SandboxedConnector) -> str:
    with dg.build_sensor_context(instance=instance, resources=resources(c)) as context:
        result = deadline_alert_sensor(context)
    assert isinstance(result, dg.SkipReason)
    return result.skip_message or ""


def _configure(c: SandboxedConnector, smtp: SmtpInbox, webhook: WebhookInbox) -> None:
    with_deadlines(c, SENSOR_DEADLINES)
    data = yaml.safe_load(c.config_path.read_text())
    data["alerts"] = channels_config(smtp, webhook)
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    c.config = load_config(c.config_path)


def _order_arrived(c: SandboxedConnector, hours_ago: float) -> None:
    """Time passes for the orders: they arrived `hours_ago`."""
    engine = sa.create_engine(c.config.ledger.url)
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE documents SET created_at = :at WHERE direction = 'inbound'"), {"at": at}
        )
    engine.dispose()


def test_near_and_missed_alert_once_and_sending_clears(
    instance: dg.DagsterInstance, inbound: SandboxedConnector, channels: tuple[SmtpInbox, WebhookInbox]
) -> None:
    smtp, webhook = channels
    c = inbound
    _configure(c, smtp, webhook)
    results = land(c, "PO-SENSE-1")
    invoice = c.create_invoice("INV-SENSE-1", "PO-SENSE-1")  # shipped 2026-11-26: 856 and 810 overdue

    first = _tick(instance, c)
    assert first.startswith("deadline alerts sent: 3, not sent yet: 0"), first
    subjects = sorted(str(m.message["Subject"]) for m in smtp.mails)
    assert (
        subjects[0].startswith("[qbsps] Due in ")
        and "order acknowledgment (855) for PO PO-SENSE-1" in subjects[0]
    )
    assert subjects[1].startswith("[qbsps] Missed: invoice (810) for PO PO-SENSE-1 (QBO invoice INV-SENSE-1)")
    assert subjects[2].startswith("[qbsps] Missed: ship notice (856) for PO PO-SENSE-1")
    bodies = {str(m.message["X-Qbsps-Alert"]).split(":")[2]: m.body for m in smtp.mails}
    assert "Estimated chargeback if late: 50.00 (50.00 per late document)" in bodies["855"]
    assert "was due 2026-11-29 00:00 CST (3 days after ship date 2026-11-26)" in bodies["810"]
    assert "Estimated chargeback if late: 25 (2% of the amount, at least 25)" in bodies["810"]
    assert "Estimated chargeback if late: 2.50 (2.50 per carton)" in bodies["856"]
    assert len(webhook.texts) == 3

    assert _tick(instance, c).startswith("deadline alerts sent: 0,")  # next tick: nothing again
    _order_arrived(c, hours_ago=25)
    assert _tick(instance, c).startswith("deadline alerts sent: 1, not sent yet: 0, cleared: 1")
    assert str(smtp.mails[-1].message["Subject"]).startswith("[qbsps] Missed: order acknowledgment (855)")

    acknowledge(c, "PO-SENSE-1", results)
    ctx = OutboundContext(c.config, c.ledger, c.qbo(), c.sps(), schemas())
    outcome = process_invoice(ctx, invoice_key(invoice["Id"]))
    assert (outcome.invoice.outcome, outcome.ship_notice.outcome) == ("sent", "sent")
    assert _tick(instance, c) == "deadline alerts sent: 0, not sent yet: 0, cleared: 3"
    assert len(smtp.mails) == 4 and len(webhook.texts) == 4
    assert all(a.cleared_at is not None for a in c.ledger.alerts.stored(include_cleared=True))


def test_skips_without_deadlines_or_alerts(
    instance: dg.DagsterInstance, inbound: SandboxedConnector, channels: tuple[SmtpInbox, WebhookInbox]
) -> None:
    c = inbound
    assert "alerts are not configured" in _tick(instance, c)
    data = yaml.safe_load(c.config_path.read_text())
    data["alerts"] = channels_config(*channels)
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert _tick(instance, c) == "no trading partner has a deadlines: block"
    assert channels[0].mails == []
