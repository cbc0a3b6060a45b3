"""Partition retention (issue 10, item 8): only partitions whose documents are all settled past the
window, with nothing owed, pending or running, are pruned; the ledger keeps everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.outbound.flow import invoice_key, process_invoice
from qbsps_orchestration.lib.retention import Prunable, prunable_partitions
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.lib.outbound.test_send_exactly_once import context
from qbsps_tests.sandboxed import SandboxedConnector


def test_only_settled_partitions_past_the_window_are_pruned(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    names = ["PO-OLD-1.json", "PO-OLD-2.json", "PO-OLD-3.json"]
    for name in names:
        c.box.sps.put_file(c.orders_folder + name, order_bytes(name.removesuffix(".json"), ship_to=False))
    c.box.sps.put_file(c.orders_folder + "not-an-order.json", b'{"hello": "world"}')  # quarantined
    process_files(
        c.config, c.ledger, c.sps(), c.qbo(), [*names, "not-an-order.json"], acknowledge_with=RsxSchemas(None)
    )
    invoice = c.create_invoice("INV-OLD-1", "PO-OLD-1")
    outcome = process_invoice(context(c, c.config), invoice_key(invoice["Id"]))
    assert outcome.invoice is not None and outcome.invoice.outcome == "sent"
    [po3] = [po for po in c.purchase_orders() if "PO-OLD-3" in (po.get("PrivateNote") or "")]
    changed = datetime.fromisoformat(po3["MetaData"]["LastUpdatedTime"]) + timedelta(minutes=1)
    c.ledger.record_changes(
        [ChangeEvent(c.config.qbo.realm_id, "PurchaseOrder", po3["Id"], "Update", changed)]
    )

    listed = {
        "order_files": [*names, "not-an-order.json", "never-fetched.json"],
        "invoice_keys": [invoice_key(invoice["Id"]), "invoice-999"],
    }
    now = datetime.now(UTC)
    assert not prunable_partitions(c.ledger, c.config, **listed, busy=set(), now=now)  # within 90 days
    later = now + timedelta(days=91)
    pruned = prunable_partitions(c.ledger, c.config, **listed, busy={"PO-OLD-2.json"}, now=later)
    # PO-OLD-2 has a run on it, PO-OLD-3 a bookkeeper's change waiting for its 855, the bad file
    # waits for an operator, and nothing is known of the file never fetched nor of invoice 999.
    assert pruned == Prunable(["PO-OLD-1.json"], [invoice_key(invoice["Id"])])
