"""CRUD over real HTTP for every entity the sandbox serves, with SyncToken and update semantics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import Qbo, fault_codes


def _po_body(qbo: Qbo, doc_number: str = "PO-5001") -> dict:
    vendor = qbo.one("Vendor", DisplayName="SPS All Test Retail")
    item = qbo.one("Item", Sku="SPSSupplierHD-20")
    freight = qbo.one("Account", Name="Freight & delivery")
    return {
        "DocNumber": doc_number,
        "VendorRef": {"value": vendor["Id"]},
        "Line": [
            {
                "DetailType": "ItemBasedExpenseLineDetail",
                "Amount": 36.0,
                "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 3, "UnitPrice": 12},
            },
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 15.5,
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": freight["Id"]}},
            },
        ],
    }


def _sales_body(qbo: Qbo) -> dict:
    customer = qbo.one("Customer", CompanyName="The Grommet")
    item = qbo.one("Item", Sku="SPSSupplierHD-40")
    return {
        "CustomerRef": {"value": customer["Id"]},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 4, "UnitPrice": 10.25},
            }
        ],
    }


def _bodies(qbo: Qbo) -> dict[str, tuple[dict, dict]]:
    """entity -> (create body, sparse change)"""
    income = qbo.one("Account", Name="Sales of Product Income")
    cogs = qbo.one("Account", Name="Cost of Goods Sold")
    return {
        "Account": ({"Name": "Shipping Supplies", "AccountType": "Expense"}, {"Description": "boxes"}),
        "Vendor": ({"DisplayName": "Acme Supply Co", "CompanyName": "Acme"}, {"AcctNum": "A-1"}),
        "Customer": ({"DisplayName": "Big Box Retail"}, {"Notes": "net 30"}),
        "Item": (
            {
                "Name": "Widget Pro",
                "Sku": "WID-PRO-01",
                "Type": "NonInventory",
                "UnitPrice": 25,
                "IncomeAccountRef": {"value": income["Id"]},
                "ExpenseAccountRef": {"value": cogs["Id"]},
            },
            {"Description": "the pro one"},
        ),
        "PurchaseOrder": (_po_body(qbo), {"Memo": "rush"}),
        "Invoice": (_sales_body(qbo), {"TrackingNum": "1Z999AA10123456784"}),
        "Estimate": (_sales_body(qbo), {"PrivateNote": "quoted by phone"}),
    }


ENTITIES = ("Account", "Vendor", "Customer", "Item", "PurchaseOrder", "Invoice", "Estimate")


@pytest.mark.parametrize("entity", ENTITIES)
def test_create_read_sparse_update_and_stale_token(qbo: Qbo, entity: str) -> None:
    body, change = _bodies(qbo)[entity]
    created = qbo.create(entity, body)
    assert created.status_code == 200, created.text
    assert created.headers["intuit_tid"]
    assert "time" in created.json()
    row = created.json()[entity]
    assert row["SyncToken"] == "0" and row["domain"] == "QBO" and row["sparse"] is False
    assert row["MetaData"]["CreateTime"] == row["MetaData"]["LastUpdatedTime"]
    assert row["MetaData"]["CreateTime"][-6:] in ("-08:00", "-07:00")  # company (Pacific) offset

    read = qbo.read(entity, row["Id"])
    assert read.status_code == 200 and read.json()[entity] == row

    updated = qbo.update(entity, {"Id": row["Id"], "SyncToken": "0", "sparse": True, **change})
    assert updated.status_code == 200, updated.text
    after = updated.json()[entity]
    assert after["SyncToken"] == "1"
    for key, value in change.items():
        assert after[key] == value
    untouched = next(k for k in body if k not in change)
    assert after[untouched] == row[untouched]  # sparse: everything not sent is kept

    stale = qbo.update(entity, {"Id": row["Id"], "SyncToken": "0", "sparse": True, **change})
    assert stale.status_code == 400
    assert fault_codes(stale) == ["5010"]
    assert stale.json()["Fault"]["type"] == "ValidationFault"


@pytest.mark.parametrize("entity", ("PurchaseOrder", "Invoice", "Estimate"))
def test_transactions_are_hard_deleted_with_a_stub_answer(qbo: Qbo, entity: str) -> None:
    row = qbo.made(entity, _bodies(qbo)[entity][0])
    stale = qbo.delete(entity, {**row, "SyncToken": "7"})
    assert fault_codes(stale) == ["5010"]
    deleted = qbo.delete(entity, row)
    assert deleted.status_code == 200
    assert deleted.json()[entity] == {"Id": row["Id"], "status": "Deleted", "domain": "QBO"}
    gone = qbo.read(entity, row["Id"])
    assert gone.status_code == 400 and fault_codes(gone) == ["610"]


@pytest.mark.parametrize("entity", ("Account", "Vendor", "Customer", "Item"))
def test_name_lists_are_inactivated_not_deleted(qbo: Qbo, entity: str) -> None:
    row = qbo.made(entity, _bodies(qbo)[entity][0])
    assert fault_codes(qbo.delete(entity, row)) == ["500"]
    inactive = qbo.update(
        entity, {"Id": row["Id"], "SyncToken": row["SyncToken"], "sparse": True, "Active": False}
    )
    assert inactive.status_code == 200 and inactive.json()[entity]["Active"] is False


def test_full_update_clears_writable_fields_left_out(qbo: Qbo) -> None:
    vendor = qbo.made("Vendor", {"DisplayName": "Full Update Co", "AcctNum": "X-9", "CompanyName": "FU"})
    full = {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "DisplayName": "Full Update Co"}
    after = qbo.update("Vendor", full).json()["Vendor"]
    assert "AcctNum" not in after and "CompanyName" not in after
    assert after["DisplayName"] == "Full Update Co" and after["SyncToken"] == "1"


def test_python_style_integer_sync_token_and_decimal_strings_are_accepted(qbo: Qbo) -> None:
    item_body = _bodies(qbo)["Item"][0] | {"UnitPrice": "19.99", "PurchaseCost": "7.10"}
    item = qbo.made("Item", item_body)
    assert item["UnitPrice"] == 19.99 and item["PurchaseCost"] == 7.1  # numbers on the wire
    updated = qbo.update("Item", {"Id": item["Id"], "SyncToken": 0, "sparse": True, "Taxable": True})
    assert updated.status_code == 200 and updated.json()["Item"]["Taxable"] is True


def test_invoice_totals_balance_and_automatic_doc_numbers(qbo: Qbo) -> None:
    first = qbo.made("Invoice", _sales_body(qbo))
    second = qbo.made("Invoice", _sales_body(qbo))
    assert first["TotalAmt"] == 41.0 and first["Balance"] == 41.0
    assert first["Line"][0]["Amount"] == 41.0
    assert int(second["DocNumber"]) == int(first["DocNumber"]) + 1
    stored = qbo.one("Invoice", Id=first["Id"])
    assert stored["TotalAmt"] == Decimal("41.00")


def test_money_is_computed_exactly(qbo: Qbo) -> None:
    body = _po_body(qbo, "PO-CENTS")
    body["Line"] = [
        {
            "DetailType": "ItemBasedExpenseLineDetail",
            "ItemBasedExpenseLineDetail": {
                "ItemRef": body["Line"][0]["ItemBasedExpenseLineDetail"]["ItemRef"],
                "Qty": 3,
                "UnitPrice": 0.1,
            },
        }
    ] * 3
    po = qbo.made("PurchaseOrder", body)
    assert [line["Amount"] for line in po["Line"]] == [0.3, 0.3, 0.3]
    assert po["TotalAmt"] == 0.9
    assert qbo.one("PurchaseOrder", Id=po["Id"])["TotalAmt"] == Decimal("0.90")


def test_display_names_are_unique_across_vendors_and_customers(qbo: Qbo) -> None:
    clash = qbo.create("Customer", {"DisplayName": "sps all test retail"})
    assert clash.status_code == 400 and fault_codes(clash) == ["6240"]
    same_item = qbo.create("Item", {"Name": "HD-20 Sample Item 1", "Type": "NonInventory"})
    assert fault_codes(same_item) == ["6240"]


def test_unknown_fields_and_bad_references_are_refused(qbo: Qbo) -> None:
    typo = qbo.create("Vendor", {"DisplayName": "Typo Inc", "DisplayNmae": "x"})
    assert fault_codes(typo) == ["2010"] and typo.json()["Fault"]["Error"][0]["element"] == "DisplayNmae"
    body = _sales_body(qbo) | {"CustomerRef": {"value": "99999"}}
    bad_ref = qbo.create("Invoice", body)
    assert fault_codes(bad_ref) == ["2500"]
    assert fault_codes(qbo.read("Vendor", "99999")) == ["610"]
    missing = qbo.update("Vendor", {"Id": "99999", "SyncToken": "0", "DisplayName": "Nobody"})
    assert fault_codes(missing) == ["610"]


def test_malformed_json_and_unknown_resources_answer_faults(qbo: Qbo) -> None:
    broken = qbo.http.post("/vendor", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and fault_codes(broken) == ["2010"]
    unknown = qbo.http.get("/widget/1")
    assert unknown.status_code == 400 and fault_codes(unknown) == ["500"]
