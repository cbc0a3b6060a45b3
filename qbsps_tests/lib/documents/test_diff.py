"""document_diff: what changed between two versions of an RSX document, field by field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from qbsps_orchestration.lib.documents.diff import change_rows, document_diff, render_lines
from qbsps_orchestration.lib.rsx import to_json, to_xml


def _line(number: str, part: str, qty: str, price: str = "20.00") -> dict[str, Any]:
    return {
        "InvoiceLine": {
            "LineSequenceNumber": number,
            "BuyerPartNumber": f"BUY-{part}",
            "VendorPartNumber": f"VEN-{part}",
            "InvoiceQty": Decimal(qty),
            "PurchasePrice": Decimal(price),
            "ShipQty": Decimal(qty),
        },
        "ProductOrItemDescription": [{"ProductCharacteristicCode": "08", "ProductDescription": part}],
    }


def _invoice() -> dict[str, Any]:
    return {
        "Header": {
            "InvoiceHeader": {
                "TradingPartnerId": "SPSALLTESTID",
                "InvoiceNumber": "INV-1",
                "InvoiceDate": "2026-11-25",
                "PurchaseOrderNumber": "PO-1",
            },
            "Address": [
                {"AddressTypeCode": "ST", "AddressName": "Store 9", "City": "Dallas", "State": "TX"},
                {"AddressTypeCode": "RI", "AddressName": "Acme Supply Co", "City": "Minneapolis"},
            ],
        },
        "LineItem": [_line("1", "A", "5"), _line("2", "B", "5"), _line("3", "C", "2")],
        "Summary": {"TotalAmount": Decimal("240.00"), "TotalLineItemNumber": 3},
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return render_lines(document_diff(to_json("Invoice", before), to_json("Invoice", after)))


def test_the_same_content_has_no_changes() -> None:
    assert _diff(_invoice(), _invoice()) == []


def test_a_changed_quantity_names_its_line() -> None:
    after = _invoice()
    after["LineItem"][1]["InvoiceLine"]["ShipQty"] = Decimal("4")
    assert _diff(_invoice(), after) == ["LineItem[LineSequenceNumber=2].InvoiceLine.ShipQty: 5 -> 4"]


def test_a_price_written_with_more_digits_is_no_change() -> None:
    before = b'{"Header": {"InvoiceHeader": {"InvoiceNumber": "1"}}, "Summary": {"TotalAmount": 10.0}}'
    after = b'{"Header": {"InvoiceHeader": {"InvoiceNumber": "1"}}, "Summary": {"TotalAmount": 10.00}}'
    assert document_diff(before, after) == []
    changed = after.replace(b"10.00", b"10.01")
    assert render_lines(document_diff(before, changed)) == ["Summary.TotalAmount: 10.0 -> 10.01"]


def test_an_added_line_is_one_change_named_by_its_number_and_parts() -> None:
    after = _invoice()
    after["LineItem"].append(_line("4", "D", "7"))
    [change] = document_diff(to_json("Invoice", _invoice()), to_json("Invoice", after))
    assert change.kind == "added" and change.path == "LineItem[LineSequenceNumber=4]"
    assert change.after is not None and change.after.startswith("LineSequenceNumber 4, BuyerPartNumber BUY-D")


def test_a_removed_first_line_shows_only_that_line() -> None:
    after = _invoice()
    del after["LineItem"][0]
    after["Summary"]["TotalLineItemNumber"] = 2
    changes = document_diff(to_json("Invoice", _invoice()), to_json("Invoice", after))
    assert [(c.path, c.kind) for c in changes] == [
        ("LineItem[LineSequenceNumber=1]", "removed"),
        ("Summary.TotalLineItemNumber", "changed"),
    ]
    assert "VendorPartNumber VEN-A" in (changes[0].before or "")


def test_lines_without_sequence_numbers_are_matched_by_part_number() -> None:
    before, after = _invoice(), _invoice()
    for document in (before, after):
        for line in document["LineItem"]:
            del line["InvoiceLine"]["LineSequenceNumber"]
    after["LineItem"] = [after["LineItem"][2], after["LineItem"][0]]  # B removed, order changed
    assert _diff(before, after) == [
        "LineItem[BuyerPartNumber=BUY-B]: removed (was BuyerPartNumber BUY-B, VendorPartNumber VEN-B, "
        "InvoiceQty 5, PurchasePrice 20.00, ShipQty 5, ProductCharacteristicCode 08 (+1 more fields))"
    ]


def test_a_header_date_change() -> None:
    after = _invoice()
    after["Header"]["InvoiceHeader"]["InvoiceDate"] = "2026-11-27"
    assert _diff(_invoice(), after) == ["Header.InvoiceHeader.InvoiceDate: 2026-11-25 -> 2026-11-27"]


def test_a_nested_address_change_names_the_address_by_its_type() -> None:
    after = _invoice()
    after["Header"]["Address"] = list(reversed(after["Header"]["Address"]))  # order alone is no change
    after["Header"]["Address"][1]["City"] = "Fort Worth"
    after["Header"]["Address"][1]["PostalCode"] = "76102"
    assert _diff(_invoice(), after) == [
        "Header.Address[AddressTypeCode=ST].City: Dallas -> Fort Worth",
        "Header.Address[AddressTypeCode=ST].PostalCode: added 76102",
    ]


def test_xml_and_json_versions_compare_alike() -> None:
    after = _invoice()
    after["LineItem"][0]["InvoiceLine"]["PurchasePrice"] = Decimal("19.50")
    changes = document_diff(to_xml("Invoice", _invoice()), to_xml("Invoice", after))
    assert render_lines(changes) == [
        "LineItem[LineSequenceNumber=1].InvoiceLine.PurchasePrice: 20.00 -> 19.50"
    ]
    assert document_diff(to_xml("Invoice", _invoice()), to_json("Invoice", _invoice())) == []


def test_lists_nothing_identifies_are_compared_in_place_and_output_is_bounded() -> None:
    before = {"Header": {"InvoiceHeader": {"InvoiceNumber": "1"}}, "Notes": [{"Note": "a"}, {"Note": "b"}]}
    after = copy.deepcopy(before)
    after["Notes"][1]["Note"] = "c"
    assert _diff(before, after) == ["Notes[2].Note: b -> c"]
    many = _invoice()
    for line in many["LineItem"]:
        line["InvoiceLine"]["InvoiceQty"] += 1
        line["InvoiceLine"]["ShipQty"] += 1
    changes = document_diff(to_json("Invoice", _invoice()), to_json("Invoice", many))
    assert len(changes) == 6
    assert render_lines(changes, limit=2)[-1] == "... and 4 more"
    assert change_rows(changes[:1]) == [
        {
            "field": "LineItem[LineSequenceNumber=1].InvoiceLine.InvoiceQty",
            "change": "changed",
            "before": "5",
            "after": "6",
        }
    ]
