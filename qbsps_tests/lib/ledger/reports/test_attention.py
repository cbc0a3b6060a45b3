"""What qbsps says about a document that waits for a person: the field its reason names, the advice
for the kind of cause, and how to run it again (a replay, or accepting a held version)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qbsps_orchestration.lib.ledger import Direction, DocumentRecord, VersionRecord
from qbsps_orchestration.lib.ledger.reports import field_named, waiting_documents
from qbsps_orchestration.lib.ledger.vocabulary import Disposition, DocumentState

WHEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _doc(
    doc_type: str, reason: str | None, state: DocumentState = DocumentState.FAILED, **more: object
) -> DocumentRecord:
    fields: dict[str, object] = {
        "id": 7, "direction": Direction.INBOUND if doc_type == "Order" else Direction.OUTBOUND,
        "doc_type": doc_type, "trading_partner_id": "SPSALLTESTID", "business_key": "PO-1", "state": state,
        "qbo_entity": None, "qbo_id": None, "qbo_sync_token": None, "qbo_doc_number": None,
        "current_version_id": None, "reason": reason, "warnings": (), "created_at": WHEN, "updated_at": WHEN,
    }  # fmt: skip
    return DocumentRecord(**(fields | more))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reason", "field"),
    [
        ("PO-1.json: QBO refused the PurchaseOrder: [2500] Invalid Reference (field VendorRef)", "VendorRef"),
        ("PO-1.json: LineItem[2].OrderLine.OrderQty: must be positive", "LineItem[2].OrderLine.OrderQty"),
        ("IN-1: Invoice field TxnDate: before the order date", "TxnDate"),
        ("PO-1.json: QBO could not answer while mapping (timed out)", None),
    ],
)
def test_the_field_a_reason_names(reason: str, field: str | None) -> None:
    assert field_named(reason) == field


@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        ("PO-1.json: LineItem[0].OrderLine: unknown item: no QBO item for UPC 1", "map the retailer's item"),
        ("PO-1.json: unknown trading partner 'X'; configured: SPSALLTESTID", "qbsps partners add ID"),
        ("PO-1.json: QBO refused the PurchaseOrder: [6000] business rule", "fix what QuickBooks names"),
        ("IN1.json: upload to SPS failed: 403 Forbidden", "qbsps doctor"),
        ("PO-1.xml: not valid RSX: line 1: unclosed tag", "ask the retailer (through SPS) to send it again"),
        ("something nobody foresaw", "read the reason, fix its cause"),
    ],
)
def test_each_kind_of_cause_gets_its_advice(reason: str, advice: str) -> None:
    [waiting] = waiting_documents([_doc("Order", reason)], [])
    assert advice in waiting.what_to_do and waiting.what_to_do.endswith("then run it again")
    assert waiting.reason == reason and waiting.state == "failed"


def test_replayable_documents_name_the_replay_and_the_others_their_next_run() -> None:
    order, ack = _doc("Order", "x"), _doc("OrderAck", "x", id=8)
    invoice = _doc("Invoice", "x", id=9, state=DocumentState.QUARANTINED)
    by_id = {w.document_id: w for w in waiting_documents([order, ack, invoice], [])}
    assert by_id[7].rerun.startswith('qbsps replay 7 --reason "..."')
    assert by_id[9].rerun.startswith("qbsps replay 9") and by_id[9].state == "quarantined"
    assert "qbsps replay" not in by_id[8].rerun and "next run" in by_id[8].rerun


def test_a_held_version_says_compare_then_accept() -> None:
    doc = _doc("Invoice", None, state=DocumentState.SYNCED, business_key="IN-5")
    version = VersionRecord(
        id=31, document_id=7, content_hash="h", payload=b"{}", format="json", tset_purpose_code="00",
        source_path=None, received_at=WHEN, disposition=Disposition.CONFLICT, reason="changed after sent",
    )  # fmt: skip
    [held] = waiting_documents([], [(version, doc)])
    assert (held.state, held.version_id, held.number) == ("held", 31, "IN-5")
    assert "qbsps diff 7" in held.what_to_do and held.rerun == "qbsps conflicts accept 31"


def test_in_a_deployment_of_several_companies_each_command_names_the_company(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QBSPS_COMPANY", "acme")
    order, outbound = _doc("Order", "x"), _doc("OrderAck", "x", id=8)
    by_id = {w.document_id: w for w in waiting_documents([order, outbound], [])}
    assert by_id[7].rerun.startswith('qbsps --company acme replay 7 --reason "..."')
    assert "qbsps --company acme sync outbound" in by_id[8].rerun
