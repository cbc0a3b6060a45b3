from __future__ import annotations

import json
from typing import Any

import pytest

from qbsps_orchestration.lib.config import QboRef
from qbsps_orchestration.lib.items import AmbiguousItemError, ItemCrossReference, ItemRow, link_identifiers
from qbsps_tests.support import shared_dir

TP = "SPSALLTESTID"


def _crossref(*rows: dict[str, Any]) -> ItemCrossReference:
    return ItemCrossReference((f"items[{i}]", ItemRow.model_validate(row)) for i, row in enumerate(rows))


# The items of SPS's published sample orders: two items share VendorPartNumber SPSSupplierHD-40.
SAMPLE_ITEMS = _crossref(
    {
        "qbo_item": {"id": "19"},
        "vendor_part_number": "SPSSupplierHD-20",
        "buyer_part_number": "SPSBuyerItem1",
        "upc": "859563003863",
    },
    {
        "qbo_item": {"id": "20"},
        "vendor_part_number": "SPSSupplierHD-40",
        "buyer_part_number": "SPSBuyerItem2",
        "upc": "884502115161",
    },
    {
        "qbo_item": {"id": "21"},
        "vendor_part_number": "SPSSupplierHD-40",
        "buyer_part_number": "SPSBuyerItem3",
        "upc": "043000186706",
        "verify_check_digit": False,
    },
)


def test_upc_ean_and_gtin_shapes_meet_as_gtin14() -> None:
    for code in ("859563003863", "0859563003863", "00859563003863"):
        match = SAMPLE_ITEMS.resolve(TP, upc=code)
        assert match is not None
        assert (match.qbo_item, match.matched_on, match.value) == (QboRef(id="19"), "upc", "00859563003863")
    match = SAMPLE_ITEMS.resolve(TP, gtin="00884502115161")
    assert match is not None and (match.qbo_item.id, match.matched_on, match.source) == (
        "20",
        "gtin",
        "items[1]",
    )


def test_shared_vendor_part_number_is_ambiguous() -> None:
    with pytest.raises(AmbiguousItemError) as caught:
        SAMPLE_ITEMS.resolve(TP, vendor_part_number="SPSSupplierHD-40")
    error = caught.value
    assert error.candidates == (QboRef(id="20"), QboRef(id="21"))
    assert str(error).startswith(
        "ambiguous: vendor_part_number 'SPSSupplierHD-40' for trading partner 'SPSALLTESTID' maps to items "
        "id=20 (items[1]), id=21 (items[2]);"
    )


def test_upc_or_buyer_part_number_still_resolve_the_shared_vendor_part() -> None:
    by_upc = SAMPLE_ITEMS.resolve(TP, vendor_part_number="SPSSupplierHD-40", upc="043000186706")
    by_buyer = SAMPLE_ITEMS.resolve(
        TP, vendor_part_number="SPSSupplierHD-40", buyer_part_number="SPSBuyerItem2"
    )
    assert by_upc is not None and (by_upc.qbo_item.id, by_upc.matched_on) == ("21", "upc")
    assert by_buyer is not None and (by_buyer.qbo_item.id, by_buyer.matched_on) == ("20", "buyer_part_number")


def test_precedence_upc_then_buyer_then_vendor() -> None:
    crossref = _crossref(
        {"qbo_item": {"id": "1"}, "upc": "859563003863"},
        {"qbo_item": {"id": "2"}, "buyer_part_number": "B"},
        {"qbo_item": {"id": "3"}, "vendor_part_number": "V"},
    )
    everything = crossref.resolve(TP, upc="859563003863", buyer_part_number="B", vendor_part_number="V")
    assert everything is not None and everything.qbo_item.id == "1"
    parts = crossref.resolve(TP, buyer_part_number="B", vendor_part_number="V")
    assert parts is not None and parts.qbo_item.id == "2"
    unknown_upc = crossref.resolve(TP, upc="884502115161", vendor_part_number="V")
    assert unknown_upc is not None and (unknown_upc.qbo_item.id, unknown_upc.matched_on) == (
        "3",
        "vendor_part_number",
    )


