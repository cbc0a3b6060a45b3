"""Unknown items on SPS's published sample orders, against a partial cross-reference (the QBO snapshot
case is in qbsps_tests/lib/reference/test_crossref.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qbsps_orchestration.lib.items import ItemCrossReference, ItemRow, LineCode, unknown_order_items
from qbsps_orchestration.lib.rsx import Order, read_rsx
from qbsps_tests.support import shared_dir

pytestmark = pytest.mark.shared


def _sample_orders() -> list[Order]:
    samples = shared_dir() / "sps_samples"
    paths = sorted((samples / "rsx_json_samples" / "Orders_850").glob("*.json"))
    paths.append(samples / "rsx_xml_samples" / "PurchaseOrderTest.xml")
    orders = []
    for path in paths:
        for document in read_rsx(Path(path).read_bytes(), source=path.name, doc_type="Order"):
            assert document.order is not None
            orders.append(document.order)
    return orders


def _crossref(*rows: dict[str, Any]) -> ItemCrossReference:
    return ItemCrossReference((f"items[{i}]", ItemRow.model_validate(row)) for i, row in enumerate(rows))


# Item 1 for every partner; item 2 only for SPS's test partner; item 3 not mapped at all.
PARTIAL = _crossref(
    {
        "qbo_item": {"name": "HD-20 Sample Item 1"},
        "upc": "859563003863",
        "buyer_part_number": "SPSBuyerItem1",
    },
    {
        "qbo_item": {"name": "HD-40 Sample Item 2"},
        "upc": "884502115161",
        "buyer_part_number": "SPSBuyerItem2",
        "trading_partner_id": "SPSALLTESTID",
    },
)


def test_lines_without_a_cross_reference_row_are_listed_with_partner_and_check_digits() -> None:
    orders = _sample_orders()
    unknown = unknown_order_items(orders, PARTIAL)
    # Three of SPS's JSON samples carry item 3; the XML sample (525GROMM) carries items 2 and 3.
    assert [(u.trading_partner_id, u.line_sequence_number, u.buyer_part_number) for u in unknown] == [
        ("SPSALLTESTID", "3", "SPSBuyerItem3"),
        ("SPSALLTESTID", "3", "SPSBuyerItem3"),
        ("SPSALLTESTID", "3", "SPSBuyerItem3"),
        ("525GROMM", "2", "SPSBuyerItem2"),
        ("525GROMM", "3", "SPSBuyerItem3"),
    ]
    first = unknown[0]
    assert first.where == "SPSALLTESTID PO PO584615-1 line 3"
    assert first.reason == "no item cross-reference row matches the line's identifiers"
    assert first.vendor_part_number == "SPSSupplierHD-40"
    # SPS's sample UPC 043000186706 has check digit 6 where GS1 computes 1 (so does its GTIN form).
    assert first.codes[0] == LineCode(
        "ConsumerPackageCode",
        "043000186706",
        False,
        "GS1 code 043000186706 has check digit 6, expected 1",
    )
    assert [c.element for c in first.invalid_codes] == ["ConsumerPackageCode", "GTIN", "UPCCaseCode"]
    grommet_item2 = unknown[3]
    assert [(c.element, c.valid) for c in grommet_item2.codes] == [
        ("ConsumerPackageCode", True),
        ("GTIN", False),  # 00361414123416: its check digit should be 0
    ]


def test_an_ambiguous_line_is_unknown_with_the_candidates_named() -> None:
    crossref = _crossref(
        {"qbo_item": {"id": "20"}, "vendor_part_number": "SPSSupplierHD-40"},
        {"qbo_item": {"id": "21"}, "vendor_part_number": "SPSSupplierHD-40"},
        {"qbo_item": {"id": "19"}, "vendor_part_number": "SPSSupplierHD-20"},
    )
    (order, *_) = [o for o in _sample_orders() if len(o.LineItem) == 3]
    unknown = unknown_order_items([order], crossref)
    assert [u.line_sequence_number for u in unknown] == ["2", "3"]
    assert unknown[0].reason.startswith("ambiguous: vendor_part_number 'SPSSupplierHD-40'")
    assert "id=20 (items[0]), id=21 (items[1])" in unknown[0].reason
