from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.config import QboRef
from qbsps_orchestration.lib.mapping.doc_number import (
    doc_number_candidates,
    fallback_doc_number,
    order_marker,
)
from qbsps_orchestration.lib.mapping.purchase_order import MappingError, map_order
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_tests.support import offline_config, shared_dir

PARTNER = {
    "trading_partner_id": "SPSALLTESTID",
    "name": "SPS All Test Retail",
    "vendor_number": "VEND6174",
    "qbo_vendor": {"id": "56"},
    "qbo_customer": {"id": "58"},
    "rsx_format": "json",
}
ITEMS = [
    {
        "qbo_item": {"id": "11"},
        "vendor_part_number": "SPSSupplierHD-20",
        "buyer_part_number": "SPSBuyerItem1",
        "upc": "859563003863",
    },
    {
        "qbo_item": {"id": "12"},
        "vendor_part_number": "SPSSupplierHD-40",
        "buyer_part_number": "SPSBuyerItem2",
        "upc": "884502115161",
    },
    {
        "qbo_item": {"id": "13"},
        "vendor_part_number": "SPSSupplierHD-40",
        "buyer_part_number": "SPSBuyerItem3",
        "upc": "043000186706",
        "verify_check_digit": False,
    },
]


def _config(target: str = "PurchaseOrder", items: list | None = None):  # noqa: ANN202
    return offline_config([{**PARTNER, "inbound_target": target}], ITEMS if items is None else items)


def _resolve(entity: str, ref: QboRef) -> str:
    assert ref.id is not None, f"{entity} by name is resolved by the caller"
    return ref.id


def _map(raw: bytes, source: str, config=None):
    config = config or _config()
    order = read_rsx(raw, source=source)[0].order
    return map_order(
        order,
        source=source,
        partner=config.partner("SPSALLTESTID"),
        accounts=config.accounts,
        crossref=config.item_crossref,
        resolve=_resolve,
    )


def _order(lines: list[dict], **header) -> bytes:
    return json.dumps(
        {
            "Header": {
                "OrderHeader": {
                    "TradingPartnerId": "SPSALLTESTID",
                    "PurchaseOrderNumber": "PO-T1",
                    "TsetPurposeCode": "00",
                    "PurchaseOrderDate": "2026-11-01",
                    **header,
                }
            },
            "LineItem": [{"OrderLine": line} for line in lines],
        }
    ).encode()


@pytest.mark.parametrize(
    "name",
    [
        "PO112853-1-v7.7-CrossDock",
        "PO112855-1-v7.7-MultiStore",
        "PO584615-1-v7.7-BulkImport",
        "PO584616-1-v7.7-DropShip",
    ],
)
def test_sample_orders_map_to_the_cent(name: str) -> None:
    path = shared_dir() / "sps_samples" / "rsx_json_samples" / "Orders_850" / f"{name}.json"
    source = json.loads(path.read_text(encoding="utf-8-sig"))
    mapped = _map(path.read_bytes(), path.name)
    item_lines = [
        line for line in mapped.payload["Line"] if line["DetailType"] == "ItemBasedExpenseLineDetail"
    ]
    assert len(item_lines) == len(source["LineItem"]) == mapped.line_count
    for line, original in zip(item_lines, source["LineItem"], strict=True):
        detail, order_line = line["ItemBasedExpenseLineDetail"], original["OrderLine"]
        assert detail["Qty"] == Decimal(str(order_line["OrderQty"]))
        assert detail["UnitPrice"] == Decimal(str(order_line["PurchasePrice"]))
        assert line["Amount"] == (detail["Qty"] * detail["UnitPrice"]).quantize(Decimal("0.01"))
    assert mapped.payload["VendorRef"] == {"value": "56"} and mapped.payload["APAccountRef"] == {
        "value": "33"
    }
    assert order_marker("SPSALLTESTID", "PO584615-1") in mapped.payload["PrivateNote"]
    stated = Decimal(str(source["Summary"]["TotalAmount"]))
    if mapped.total.quantize(Decimal("0.01")) != stated:
        assert mapped.warnings and path.name in mapped.warnings[0] and "TotalAmount" in mapped.warnings[0]
    else:
        assert mapped.warnings == []


