"""Reconciliation against the sandbox: a clean world has no finding; each real disagreement made
in QBO or SPS (not in the ledger) is listed once, with both amounts as Decimal."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from qbsps_orchestration.lib.documents.document import outbound_file_name
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.inbound.acks import acknowledge_files
from qbsps_orchestration.lib.outbound.flow import OutboundContext, invoice_key, process_invoice
from qbsps_orchestration.lib.reconcile import findings_frame, reconcile
from qbsps_orchestration.lib.tables import write_csv
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir

pytestmark = pytest.mark.long
SINCE = datetime.now(UTC) - timedelta(days=30)


def _schemas() -> RsxSchemas:
    return RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")


def _order(c: SandboxedConnector, po: str, *, ack: bool = True) -> dict:
    """An order delivered by SPS, landed in QBO and (``ack``) acknowledged, as qbsps does it."""
    name = f"{po}.json"
    sps, qbo = c.sps(), c.qbo()
    c.box.sps.put_file(c.orders_folder + name, order_bytes(po))
    fetch_order_file(c.config, c.ledger, sps, name)
    results = sync_order_file(c.config, c.ledger, qbo, name)
    if ack:
        acknowledge_files(c.config, c.ledger, sps, qbo, _schemas(), {name: results})
    return next(p for p in c.purchase_orders() if f"/{po}" in str(p.get("PrivateNote")))


def _invoice(c: SandboxedConnector, number: str, po: str, *, send: bool = True) -> dict:
    invoice = c.create_invoice(number, po)
    if send:
        ctx = OutboundContext(c.config, c.ledger, c.qbo(), c.sps(), _schemas())
        outcome = process_invoice(ctx, invoice_key(invoice["Id"]))
        assert outcome.invoice and outcome.invoice.outcome == "sent", outcome
    return invoice


def _findings(c: SandboxedConnector) -> set[tuple[str, str]]:
    return {(f.kind, f.number) for f in reconcile(c.config, c.ledger, c.qbo(), c.sps(), since=SINCE)}


def test_a_clean_world_has_no_finding_and_each_disagreement_is_listed(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c = empty_connector
    _order(c, "PO-R1")
    _invoice(c, "INV-R1", "PO-R1")
    assert _findings(c) == set()

    qbo = c.qbo()
    # A bookkeeper changes the order's amount in QuickBooks.
    po = _order(c, "PO-R2")
    line = dict(po["Line"][0])
    line["Amount"] = Decimal("100.00")
    line["ItemBasedExpenseLineDetail"] = {**line["ItemBasedExpenseLineDetail"], "Qty": Decimal("5")}
    qbo.update("PurchaseOrder", {**po, "Line": [line], "sparse": False}, request_id="test-change-r2")
    # Another one is deleted in QuickBooks.
    gone = _order(c, "PO-R3")
    qbo.delete("PurchaseOrder", gone["Id"], gone["SyncToken"], request_id="test-delete-r3")
    # An order whose 855 was never sent (the partner wants them).
    _order(c, "PO-R4", ack=False)
    # A shipped invoice qbsps never sent: no 810, no 856.
    unsent = _invoice(c, "INV-R2", "PO-R1", send=False)
    # A QBO PO that says it came from SPS, for an order the ledger never received.
    ghost = {k: v for k, v in po.items() if k not in ("Id", "SyncToken", "DocNumber", "MetaData")}
    ghost["PrivateNote"] = "qbsps order SPSALLTESTID/PO-GHOST"
    qbo.create("PurchaseOrder", ghost, request_id="test-ghost")
    # SPS's last processing of a sent 810's file is a rejection (someone re-uploaded it broken).
    sent = c.config.sps.folders.outbound + outbound_file_name("Invoice", "INV-R1", "SPSALLTESTID", "json")
    c.sps().upload(sent, b'{"Header": {}}')
    # An upload to SPS no ledger document made.
    c.sps().upload("in/IN-STRAY-SPSALLTESTID-v7.7.json", b'{"Header": {}}')

    findings = reconcile(c.config, c.ledger, qbo, c.sps(), since=SINCE)
    assert {(f.kind, f.number) for f in findings} == {
        ("amount_mismatch", "PO-R2"),
        ("missing_in_qbo", "PO-R3"),
        ("ack_missing", "PO-R4"),
        ("invoice_not_sent", "INV-R2"),
        ("invoice_not_accepted", "INV-R1"),
        ("ship_notice_missing", "INV-R2"),
        ("orphan_in_qbo", "PO-GHOST"),
        ("orphan_in_sps", "IN-STRAY-SPSALLTESTID-v7.7.json"),
    }
    mismatch = next(f for f in findings if f.kind == "amount_mismatch")
    assert (mismatch.qbo_amount, mismatch.sps_amount) == (Decimal("100.00"), Decimal("80.00"))
    assert next(f for f in findings if f.kind == "invoice_not_sent").qbo_amount == Decimal(
        str(unsent["TotalAmt"])
    )

    frame = findings_frame(findings)
    assert list(frame["kind"]).count("amount_mismatch") == 1
    with write_csv(frame, tmp_path / "reconciliation.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(findings)
    row = next(r for r in rows if r["kind"] == "amount_mismatch")
    assert (Decimal(row["qbo_amount"]), Decimal(row["sps_amount"])) == (Decimal("100"), Decimal("80"))


def test_order_files_never_received_and_an_invoice_changed_after_its_810_are_listed(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    _order(c, "PO-N1")
    later = datetime.now(UTC) + timedelta(hours=1)  # past the history's lag and two polls
    # SPS delivered an order file qbsps has not fetched yet, and one another tool took away.
    c.box.sps.put_file(c.orders_folder + "PO-N2.json", order_bytes("PO-N2"))
    c.box.sps.put_file(c.orders_folder + "PO-N3.json", order_bytes("PO-N3"))
    c.sps().delete(c.orders_folder + "PO-N3.json")
    # A sent 810 whose invoice a bookkeeper changed afterwards (the change has not gone out).
    invoice = _invoice(c, "INV-N1", "PO-N1")
    line = {**invoice["Line"][0], "Amount": Decimal("100.00")}
    line["SalesItemLineDetail"] = {**line["SalesItemLineDetail"], "Qty": Decimal("5")}
    qbo = c.qbo()
    qbo.update("Invoice", {**invoice, "Line": [line], "sparse": False}, request_id="test-change-n1")

    # Within two polls of its delivery an unfetched file is no finding: the sensor will take it.
    assert ("order_not_received", "PO-N2.json") not in _findings(c)
    findings = reconcile(c.config, c.ledger, qbo, c.sps(), since=SINCE, now=later)
    assert {(f.kind, f.number) for f in findings} == {
        ("order_not_received", "PO-N2.json"),
        ("order_not_received", "PO-N3.json"),
        ("invoice_changed", "INV-N1"),
    }
    by_number = {f.number: f for f in findings}
    assert "qbsps has not fetched it" in by_number["PO-N2.json"].reason
    assert "deleted, but qbsps never received it" in by_number["PO-N3.json"].reason
    changed = by_number["INV-N1"]
    assert (changed.qbo_amount, changed.sps_amount) == (Decimal("100.00"), Decimal("80.00"))
    assert f"--invoice {invoice['Id']}" in changed.what_to_do

    # Once fetched (and its order landed), the file is no longer a finding.
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-N2.json")
    assert ("order_not_received", "PO-N2.json") not in {
        (f.kind, f.number) for f in reconcile(c.config, c.ledger, qbo, c.sps(), since=SINCE, now=later)
    }


def test_a_document_sent_within_the_history_lag_is_no_finding_until_the_lag_has_passed(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    c.box.sps.service.history.lag_seconds = 600  # SPS's history has not caught up with the uploads
    _order(c, "PO-L1")
    _invoice(c, "INV-L1", "PO-L1")
    assert _findings(c) == set()  # the 855, 810 and 856 were just sent: SPS may not show them yet
    later = datetime.now(UTC) + timedelta(hours=1)  # the history still shows none of them
    findings = reconcile(c.config, c.ledger, c.qbo(), c.sps(), since=SINCE, now=later)
    numbers = {f.kind: f.number for f in findings}
    assert sorted(numbers) == ["ack_missing", "invoice_not_accepted", "ship_notice_missing"], findings
    assert (numbers["ack_missing"], numbers["invoice_not_accepted"]) == ("PO-L1", "INV-L1")
    assert "no entry at all" in next(f for f in findings if f.kind == "invoice_not_accepted").reason
