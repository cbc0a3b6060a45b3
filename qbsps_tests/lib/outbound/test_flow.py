"""QBO Invoice → 810 + 856 against the sandbox over HTTP: routed, checked, sent once."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.outbound.flow import (
    OutboundContext,
    OutboundError,
    invoice_key,
    process_invoice,
)
from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir


def _ctx(c: SandboxedConnector) -> OutboundContext:
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    return OutboundContext(c.config, c.ledger, c.qbo(), c.sps(), schemas)


def test_invoice_and_ship_notice_reach_sps_once(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    land_order(c, "PO-OUT-1")
    invoice = c.create_invoice("INV-1001", "PO-OUT-1")
    outcome = process_invoice(_ctx(c), invoice_key(invoice["Id"]))
    assert outcome.invoice and outcome.invoice.outcome == "sent", outcome.invoice
    assert outcome.ship_notice and outcome.ship_notice.outcome == "sent", outcome.ship_notice
    history = {h["path"].rsplit("/", 1)[1]: h for h in c.box.sps.history()}
    for result in (outcome.invoice, outcome.ship_notice):
        entry = history[result.path.rsplit("/", 1)[1]]
        assert entry["status_log"][-1]["status"] == "accepted", entry  # the sandbox validated it as RSX

    again = process_invoice(_ctx(c), invoice_key(invoice["Id"]))  # webhook, CDC and sweep all fire
    assert (again.invoice.outcome, again.ship_notice.outcome) == ("unchanged", "unchanged")
    uploads = [h for h in c.box.sps.history() if h["direction"] == "inbound"]
    assert len(uploads) == 2


def test_changed_after_sent_is_held_until_an_explicit_resend(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    land_order(c, "PO-OUT-2")
    invoice = c.create_invoice("INV-1002", "PO-OUT-2", shipped=False)
    first = process_invoice(_ctx(c), invoice_key(invoice["Id"]))
    assert first.invoice.outcome == "sent" and first.ship_notice is None and "no shipping data" in first.note
    c.qbo().sparse_update(
        "Invoice",
        invoice["Id"],
        {
            "PrivateNote": "x",
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": Decimal("60.00"),
                    "SalesItemLineDetail": {
                        "ItemRef": invoice["Line"][0]["SalesItemLineDetail"]["ItemRef"],
                        "Qty": 3,
                        "UnitPrice": Decimal("20.00"),
                    },
                }
            ],
        },
        request_id="inv-1002-change",
    )
    held = process_invoice(_ctx(c), invoice_key(invoice["Id"]))
    assert held.invoice.outcome == "held" and "changed after it was sent" in held.invoice.problems[0]
    resent = process_invoice(_ctx(c), invoice_key(invoice["Id"]), resend=True)
    assert resent.invoice.outcome == "resent"


def test_ship_notice_rebuild_keeps_its_sscc(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    land_order(c, "PO-OUT-3")
    invoice = c.create_invoice("INV-1003", "PO-OUT-3")
    first = process_invoice(_ctx(c), invoice_key(invoice["Id"]), invoices=False)
    sent = c.ledger.version(first.ship_notice.version_id).payload
    second_invoice = c.create_invoice("INV-1004", "PO-OUT-3")
    other = process_invoice(_ctx(c), invoice_key(second_invoice["Id"]), invoices=False)
    again = process_invoice(_ctx(c), invoice_key(invoice["Id"]), invoices=False)
    assert again.ship_notice.outcome == "unchanged"
    ssccs = [
        json.loads(c.ledger.version(r.version_id).payload)["OrderLevel"][0]["PackLevel"][0]["Pack"][
            "ShippingSerialID"
        ]
        for r in (first.ship_notice, other.ship_notice)
    ]
    assert ssccs[0] != ssccs[1] and ssccs[0] in sent.decode()


def test_an_unmapped_customer_is_an_error_not_a_guess(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    stranger = c.qbo().create("Customer", {"DisplayName": "Walk-in Customer"}, request_id="cust-x")
    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    invoice = c.qbo().create(
        "Invoice",
        {
            "CustomerRef": {"value": stranger["Id"]},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": Decimal("20"),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": item["Id"]},
                        "Qty": 1,
                        "UnitPrice": Decimal("20"),
                    },
                }
            ],
        },
        request_id="inv-x",
    )
    with pytest.raises(OutboundError, match="Walk-in Customer"):
        process_invoice(_ctx(c), invoice_key(invoice["Id"]))
    assert [h for h in c.box.sps.history() if h["direction"] == "inbound"] == []
