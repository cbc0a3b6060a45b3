"""PurchaseOrder business rules: required parts, item accounts, DocNumber length and uniqueness,
defaults, and the Line Id rule on update."""

from __future__ import annotations

import httpx

from qbsps_orchestration.sandbox.qbo.books.seed import NO_EXPENSE_ITEM

from .conftest import Qbo, fault_codes


def _line(item_id: str, qty: int = 2, price: str = "12.00") -> dict:
    return {
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item_id}, "Qty": qty, "UnitPrice": float(price)},
    }


def _po(qbo: Qbo, doc_number: str | None = "PO-7001", **extra: object) -> dict:
    vendor = qbo.one("Vendor", DisplayName="The Grommet")
    body = {
        "VendorRef": {"value": vendor["Id"]},
        "Line": [_line(qbo.one("Item", Sku="SPSSupplierHD-60")["Id"])],
    }
    if doc_number is not None:
        body["DocNumber"] = doc_number
    return body | extra


def _error(response: httpx.Response) -> dict:
    assert response.status_code == 400, response.text
    return response.json()["Fault"]["Error"][0]


def test_defaults_status_ap_account_and_computed_total(qbo: Qbo) -> None:
    po = qbo.made("PurchaseOrder", _po(qbo, TotalAmt=1, POStatus=None))
    ap = qbo.one("Account", Name="Accounts Payable (A/P)")
    assert po["POStatus"] == "Open"
    assert po["APAccountRef"] == {"value": ap["Id"], "name": ap["Name"]}
    assert po["VendorRef"]["name"] == "The Grommet"  # QBO fills in reference names
    assert po["TotalAmt"] == 24.0  # any TotalAmt sent is overwritten
    assert po["Line"][0]["Id"] == "1" and po["Line"][0]["LineNum"] == 1
    assert po["Line"][0]["ItemBasedExpenseLineDetail"]["BillableStatus"] == "NotBillable"


def test_vendor_and_lines_are_required(qbo: Qbo) -> None:
    no_vendor = _po(qbo)
    del no_vendor["VendorRef"]
    assert _error(qbo.create("PurchaseOrder", no_vendor))["element"] == "VendorRef"
    assert _error(qbo.create("PurchaseOrder", _po(qbo, Line=[])))["element"] == "Line"
    assert _error(qbo.create("PurchaseOrder", _po(qbo, VendorRef={"value": "424242"})))["code"] == "2500"


def test_item_line_needs_an_item_with_an_expense_account(qbo: Qbo) -> None:
    fee = qbo.one("Item", Name=NO_EXPENSE_ITEM)
    error = _error(qbo.create("PurchaseOrder", _po(qbo, Line=[_line(fee["Id"])])))
    assert error["code"] == "6000"
    assert "You must select an account for this transaction." in error["Detail"]


def test_amount_must_match_qty_times_price(qbo: Qbo) -> None:
    line = _line(qbo.one("Item", Sku="SPSSupplierHD-20")["Id"]) | {"Amount": 99}
    assert _error(qbo.create("PurchaseOrder", _po(qbo, Line=[line])))["code"] == "6000"


def test_doc_number_longer_than_21_is_rejected(qbo: Qbo) -> None:
    error = _error(qbo.create("PurchaseOrder", _po(qbo, "P" * 22)))
    assert error["code"] == "2050" and error["element"] == "DocNumber"
    assert "Max:21" in error["Detail"] and "Supplied length:22" in error["Detail"]
    assert qbo.create("PurchaseOrder", _po(qbo, "P" * 21)).status_code == 200


def test_duplicate_doc_number_6140_unless_allowed(qbo: Qbo) -> None:
    first = qbo.made("PurchaseOrder", _po(qbo, "PO-DUP"))
    error = _error(qbo.create("PurchaseOrder", _po(qbo, "PO-DUP")))
    assert error["code"] == "6140"
    assert (
        f"DocNumber=PO-DUP is assigned to TxnType=Purchase Order with TxnId={first['Id']}" in error["Detail"]
    )
    allowed = qbo.create("PurchaseOrder", _po(qbo, "PO-DUP"), include="allowduplicatedocnum")
    assert allowed.status_code == 200
    # An update that keeps its own number is not a duplicate of itself.
    keep = {"Id": first["Id"], "SyncToken": first["SyncToken"], "sparse": True, "Memo": "same number"}
    assert qbo.update("PurchaseOrder", keep).status_code == 200


def test_doc_number_uniqueness_is_a_company_preference(qbo: Qbo) -> None:
    qbo.made("PurchaseOrder", _po(qbo, "PO-PREF"))
    control = httpx.post(
        qbo.base_url + "/_sandbox/qbo/preferences",
        json={"unique_doc_numbers": {"PurchaseOrder": False}},
        trust_env=False,
    )
    assert control.json()["unique_doc_numbers"]["PurchaseOrder"] is False
    assert qbo.create("PurchaseOrder", _po(qbo, "PO-PREF")).status_code == 200
    bad = httpx.post(
        qbo.base_url + "/_sandbox/qbo/preferences",
        json={"unique_doc_numbers": {"Vendor": 1}},
        trust_env=False,
    )
    assert bad.status_code == 400 and "Vendor" in bad.json()["error"]


def test_line_ids_kept_for_known_lines_and_new_for_the_rest(qbo: Qbo) -> None:
    items = [qbo.one("Item", Sku=sku)["Id"] for sku in ("SPSSupplierHD-20", "SPSSupplierHD-40")]
    po = qbo.made("PurchaseOrder", _po(qbo, Line=[_line(items[0]), _line(items[1])]))
    kept = po["Line"][1] | {"Description": "second, edited"}
    new = _line(items[0], qty=1) | {"Id": "77"}
    change = {"Id": po["Id"], "SyncToken": po["SyncToken"], "sparse": True, "Line": [kept, new]}
    after = qbo.update("PurchaseOrder", change).json()["PurchaseOrder"]
    assert [(line["Id"], line["LineNum"]) for line in after["Line"]] == [("2", 1), ("3", 2)]
    assert after["Line"][0]["Description"] == "second, edited"
    assert after["TotalAmt"] == 36.0


def test_closing_a_po_and_bad_status(qbo: Qbo) -> None:
    po = qbo.made("PurchaseOrder", _po(qbo))
    closed = qbo.update(
        "PurchaseOrder", {"Id": po["Id"], "SyncToken": "0", "sparse": True, "POStatus": "Closed"}
    )
    assert closed.json()["PurchaseOrder"]["POStatus"] == "Closed"
    odd = qbo.update("PurchaseOrder", {"Id": po["Id"], "SyncToken": "1", "sparse": True, "POStatus": "Done"})
    assert fault_codes(odd) == ["2170"]