def test_items_sharing_a_vendor_part_number_resolve_by_upc() -> None:
    mapped = _map(
        _order(
            [
                {
                    "VendorPartNumber": "SPSSupplierHD-40",
                    "ConsumerPackageCode": "884502115161",
                    "OrderQty": 2,
                    "PurchasePrice": 10,
                },
                {
                    "VendorPartNumber": "SPSSupplierHD-40",
                    "ConsumerPackageCode": "043000186706",
                    "OrderQty": 3,
                    "PurchasePrice": 50,
                },
            ]
        ),
        "t.json",
    )
    refs = [line["ItemBasedExpenseLineDetail"]["ItemRef"]["value"] for line in mapped.payload["Line"]]
    assert refs == ["12", "13"] and mapped.total == Decimal("170.00")


def test_vendor_part_number_alone_is_ambiguous() -> None:
    with pytest.raises(MappingError) as caught:
        _map(
            _order([{"VendorPartNumber": "SPSSupplierHD-40", "OrderQty": 1, "PurchasePrice": 1}]), "amb.json"
        )
    assert caught.value.source == "amb.json" and caught.value.field == "LineItem[0].OrderLine"
    assert "ambiguous" in str(caught.value)


def test_unknown_item_names_document_line_and_identifiers() -> None:
    with pytest.raises(MappingError) as caught:
        _map(
            _order(
                [
                    {
                        "BuyerPartNumber": "NOPE-1",
                        "ConsumerPackageCode": "012345678905",
                        "OrderQty": 1,
                        "PurchasePrice": 1,
                    }
                ]
            ),
            "unknown.json",
        )
    message = str(caught.value)
    assert message.startswith("unknown.json: LineItem[0].OrderLine: unknown item")
    assert "'012345678905'" in message and "'NOPE-1'" in message


def test_missing_quantity_or_price_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match=r"LineItem\[0\]\.OrderLine\.PurchasePrice: missing"):
        _map(_order([{"BuyerPartNumber": "SPSBuyerItem1", "OrderQty": 1}]), "p.json")


def test_allowances_become_negative_account_lines_so_totals_match() -> None:
    raw = json.loads(_order([{"BuyerPartNumber": "SPSBuyerItem1", "OrderQty": 3, "PurchasePrice": "19.99"}]))
    raw["Header"]["ChargesAllowances"] = [
        {"AllowChrgIndicator": "A", "AllowChrgCode": "C310", "AllowChrgPercent": 5}
    ]
    raw["Summary"] = {"TotalAmount": "56.97"}
    mapped = _map(json.dumps(raw).encode(), "allow.json")
    amounts = [line["Amount"] for line in mapped.payload["Line"]]
    assert amounts == [Decimal("59.97"), Decimal("-3.00")]
    assert mapped.total == Decimal("56.97") and mapped.warnings == []
    assert mapped.payload["Line"][1]["AccountBasedExpenseLineDetail"]["AccountRef"] == {"value": "80"}


def test_estimate_target_uses_customer_and_sales_lines() -> None:
    mapped = _map(
        _order([{"BuyerPartNumber": "SPSBuyerItem1", "OrderQty": 5, "PurchasePrice": 20}]),
        "e.json",
        _config("Estimate"),
    )
    assert mapped.entity == "Estimate" and mapped.payload["CustomerRef"] == {"value": "58"}
    assert mapped.payload["Line"][0]["DetailType"] == "SalesItemLineDetail"
    assert "VendorRef" not in mapped.payload


def test_doc_numbers_fit_21_characters_and_differ_by_partner() -> None:
    assert doc_number_candidates("A", "PO584615-1")[0] == "PO584615-1"
    long_po = "1234567890123456789012"  # 22 characters, as some retailers send
    candidates = doc_number_candidates("A", long_po)
    assert len(candidates) == 1 and len(candidates[0]) == 21
    assert fallback_doc_number("A", "PO1") != fallback_doc_number("B", "PO1")
    assert fallback_doc_number("A", "PO1") == fallback_doc_number("A", "PO1")