def test_partner_rows_override_global_rows() -> None:
    crossref = _crossref(
        {"qbo_item": {"id": "1"}, "buyer_part_number": "B"},
        {"qbo_item": {"id": "2"}, "buyer_part_number": "B", "trading_partner_id": "OTHER"},
    )
    other = crossref.resolve("OTHER", buyer_part_number="B")
    assert other is not None and (other.qbo_item.id, other.trading_partner_id) == ("2", "OTHER")
    everyone = crossref.resolve(TP, buyer_part_number="B")
    assert everyone is not None and (everyone.qbo_item.id, everyone.trading_partner_id) == ("1", None)


def test_lower_identifiers_narrow_but_never_contradict() -> None:
    crossref = _crossref(
        {"qbo_item": {"id": "1"}, "upc": "859563003863", "vendor_part_number": "V1"},
        {"qbo_item": {"id": "2"}, "upc": "859563003863", "vendor_part_number": "V2"},
        {"qbo_item": {"id": "3"}, "buyer_part_number": "B3"},
    )
    narrowed = crossref.resolve(TP, upc="859563003863", vendor_part_number="V2")
    assert narrowed is not None and (narrowed.qbo_item.id, narrowed.matched_on) == ("2", "vendor_part_number")
    with pytest.raises(
        AmbiguousItemError, match=r"^ambiguous: upc '00859563003863' .* id=1 \(items\[0\]\), id=2"
    ):
        crossref.resolve(TP, upc="859563003863", buyer_part_number="B3")  # B3 is item 3: not a candidate


def test_same_mapping_twice_is_not_ambiguous_and_misses_are_none() -> None:
    crossref = _crossref(
        {"qbo_item": {"name": "Widget"}, "vendor_part_number": "W"},
        {"qbo_item": {"name": "Widget"}, "vendor_part_number": "W", "upc": "859563003863"},
    )
    match = crossref.resolve(TP, vendor_part_number=" W ")
    assert match is not None and (match.qbo_item, match.source) == (QboRef(name="Widget"), "items[0]")
    assert crossref.resolve(TP, vendor_part_number="w") is None  # part numbers are case-sensitive
    assert crossref.resolve(TP, upc="not-a-code", gtin="123456789012345") is None
    assert crossref.resolve(TP) is None


def test_link_identifiers_are_the_compared_keys_without_a_wrong_check_digit() -> None:
    # What qbsps links to an Item it created: the keys `resolve` compares, most specific first; a
    # UPC with a wrong check digit (SPS's sample 043000186706) is no reliable key, so it is dropped.
    assert link_identifiers(upc="859563003863", gtin="00859563003863", buyer_part_number=" B-1 ") == [
        ("gtin", "00859563003863"),
        ("buyer_part_number", "B-1"),
    ]
    assert link_identifiers(upc="043000186706", vendor_part_number="V", buyer_part_number="  ") == [
        ("vendor_part_number", "V")
    ]
    assert link_identifiers() == []


def _order_lines(document: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(document, dict):
        if isinstance(document.get("OrderLine"), dict):
            found.append(document["OrderLine"])
        for value in document.values():
            found += _order_lines(value)
    elif isinstance(document, list):
        for value in document:
            found += _order_lines(value)
    return found


@pytest.mark.shared
def test_every_line_of_sps_sample_orders_resolves() -> None:
    folder = shared_dir() / "sps_samples" / "rsx_json_samples" / "Orders_850"
    expected = {"SPSBuyerItem1": "19", "SPSBuyerItem2": "20", "SPSBuyerItem3": "21"}
    lines = [
        line
        for path in sorted(folder.glob("*.json"))
        for line in _order_lines(json.loads(path.read_text(encoding="utf-8-sig")))
    ]
    assert len(lines) >= 3
    for line in lines:
        identifiers = {
            "buyer_part_number": line.get("BuyerPartNumber"),
            "vendor_part_number": line.get("VendorPartNumber"),
            "upc": line.get("ConsumerPackageCode"),
            "gtin": line.get("GTIN"),
        }
        match = SAMPLE_ITEMS.resolve(TP, **identifiers)
        assert match is not None and match.qbo_item.id == expected[line["BuyerPartNumber"]], line
        assert match.matched_on == "upc"
        by_gtin_only = SAMPLE_ITEMS.resolve(TP, gtin=line["GTIN"])
        assert by_gtin_only is not None and by_gtin_only.qbo_item == match.qbo_item
