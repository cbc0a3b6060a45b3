"""What a run did to each document of its partitions, read back from the ledger's audit events:
documents recorded through the Ledger API under run ids, on SQLite and PostgreSQL."""

from __future__ import annotations

from qbsps_orchestration.lib.ledger import Action, Direction, DocumentState, Ledger
from qbsps_orchestration.lib.ledger.reports import PartitionDocument

FOLDER = "out/PO/"
EARLIER, RUN, LATER = "run-earlier", "run-now", "run-later"


def _fetched(ledger: Ledger, name: str, po: str, code: str = "00", body: str = "") -> tuple[int, int]:
    """The order of mailbox file ``name`` recorded and noted as that file's, as a fetch does."""
    payload = f"<Order>{po}{body}</Order>".encode()
    path = FOLDER + name
    outcome = ledger.record_inbound("Order", "ACME", po, payload, tset_purpose_code=code, source_path=path)
    ledger.note_file(path, f"{name}{body}", [(outcome.document_id, outcome.version_id)])
    return outcome.document_id, outcome.version_id


def _written(ledger: Ledger, document_id: int, version_id: int, action: Action, qbo_id: str) -> None:
    intent = ledger.begin_intent(document_id, action, version_id=version_id)
    ledger.mark_synced(
        document_id, qbo_id, "0", qbo_entity="PurchaseOrder", version_id=version_id, intent_id=intent.id
    )


def _by_partition(docs: list[PartitionDocument]) -> dict[tuple[str, str], tuple[str, str, str]]:
    return {(d.partition, d.document.doc_type): (d.outcome, d.document.state.value, d.detail) for d in docs}


def test_each_partition_shows_what_its_run_did_to_its_documents(ledger: Ledger) -> None:
    earlier, now = ledger.as_actor("test", EARLIER), ledger.as_actor("test", RUN)
    # Written in an earlier run: one file is left alone by this run, another one's order comes again.
    _written(earlier, *_fetched(earlier, "old.xml", "PO-OLD"), Action.CREATE, "70")
    _written(earlier, *_fetched(earlier, "kept.xml", "PO-KEPT"), Action.CREATE, "69")
    # Created by this run, with its 855 sent.
    created = _fetched(now, "new.xml", "PO-NEW")
    _written(now, *created, Action.CREATE, "71")
    ack = now.record_outbound("OrderAck", "ACME", "PO-NEW", b"{}", qbo_entity="PurchaseOrder", qbo_id="71")
    intent = now.begin_intent(ack.document_id, Action.SEND, version_id=ack.version_id)
    now.mark_synced(ack.document_id, version_id=ack.version_id, intent_id=intent.id)
    # A replacement (05) of an order written earlier: updated.
    replaced = _fetched(earlier, "first.xml", "PO-REPL")
    _written(earlier, *replaced, Action.CREATE, "72")
    _written(now, *_fetched(now, "second.xml", "PO-REPL", code="05", body="v2"), Action.UPDATE, "72")
    # Refused for good, retrying, stored only, unreadable.
    refused = _fetched(now, "refused.xml", "PO-BAD")[0]
    now.mark_failed(refused, "refused.xml: QBO refused the PurchaseOrder: 6000")
    storm = _fetched(now, "storm.xml", "PO-503")[0]
    now.schedule_retry(storm, "storm.xml: QBO 503; qbsps tries again on the next sync or sensor tick")
    _fetched(now, "stored.xml", "PO-STORED")
    broken = now.quarantine_unreadable(
        Direction.INBOUND, "Order", b"<Ord", "broken.xml: malformed XML", source_path=FOLDER + "broken.xml"
    )
    now.note_file(FOLDER + "broken.xml", "broken", [(broken.document_id, broken.version_id)])
    # Another file with the same content as an order already written: a duplicate.
    _fetched(now, "again.xml", "PO-OLD")

    names = [
        "kept.xml",
        "new.xml",
        "second.xml",
        "refused.xml",
        "storm.xml",
        "stored.xml",
        "broken.xml",
        "again.xml",
        "never.xml",
    ]
    docs = ledger.reports.order_file_documents({n: FOLDER + n for n in names}, {n: RUN for n in names})
    assert [d.partition for d in docs] == names[:2] + ["new.xml"] + names[2:-1]  # never.xml: nothing
    shown = _by_partition(docs)
    assert shown == {
        ("kept.xml", "Order"): ("up to date", "synced", ""),
        ("new.xml", "Order"): ("created", "synced", ""),
        ("new.xml", "OrderAck"): ("sent", "synced", ""),
        ("second.xml", "Order"): ("updated", "synced", ""),
        ("refused.xml", "Order"): ("failed", "failed", "refused.xml: QBO refused the PurchaseOrder: 6000"),
        ("storm.xml", "Order"): (
            "will retry",
            "pending",
            "storm.xml: QBO 503; qbsps tries again on the next sync or sensor tick",
        ),
        ("stored.xml", "Order"): ("stored", "pending", ""),
        ("broken.xml", "Order"): ("quarantined", "quarantined", "broken.xml: malformed XML"),
        ("again.xml", "Order"): ("duplicate", "synced", ""),
    }
    troubled = sorted(d.partition for d in docs if d.troubled)
    assert troubled == ["broken.xml", "refused.xml", "stored.xml", "storm.xml"]
    # One document in two partitions of one run: both rows say what the run did to the document.
    both = _by_partition(
        ledger.reports.order_file_documents(
            {n: FOLDER + n for n in ("old.xml", "again.xml")}, {"old.xml": RUN, "again.xml": RUN}
        )
    )
    assert both == {
        ("old.xml", "Order"): ("duplicate", "synced", ""),
        ("again.xml", "Order"): ("duplicate", "synced", ""),
    }
    # A later run that touched none of them reports each by its state.
    later = _by_partition(
        ledger.reports.order_file_documents({n: FOLDER + n for n in names}, {n: LATER for n in names})
    )
    assert later[("new.xml", "Order")] == ("up to date", "synced", "")
    assert later[("new.xml", "OrderAck")] == ("unchanged", "synced", "")
    assert later[("stored.xml", "Order")] == ("pending", "pending", "new document")  # the ledger's reason
    assert later[("refused.xml", "Order")][:2] == ("failed", "failed")


