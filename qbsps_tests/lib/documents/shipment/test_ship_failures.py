"""Every reason a ship notice must not be sent, and the message an operator reads for it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from qbsps_orchestration.lib import gs1
from qbsps_orchestration.lib.documents.document import OutboundDocument
from qbsps_orchestration.lib.documents.shipment.ship_cartons import Carton
from qbsps_orchestration.lib.documents.shipment.ship_constraints import constraints_file_near
from qbsps_orchestration.lib.documents.shipment.ship_notice import build_ship_notice
from qbsps_orchestration.lib.documents.shipment.shipment_rules import check_shipment
from qbsps_orchestration.lib.rsx import to_json

from .ship_support import constraints_file, counter, invoice, make_config, sample_order, samples, v770_schemas

FILE = "SHINV-20031-SPSALLTESTID-v7.7.json"


def build(invoice_payload: dict | None = None, *, config_edit=None, cartons=None, next_serial=None):
    config, order = make_config(config_edit), sample_order()
    document = build_ship_notice(
        invoice_payload or invoice(),
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        cartons=cartons,
        next_serial=next_serial or counter(),
    )
    return document, order


def check(document: OutboundDocument, order) -> list[str]:
    return check_shipment(document, order=order, constraints_file=constraints_file())


def test_missing_gs1_prefix_names_the_partner_config_key_and_draws_no_serial() -> None:
    def no_serial() -> int:
        raise AssertionError("no serial may be drawn without a GS1 company prefix")

    def drop_prefix(data: dict) -> None:
        del data["trading_partners"][0]["gs1_company_prefix"]

    document, order = build(config_edit=drop_prefix, next_serial=no_serial)
    assert document.build_problems == [
        f"{FILE}: OrderLevel[0].PackLevel[0].Pack.ShippingSerialID: no SSCC-18 for the cartons: "
        "trading_partners[0].gs1_company_prefix is not set for partner SPSALLTESTID"
    ]
    assert check(document, order) == [
        f"{FILE}: OrderLevel[0].PackLevel[0].Pack.ShippingSerialID: missing: every carton needs its SSCC-18"
    ]


def test_unknown_carrier_is_a_problem_naming_the_ship_method() -> None:
    document, order = build(invoice(ShipMethodRef={"value": "FedEx Freight", "name": "FedEx Freight"}))
    assert document.build_problems == [
        f"{FILE}: Header.CarrierInformation[0].CarrierAlphaCode: QBO ShipMethodRef 'FedEx Freight' has no "
        "carrier code (SCAC); add it under `carriers` in the config (configured: Estes LTL, UPS Ground)"
    ]
    assert document.data["Header"]["CarrierInformation"] == [{"CarrierRouting": "FedEx Freight"}]
    assert check(document, order) == [
        f"{FILE}: Header.CarrierInformation[0].CarrierAlphaCode: no carrier code (SCAC): set Ship via "
        "(ShipMethodRef) on the QBO Invoice and map it under `carriers` in the config"
    ]


def test_over_shipped_quantity_is_blocked() -> None:
    document, order = build(invoice([("19", 7), ("20", 2)]))
    assert document.build_problems == []  # the builder keeps the excess visible...
    assert check(document, order) == [  # ...and the rules refuse it
        f"{FILE}: OrderLevel[0].PackLevel[0].ItemLevel[0].ShipmentLine.ShipQty: line 1 ships 7 but order "
        "PO584615-1 ordered 5"
    ]


def test_over_shipment_split_across_cartons_is_summed() -> None:
    cartons = [Carton({"1": Decimal(4)}), Carton({"1": Decimal(2)})]
    document, order = build(invoice([("19", 6)]), cartons=cartons)
    assert check(document, order) == [
        f"{FILE}: OrderLevel[0].PackLevel[0].ItemLevel[0].ShipmentLine.ShipQty: line 1 ships 6 but order "
        "PO584615-1 ordered 5"
    ]


def test_duplicate_sscc_is_blocked() -> None:
    cartons = [Carton({"1": Decimal(5)}), Carton({"2": Decimal(2), "3": Decimal(3)})]
    document, order = build(cartons=cartons, next_serial=lambda: 42)  # a broken sequence
    first, second = (p["Pack"]["ShippingSerialID"] for p in document.data["OrderLevel"][0]["PackLevel"])
    assert first == second
    assert check(document, order) == [
        f"{FILE}: OrderLevel[0].PackLevel[1].Pack.ShippingSerialID: SSCC {first[2:]} is used twice "
        "(also at OrderLevel[0].PackLevel[0].Pack.ShippingSerialID)"
    ]


def test_sscc_with_a_wrong_check_digit_is_blocked() -> None:
    document, order = build()
    pack = document.data["OrderLevel"][0]["PackLevel"][0]["Pack"]
    good = pack["ShippingSerialID"]
    wrong = str((int(good[-1]) + 1) % 10)
    pack["ShippingSerialID"] = good[:-1] + wrong
    assert check(document, order) == [
        f"{FILE}: OrderLevel[0].PackLevel[0].Pack.ShippingSerialID: not a valid SSCC-18: SSCC-18 "
        f"{good[2:-1]}{wrong} has check digit {wrong}, expected {gs1.check_digit(good[2:-1])}"
    ]


def test_serial_that_does_not_fit_the_prefix_is_a_build_problem() -> None:
    document, _ = build(next_serial=lambda: 10**9)  # 7-digit prefix leaves 8 serial digits
    assert len(document.build_problems) == 1
    assert document.build_problems[0].startswith(
        f"{FILE}: OrderLevel[0].PackLevel[0].Pack.ShippingSerialID: "
        "SSCC serial reference 1000000000 does not fit"
    )


def test_document_for_another_partner_is_blocked() -> None:
    document, order = build()
    document.data["Header"]["ShipmentHeader"]["TradingPartnerId"] = "OTHERPARTNER"
    assert check(document, order) == [
        f"{FILE}: Header.ShipmentHeader.TradingPartnerId: 'OTHERPARTNER' is not the partner this document is "
        "routed to ('SPSALLTESTID')"
    ]


def test_invoice_for_another_customer_or_po_is_a_build_problem() -> None:
    document, _ = build(invoice(CustomerRef={"value": "99", "name": "Someone Else"}, PONumber="PO-OTHER"))
    assert document.build_problems == [
        f"{FILE}: Header.ShipmentHeader.TradingPartnerId: QBO Invoice customer 'Someone Else' is not partner "
        "SPSALLTESTID's qbo_customer (id=58)",
        f"{FILE}: OrderLevel[0].OrderHeader.PurchaseOrderNumber: QBO Invoice PONumber 'PO-OTHER' is not the "
        "order's 'PO584615-1'",
    ]


def test_cartons_that_disagree_with_the_invoice_are_a_build_problem() -> None:
    cartons = [Carton({"1": Decimal(4)}), Carton({"9": Decimal(1)})]
    document, _ = build(invoice([("19", 5)]), cartons=cartons)
    assert document.build_problems == [
        f"{FILE}: cartons[1]: line '9' is not shipped on this invoice (shipped lines: 1, 2, 3)",
        f"{FILE}: cartons: line 1: cartons hold 4 but the invoice ships 5",
    ]


def test_item_not_on_the_order_is_a_warning_and_no_goods_at_all_a_problem() -> None:
    document, _ = build(invoice([("55", 1)]))
    assert document.warnings == [
        f"{FILE}: Invoice.Line[0]: item 'Item 55' (id 55) is on no line of order PO584615-1; left off the "
        "ship notice"
    ]
    assert document.build_problems == [
        f"{FILE}: OrderLevel[0].PackLevel: no invoice line ships an item of order PO584615-1 (check the item "
        "cross-reference)"
    ]


def test_missing_ship_date_and_supplier_are_build_problems() -> None:
    def no_supplier(data: dict) -> None:
        del data["supplier"]

    document, _ = build(invoice(ShipDate=None), config_edit=no_supplier)
    assert document.build_problems == [
        f"{FILE}: Header.ShipmentHeader.ShipDate: QBO Invoice has no ShipDate",
        f"{FILE}: Header.Address: no ship-from (SF) address: `supplier` is not set in the config",
    ]


def test_derived_constraints_catch_codes_formats_and_unknown_elements() -> None:
    document, order = build()
    header = document.data["Header"]["ShipmentHeader"]
    header["TsetPurposeCode"] = "04"  # allowed on OrderAcks, not on v7.7.7 Shipments
    header["ShipNoticeTime"] = "25:00:00"
    document.data["OrderLevel"][0]["PackLevel"][0]["Pack"]["Tracking"] = "1Z"
    problems = check(document, order)
    assert problems == [
        f"{FILE}: Header.ShipmentHeader.TsetPurposeCode: '04' is not an allowed code "
        "(00, 01, 05, 06, 07, 20, CN)",
        f"{FILE}: Header.ShipmentHeader.ShipNoticeTime: '25:00:00' is not a time HH:MM:SS",
        f"{FILE}: OrderLevel[0].PackLevel[0].Pack.Tracking: unknown element (not in the RSX 7.7.7 Shipment)",
    ]
    # SPS's own v7.7.0 schema agrees about the unknown element.
    assert any(
        "Tracking" in p
        for p in v770_schemas().problems("Shipment", json.loads(to_json("Shipment", document.data)))
    )


def test_constraints_file_is_found_beside_the_schema_folder_and_must_exist(tmp_path: Path) -> None:
    assert constraints_file_near(samples() / "schemas" / "v777") == constraints_file()
    assert constraints_file_near(tmp_path) is None
    document, order = build()
    with pytest.raises(ValueError, match="does not exist"):
        check_shipment(document, order=order, constraints_file=tmp_path / "missing.json")
    assert check_shipment(document, order=order, constraints_file=None) == []


def test_excess_of_an_item_on_several_order_lines_stays_on_the_last_one() -> None:
    def same_item(data: dict) -> None:
        data["items"][2] = {"qbo_item": {"id": "20"}, "buyer_part_number": "SPSBuyerItem3"}

    document, order = build(invoice([("20", 6)]), config_edit=same_item)
    shipped = [
        (i["ShipmentLine"]["LineSequenceNumber"], i["ShipmentLine"]["ShipQty"])
        for i in document.data["OrderLevel"][0]["PackLevel"][0]["ItemLevel"]
    ]
    assert shipped == [("2", 2), ("3", 4)]
    assert check(document, order) == [
        f"{FILE}: OrderLevel[0].PackLevel[0].ItemLevel[1].ShipmentLine.ShipQty: line 3 ships 4 but order "
        "PO584615-1 ordered 3"
    ]


def test_ambiguous_cross_reference_never_picks_an_order_line() -> None:
    def by_vendor_part_only(data: dict) -> None:
        data["items"] = [
            {"qbo_item": {"id": "19"}, "vendor_part_number": "SPSSupplierHD-20"},
            {"qbo_item": {"id": "20"}, "vendor_part_number": "SPSSupplierHD-40"},
            {"qbo_item": {"id": "21"}, "vendor_part_number": "SPSSupplierHD-40"},
        ]

    document, _ = build(invoice([("19", 5), ("20", 2)]), config_edit=by_vendor_part_only)
    ambiguous = [w for w in document.warnings if "ambiguous" in w]
    assert [w.split(": ")[1] for w in ambiguous] == ["order LineItem[1]", "order LineItem[2]"]
    assert (
        f"{FILE}: Invoice.Line[1]: item 'Item 20' (id 20) is on no line of order PO584615-1; left off the "
        "ship notice; order lines that resolve to no single QBO item: 2, 3" in document.warnings
    )
    lines = [
        i["ShipmentLine"]["LineSequenceNumber"]
        for i in document.data["OrderLevel"][0]["PackLevel"][0]["ItemLevel"]
    ]
    assert lines == ["1"]
