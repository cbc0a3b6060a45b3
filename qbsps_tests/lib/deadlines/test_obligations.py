"""Obligations against the sandbox: orders landed through the real inbound path, invoices shipped
in its QuickBooks and read back over HTTP, documents sent by the real outbound and ack flows.
Each deadline is open, near, missed or met at an injected `now`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from qbsps_orchestration.lib.deadlines import (
    DeadlineState,
    DocumentKind,
    Obligation,
    lookback_start,
    obligations,
    shipment_partners,
    shipped_invoices,
)
from qbsps_orchestration.lib.ledger import Direction
from qbsps_orchestration.lib.qbo.refs import QboRefResolver
from qbsps_tests.lib.deadlines.partner_deadlines import (
    PARTNER,
    SHIP_DATE,
    ZONE,
    acknowledge,
    land,
    ship_and_send,
    with_deadlines,
)
from qbsps_tests.sandboxed import SandboxedConnector

CHICAGO = ZoneInfo(ZONE)
SHIP_DAY_START = datetime(2026, 11, 26, tzinfo=CHICAGO)


def _shipped(c: SandboxedConnector, now: datetime) -> list:
    qbo = c.qbo()
    return shipped_invoices(
        qbo, QboRefResolver(qbo, c.ledger), shipment_partners(c.config), lookback_start(c.config, now).date()
    )


def _by(found: list[Obligation], kind: DocumentKind, po: str) -> Obligation:
    [match] = [o for o in found if o.kind is kind and o.po_number == po]
    return match


def test_ship_notice_and_invoice_deadlines_from_qbo_ship_dates(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    with_deadlines(c)
    land(c, "PO-DL-1")  # no delivery date: the 856 is due 24 hours after the ship date
    land(c, "PO-DL-2", deliver_by=SHIP_DATE)  # must arrive on the ship date: the 856 is due before it
    owed = c.create_invoice("INV-DL-1", "PO-DL-1")  # shipped in QBO, nothing sent yet
    ship_and_send(c, "INV-DL-2", "PO-DL-2")
    c.create_invoice("INV-DL-3", "", shipped=True)  # no PO: nothing the partner tracks
    c.create_invoice("INV-DL-4", "PO-DL-1", shipped=False)  # no ShipDate: no clock runs

    now = SHIP_DAY_START + timedelta(hours=22)
    found = obligations(c.config, c.ledger, _shipped(c, now), now)
    assert sorted({o.reference for o in found if o.kind is not DocumentKind.ACKNOWLEDGMENT}) == [
        "INV-DL-1",
        "INV-DL-2",
    ]

    notice = _by(found, DocumentKind.SHIP_NOTICE, "PO-DL-1")
    assert notice.due == SHIP_DAY_START + timedelta(hours=24) and notice.due.tzinfo is not None
    assert notice.reference == owed["DocNumber"] and notice.partner_name
    assert notice.state(now) is DeadlineState.NEAR  # 2 hours left, the window is 4
    assert notice.state(now - timedelta(hours=3)) is DeadlineState.OPEN
    assert notice.state(notice.due) is DeadlineState.MISSED
    # Not built yet: the builder's default packing, one carton, at 2.50 a carton.
    assert notice.chargeback == Decimal("2.50")

    invoice = _by(found, DocumentKind.INVOICE, "PO-DL-1")
    assert invoice.due == SHIP_DAY_START + timedelta(days=3)
    assert invoice.state(now) is DeadlineState.OPEN
    # 2% of the 80.00 invoice is 1.60, below the rule's 25 minimum.
    assert invoice.chargeback == Decimal("25") and "2% of the amount, at least 25" in invoice.chargeback_rule

    sent_notice = _by(found, DocumentKind.SHIP_NOTICE, "PO-DL-2")
    assert sent_notice.due == SHIP_DAY_START and "delivery date 2026-11-26" in sent_notice.why
    assert sent_notice.state(now) is DeadlineState.MET
    assert _by(found, DocumentKind.INVOICE, "PO-DL-2").state(now) is DeadlineState.MET


def test_acknowledgment_deadline_counts_from_the_orders_arrival(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    with_deadlines(c)
    land(c, "PO-ACK-1")
    acked = land(c, "PO-ACK-2")
    acknowledge(c, "PO-ACK-2", acked)
    arrived = c.ledger.find_document(*_inbound_order("PO-ACK-1")).created_at
    now = arrived + timedelta(hours=21)

    found = obligations(c.config, c.ledger, [], now)
    owed = _by(found, DocumentKind.ACKNOWLEDGMENT, "PO-ACK-1")
    assert owed.due == arrived + timedelta(hours=24)
    assert owed.state(now) is DeadlineState.NEAR
    assert owed.state(arrived + timedelta(hours=25)) is DeadlineState.MISSED
    assert owed.chargeback == Decimal("50.00")
    assert _by(found, DocumentKind.ACKNOWLEDGMENT, "PO-ACK-2").state(now) is DeadlineState.MET


def test_absent_block_or_document_means_no_deadline(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    with_deadlines(c, {})  # a block that names no document watches nothing
    land(c, "PO-NONE-1")
    c.create_invoice("INV-NONE-1", "PO-NONE-1")
    now = SHIP_DAY_START + timedelta(hours=30)
    assert shipment_partners(c.config) == []
    assert obligations(c.config, c.ledger, _shipped(c, now), now) == []

    with_deadlines(c, {"invoice": {"days_after_shipment": 1}})  # only the 810 is watched
    found = obligations(c.config, c.ledger, _shipped(c, now), now)
    assert [(o.kind, o.state(now), o.chargeback, o.chargeback_rule) for o in found] == [
        (DocumentKind.INVOICE, DeadlineState.MISSED, None, None)
    ]


def test_nothing_before_go_live_or_a_month_back(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    with_deadlines(c)
    land(c, "PO-OLD-1")
    c.create_invoice("INV-OLD-1", "PO-OLD-1")
    later = SHIP_DAY_START + timedelta(days=40)  # the shipment is past the 30-day lookback
    kinds = {o.kind for o in obligations(c.config, c.ledger, _shipped(c, later), later)}
    assert DocumentKind.SHIP_NOTICE not in kinds and DocumentKind.INVOICE not in kinds

    qbo = c.config.qbo.model_copy(update={"go_live": date(2026, 11, 27)})
    config = c.config.model_copy(update={"qbo": qbo})
    now = SHIP_DAY_START + timedelta(hours=30)
    assert lookback_start(config, now) == datetime(2026, 11, 27, tzinfo=ZoneInfo("UTC"))
    assert [o for o in obligations(config, c.ledger, _shipped(c, now), now) if o.kind.value != "855"] == []


def _inbound_order(po: str) -> tuple[Direction, str, str, str]:
    return (Direction.INBOUND, "Order", PARTNER, po)