def test_an_invoice_partition_holds_its_810_and_856(ledger: Ledger) -> None:
    earlier, now = ledger.as_actor("test", EARLIER), ledger.as_actor("test", RUN)
    invoice = earlier.record_outbound(
        "Invoice", "ACME", "INV-1", b"810 v1", qbo_entity="Invoice", qbo_id="501"
    )
    intent = earlier.begin_intent(invoice.document_id, Action.SEND, version_id=invoice.version_id)
    earlier.mark_synced(invoice.document_id, version_id=invoice.version_id, intent_id=intent.id)
    # Changed after it was sent: held for an operator; the 856 goes out for the first time.
    now.record_outbound("Invoice", "ACME", "INV-1", b"810 v2", qbo_entity="Invoice", qbo_id="501")
    notice = now.record_outbound("Shipment", "ACME", "INV-1", b"856", qbo_entity="Invoice", qbo_id="501")
    intent = now.begin_intent(notice.document_id, Action.SEND, version_id=notice.version_id)
    now.mark_synced(notice.document_id, version_id=notice.version_id, intent_id=intent.id)
    untouched = earlier.record_outbound(
        "Invoice", "ACME", "INV-2", b"810", qbo_entity="Invoice", qbo_id="502"
    )

    keys = {"invoice-501": "501", "invoice-502": "502", "invoice-503": "503"}
    docs = ledger.reports.invoice_documents(keys, {key: RUN for key in keys})
    shown = {(d.partition, d.document.doc_type): (d.outcome, d.document.state.value) for d in docs}
    assert shown == {
        ("invoice-501", "Invoice"): ("held", "synced"),
        ("invoice-501", "Shipment"): ("sent", "synced"),
        ("invoice-502", "Invoice"): ("pending", "pending"),
    }
    [held] = [d for d in docs if d.outcome == "held"]
    assert (
        held.detail
        == "a second original with different content: held for an operator, never applied silently"
    )
    assert ledger.document(untouched.document_id).state is DocumentState.PENDING
