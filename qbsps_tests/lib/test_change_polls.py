"""Issue 9, change inbox: the CDC cursor policy (lib/change_polls.py) shared by `qbsps sync outbound` and
`qbo_cdc_job`. The next cursor exists only once the changes are committed in the inbox, and it
keeps the overlap. Real HTTP against the QBO sandbox, a real SQLite ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from qbsps_orchestration.lib.change_polls import CDC_MAX_OBJECTS, cdc_since, poll_cdc, poll_changes
from qbsps_orchestration.lib.changes import CDC_CURSOR, CDC_LOOKBACK_LIMIT, CDC_OVERLAP, ChangeParseError
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.sandboxed import SandboxedConnector


def test_the_next_cursor_is_the_poll_start_less_the_overlap_after_the_changes_are_recorded(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    land_order(c, "PO-CDC1")
    invoice = c.create_invoice("INV-CDC1", "PO-CDC1", shipped=False)
    qbo, now = c.qbo(), datetime.now(UTC)
    poll = poll_cdc(c.ledger, qbo, qbo.realm_id, ["Invoice"], None, first_lookback=timedelta(days=1), now=now)
    assert poll.since == now - timedelta(days=1)
    assert poll.cursor == (now - CDC_OVERLAP).isoformat()
    assert (
        [r.entity_id for r in c.ledger.pending_changes(entity="Invoice")]
        == [invoice["Id"]]
        == [e.entity_id for e in poll.events]
    )
    assert poll.new == 1
    # The overlap re-reads the same change: one row, nothing new.
    again = poll_cdc(c.ledger, qbo, qbo.realm_id, ["Invoice"], poll.cursor)
    assert again.since == now - CDC_OVERLAP and again.new == 0
    assert len(c.ledger.pending_changes()) == 1


def test_no_cursor_when_the_inbox_could_not_store_the_changes(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c = empty_connector
    land_order(c, "PO-CDC2")
    c.create_invoice("INV-CDC2", "PO-CDC2", shipped=False)
    unmigrated = Ledger(f"sqlite:///{tmp_path / 'no-tables.sqlite'}")  # a ledger nobody upgraded
    qbo = c.qbo()
    try:
        with pytest.raises(OperationalError):
            poll_cdc(unmigrated, qbo, qbo.realm_id, ["Invoice"], None)
    finally:
        unmigrated.close()


def test_cdc_since_starts_at_the_cursor_within_cdcs_limit_and_refuses_a_naive_cursor() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert cdc_since(None, now, timedelta(hours=1)) == now - timedelta(hours=1)
    assert cdc_since("2026-12-01T11:30:00+00:00", now, timedelta(hours=1)) == now - timedelta(minutes=30)
    assert cdc_since("2026-01-01T00:00:00+00:00", now, timedelta(hours=1)) == now - CDC_LOOKBACK_LIMIT
    with pytest.raises(ChangeParseError, match="no UTC offset"):
        cdc_since("2026-12-01T11:30:00", now, timedelta(hours=1))


def test_one_poll_and_one_cursor_for_invoices_and_changed_orders(empty_connector: SandboxedConnector) -> None:
    """poll_changes is what qbo_cdc_job and `qbsps sync outbound` both run: the cursor lives in the
    ledger, and a bookkeeper's change to an SPS order comes with the invoices (qbsps's own write of
    that order does not)."""
    c = empty_connector
    land_order(c, "PO-CDC3")
    invoice = c.create_invoice("INV-CDC3", "PO-CDC3", shipped=False)
    qbo = c.qbo()
    first = poll_changes(c.ledger, qbo, qbo.realm_id)
    assert c.ledger.get_cursor(CDC_CURSOR) == first.cursor
    assert [(r.entity, r.entity_id) for r in c.ledger.pending_changes()] == [("Invoice", invoice["Id"])]

    [po] = c.purchase_orders()
    c.qbo().sparse_update("PurchaseOrder", po["Id"], {"ExpectedDate": "2026-12-21"}, request_id="cdc3")
    second = poll_changes(c.ledger, qbo, qbo.realm_id)
    assert second.since == datetime.fromisoformat(first.cursor)
    assert [(r.entity, r.entity_id) for r in c.ledger.pending_changes(("PurchaseOrder", "Estimate"))] == [
        ("PurchaseOrder", po["Id"])
    ]


def test_a_window_with_more_changes_than_one_cdc_answer_holds_loses_none(
    empty_connector: SandboxedConnector,
) -> None:
    """QBO answers a CDC call with at most 1,000 objects: 1,200 changed invoices (made in the
    sandbox's books directly, as a bookkeeper's busy day) all reach the inbox in one poll."""
    c = empty_connector
    land_order(c, "PO-CDC-MANY")
    customer = c.config.partner("SPSALLTESTID").qbo_customer.id
    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    detail = {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 20}
    line = {"DetailType": "SalesItemLineDetail", "Amount": 20, "SalesItemLineDetail": detail}
    made = {
        c.box.qbo.service.create(
            "Invoice",
            {
                "DocNumber": f"INV-M{n}",
                "PONumber": "PO-CDC-MANY",
                "CustomerRef": {"value": customer},
                "Line": [line],
            },
        )["Id"]
        for n in range(CDC_MAX_OBJECTS + 200)
    }
    qbo = c.qbo()
    poll = poll_cdc(c.ledger, qbo, qbo.realm_id, ["Invoice"], None)
    assert {e.entity_id for e in poll.events} == made
    assert {r.entity_id for r in c.ledger.pending_changes(entity="Invoice", limit=5000)} == made
    assert poll.new == len(made)
