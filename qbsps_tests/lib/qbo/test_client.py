"""QboClient against the QBO sandbox: queries, writes with requestid, SyncToken, batch, CDC."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.qbo import DuplicateDocNumberError, QboClient, QboError, StaleObjectError
from qbsps_orchestration.lib.qbo.query import select
from qbsps_orchestration.sandbox.faults import FaultRule

from .conftest import QboEnv


def _po(env: QboEnv, doc_number: str, qty: str = "3", price: str = "19.99") -> dict:
    item = env.sandbox.find("Item", Name="HD-20 Sample Item 1")[0]
    ap = env.sandbox.find("Account", AccountType="Accounts Payable")[0]
    return {
        "DocNumber": doc_number,
        "VendorRef": {"value": env.sandbox.find("Vendor")[0]["Id"]},
        "APAccountRef": {"value": ap["Id"]},
        "Line": [
            {
                "Amount": Decimal(qty) * Decimal(price),
                "DetailType": "ItemBasedExpenseLineDetail",
                "ItemBasedExpenseLineDetail": {
                    "ItemRef": {"value": item["Id"]},
                    "Qty": Decimal(qty),
                    "UnitPrice": Decimal(price),
                },
            }
        ],
    }


def test_query_pages_through_everything(qbo_env: QboEnv, qbo: QboClient) -> None:
    for n in range(7):
        qbo.create("Vendor", {"DisplayName": f"Paging Vendor {n}"}, request_id=f"v-{n}")
    names = [v["DisplayName"] for v in qbo.query_all("Vendor", "SELECT * FROM Vendor", page_size=3)]
    assert {f"Paging Vendor {n}" for n in range(7)} <= set(names)
    assert len(names) == len(set(names)) == len(qbo_env.sandbox.find("Vendor"))


def test_money_is_exact_decimal_both_ways(qbo_env: QboEnv, qbo: QboClient) -> None:
    created = qbo.create("PurchaseOrder", _po(qbo_env, "EXACT-1"), request_id="po-exact-1")
    assert created["TotalAmt"] == Decimal("59.97") and isinstance(created["TotalAmt"], Decimal)
    line = created["Line"][0]["ItemBasedExpenseLineDetail"]
    assert line["UnitPrice"] == Decimal("19.99")


def test_repeated_requestid_returns_the_first_answer(qbo_env: QboEnv, qbo: QboClient) -> None:
    first = qbo.create("PurchaseOrder", _po(qbo_env, "REQ-1"), request_id="po-req-1")
    again = qbo.create("PurchaseOrder", _po(qbo_env, "REQ-1"), request_id="po-req-1")
    assert again["Id"] == first["Id"]
    rows = list(qbo.query_all("PurchaseOrder", select("PurchaseOrder", {"DocNumber": "REQ-1"})))
    assert len(rows) == 1


def test_duplicate_doc_number_has_its_own_error(qbo_env: QboEnv, qbo: QboClient) -> None:
    qbo.create("PurchaseOrder", _po(qbo_env, "DUP-1"), request_id="po-dup-a")
    with pytest.raises(DuplicateDocNumberError) as caught:
        qbo.create("PurchaseOrder", _po(qbo_env, "DUP-1"), request_id="po-dup-b")
    assert caught.value.code == "6140" and caught.value.intuit_tid


def test_stale_sync_token_raises_and_sparse_update_rereads_once(qbo_env: QboEnv, qbo: QboClient) -> None:
    created = qbo.create("PurchaseOrder", _po(qbo_env, "SYNC-1"), request_id="po-sync-1")
    qbo.sparse_update("PurchaseOrder", created["Id"], {"Memo": "first"}, request_id="po-sync-1-u1")
    stale = {"Id": created["Id"], "SyncToken": created["SyncToken"], "sparse": True, "Memo": "stale"}
    with pytest.raises(StaleObjectError):
        qbo.update("PurchaseOrder", stale, request_id="po-sync-1-stale")

    # Someone else edits between our read and our write: one re-read, one retry, success.
    original_read = qbo.read
    interfered = []

    def read_then_interfere(entity: str, entity_id: str) -> dict:
        row = original_read(entity, entity_id)
        if not interfered:
            interfered.append(True)
            other = qbo_env.client()
            other.sparse_update(
                entity, entity_id, {"PrivateNote": "bookkeeper"}, request_id="po-sync-1-other"
            )
        return row

    qbo.read = read_then_interfere  # type: ignore[method-assign]
    updated = qbo.sparse_update("PurchaseOrder", created["Id"], {"Memo": "second"}, request_id="po-sync-1-u2")
    assert updated["Memo"] == "second" and updated["PrivateNote"] == "bookkeeper"
    assert int(updated["SyncToken"]) == int(created["SyncToken"]) + 3


def test_batch_items_succeed_or_fail_alone(qbo_env: QboEnv, qbo: QboClient) -> None:
    answers = qbo.batch(
        [
            {"bId": "1", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor"}},
            {"bId": "2", "operation": "create", "PurchaseOrder": {"DocNumber": "NOVENDOR"}},
            {"bId": "3", "Query": "SELECT * FROM Account"},
        ],
        request_id="batch-1",
    )
    by_id = {a["bId"]: a for a in answers}
    assert by_id["1"]["Vendor"]["DisplayName"] == "Batch Vendor"
    assert "Fault" in by_id["2"] and by_id["3"]["QueryResponse"]["Account"]
    with pytest.raises(ValueError):
        qbo.batch([{"bId": str(n), "Query": "SELECT * FROM Item"} for n in range(31)], request_id="b2")


def test_cdc_reports_changes_and_deletions(qbo_env: QboEnv, qbo: QboClient) -> None:
    since = qbo_env.clock.now() - timedelta(seconds=1)
    created = qbo.create("PurchaseOrder", _po(qbo_env, "CDC-1"), request_id="po-cdc-1")
    qbo.delete("PurchaseOrder", created["Id"], created["SyncToken"], request_id="po-cdc-1-d")
    changed = qbo.cdc(["PurchaseOrder", "Vendor"], since)
    deleted = [row for row in changed["PurchaseOrder"] if row["Id"] == created["Id"]]
    assert deleted and deleted[0].get("status") == "Deleted"


def test_throttled_calls_are_retried(qbo_env: QboEnv, qbo: QboClient) -> None:
    qbo.query("SELECT * FROM Item")
    qbo_env.faults.add(FaultRule(status=429, count=2, path_prefix="/v3/"))
    assert qbo.query("SELECT * FROM Item")["Item"]


def test_bad_query_is_a_qbo_error_with_the_parser_message(qbo: QboClient) -> None:
    with pytest.raises(QboError) as caught:
        qbo.query("SELECT * FROM Item WHERE Name = 'x' OR Name = 'y'")
    assert caught.value.code == "4000"
