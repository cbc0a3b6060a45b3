"""/batch (independent items, per-item Fault, 30-item limit) and /cdc (window, deleted stubs)."""

from __future__ import annotations

from datetime import timedelta

from .conftest import Qbo, fault_codes


def _po(qbo: Qbo, doc_number: str) -> dict:
    vendor = qbo.one("Vendor", DisplayName="SPS All Test Retail")
    item = qbo.one("Item", Sku="SPSSupplierHD-40")
    line = {
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 5, "UnitPrice": 6},
    }
    return {"DocNumber": doc_number, "VendorRef": {"value": vendor["Id"]}, "Line": [line]}


def test_batch_items_succeed_or_fail_independently(qbo: Qbo) -> None:
    po = qbo.made("PurchaseOrder", _po(qbo, "PO-B0"))
    items = [
        {"bId": "b1", "operation": "create", "Vendor": {"DisplayName": "The Grommet"}},  # 6240
        {
            "bId": "b2",
            "operation": "update",
            "PurchaseOrder": {"Id": po["Id"], "SyncToken": "5", "sparse": True, "POStatus": "Closed"},
        },  # 5010
        {"bId": "b3", "operation": "create", "PurchaseOrder": _po(qbo, "PO-B1")},
        {"bId": "b4", "Query": "select * from Item where Sku = 'SPSSupplierHD-40'"},
        {"bId": "b5", "operation": "delete", "PurchaseOrder": {"Id": po["Id"], "SyncToken": po["SyncToken"]}},
        {"bId": "b6", "operation": "create", "PurchaseOrder": _po(qbo, "PO-B1")},  # 6140 after b3
        {
            "bId": "b7",
            "operation": "create",
            "optionsData": "include=allowduplicatedocnum",
            "PurchaseOrder": _po(qbo, "PO-B1"),
        },
    ]
    response = qbo.http.post("/batch", json={"BatchItemRequest": items}, params={"minorversion": "75"})
    assert response.status_code == 200, response.text
    answers = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert list(answers) == ["b1", "b2", "b3", "b4", "b5", "b6", "b7"]
    assert answers["b1"]["Fault"]["Error"][0]["code"] == "6240"
    assert answers["b2"]["Fault"]["Error"][0]["code"] == "5010"
    assert answers["b3"]["PurchaseOrder"]["TotalAmt"] == 30.0
    assert answers["b4"]["QueryResponse"]["Item"][0]["Name"] == "HD-40 Sample Item 2"
    assert answers["b5"]["PurchaseOrder"] == {"Id": po["Id"], "status": "Deleted", "domain": "QBO"}
    assert answers["b6"]["Fault"]["Error"][0]["code"] == "6140"
    assert answers["b7"]["PurchaseOrder"]["DocNumber"] == "PO-B1"
    assert "time" in response.json()
    assert len(qbo.sandbox.find("PurchaseOrder", DocNumber="PO-B1")) == 2


def test_batch_limits(qbo: Qbo) -> None:
    items = [{"bId": f"q{n}", "Query": "select count(*) from Item"} for n in range(31)]
    too_many = qbo.http.post("/batch", json={"BatchItemRequest": items})
    assert too_many.status_code == 400 and fault_codes(too_many) == ["6000"]
    thirty = qbo.http.post("/batch", json={"BatchItemRequest": items[:30]})
    assert thirty.status_code == 200 and len(thirty.json()["BatchItemResponse"]) == 30
    long_bid = [{"bId": "x" * 11, "Query": "select count(*) from Item"}]
    with_request_id = qbo.http.post("/batch", json={"BatchItemRequest": long_bid}, params={"requestid": "r1"})
    assert with_request_id.json()["BatchItemResponse"][0]["Fault"]["Error"][0]["code"] == "2050"
    broken = qbo.http.post("/batch", json={"Items": []})
    assert broken.status_code == 400 and fault_codes(broken) == ["2020"]


def test_cdc_reports_changes_and_deleted_stubs(qbo: Qbo) -> None:
    since = (qbo.clock.now() - timedelta(seconds=1)).isoformat()
    kept = qbo.made("PurchaseOrder", _po(qbo, "PO-C1"))
    dropped = qbo.made("PurchaseOrder", _po(qbo, "PO-C2"))
    assert qbo.delete("PurchaseOrder", dropped).status_code == 200
    vendor = qbo.made("Vendor", {"DisplayName": "CDC Vendor"})
    response = qbo.http.get(
        "/cdc", params={"entities": "PurchaseOrder,Vendor,Invoice", "changedSince": since}
    )
    assert response.status_code == 200, response.text
    blocks = response.json()["CDCResponse"][0]["QueryResponse"]
    purchase_orders = blocks[0]["PurchaseOrder"]
    assert [row["Id"] for row in purchase_orders] == [kept["Id"], dropped["Id"]]
    stub = purchase_orders[1]
    assert stub["status"] == "Deleted" and set(stub) == {"Id", "domain", "status", "MetaData"}
    assert set(stub["MetaData"]) == {"LastUpdatedTime"}
    assert [row["Id"] for row in blocks[1]["Vendor"]] == [vendor["Id"]]  # seeded vendors are older
    assert blocks[2] == {}  # no Invoice changes


def test_cdc_window_is_thirty_days(qbo: Qbo) -> None:
    start = qbo.clock.now() - timedelta(seconds=1)
    qbo.made("Vendor", {"DisplayName": "Old Vendor"})
    qbo.clock.advance(timedelta(days=29).total_seconds())
    qbo.reauthenticate()  # the first access token expired an hour in
    inside = qbo.http.get("/cdc", params={"entities": "Vendor", "changedSince": start.isoformat()})
    assert inside.status_code == 200
    assert "Old Vendor" in [
        v["DisplayName"] for v in inside.json()["CDCResponse"][0]["QueryResponse"][0]["Vendor"]
    ]
    qbo.clock.advance(timedelta(days=2).total_seconds())
    qbo.reauthenticate()
    outside = qbo.http.get("/cdc", params={"entities": "Vendor", "changedSince": start.isoformat()})
    assert outside.status_code == 400
    assert "older than fixed days is not supported" in outside.json()["Fault"]["Error"][0]["Detail"]
    missing = qbo.http.get("/cdc", params={"entities": "Vendor"})
    assert fault_codes(missing) == ["2020"]
    unknown = qbo.http.get("/cdc", params={"entities": "Spaceship", "changedSince": start.isoformat()})
    assert unknown.status_code == 400
