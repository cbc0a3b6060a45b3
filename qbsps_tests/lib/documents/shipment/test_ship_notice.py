"""Ship notices (RSX 7.7 Shipment, 856) built from QBO Invoices and SPS's sample orders.

Every built document is checked against SPS's v7.7.0 ``Shipments.json`` and the derived v7.7.7
Shipment constraints, both read in place from the shared folder.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbsps_orchestration.lib import gs1
from qbsps_orchestration.lib.documents.document import OutboundDocument
from qbsps_orchestration.lib.documents.shipment.ship_cartons import Carton
from qbsps_orchestration.lib.documents.shipment.ship_notice import build_ship_notice, has_shipping_data
from qbsps_orchestration.lib.documents.shipment.shipment_rules import check_shipment
from qbsps_orchestration.lib.rsx import Order, read_rsx

from .ship_support import (
    GS1_PREFIX,
    assert_sendable,
    constraints_file,
    counter,
    invoice,
    make_config,
    packs,
    sample_order,
    shipment_lines,
)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, True),
        ({"TrackingNum": None}, True),  # ShipDate + ShipMethodRef
        ({"ShipMethodRef": None}, True),  # ShipDate + TrackingNum
        ({"TrackingNum": None, "ShipMethodRef": None}, False),
        ({"ShipDate": None}, False),
        ({"TrackingNum": "  ", "ShipMethodRef": {"value": ""}}, False),
    ],
)
def test_has_shipping_data(fields: dict, expected: bool) -> None:
    assert has_shipping_data(invoice(**fields)) is expected


def test_invoice_of_the_bulk_import_order_becomes_a_valid_ship_notice() -> None:
    config, order = make_config(), sample_order()
    document = build_ship_notice(
        invoice(), partner=config.partner("SPSALLTESTID"), config=config, order=order, next_serial=counter()
    )
    assert_sendable(document, order)
    assert (document.doc_type, document.format, document.business_key) == ("Shipment", "json", "INV-20031")
    assert document.file_name == "SHINV-20031-SPSALLTESTID-v7.7.json"

    header = document.data["Header"]
    assert header["ShipmentHeader"] == {
        "TradingPartnerId": "SPSALLTESTID",
        "ShipmentIdentification": "INV-20031",
        "ShipDate": "2025-01-31",
        "TsetPurposeCode": "00",
        "ShipNoticeDate": "2025-02-01",
        "ShipNoticeTime": "10:15:30-08:00",
        "ASNStructureCode": "0001",
    }
    assert header["CarrierInformation"] == [{"CarrierAlphaCode": "UPSN", "CarrierRouting": "UPS Ground"}]
    assert header["QuantityAndWeight"][0]["LadingQuantity"] == 1
    assert header["References"] == [{"ReferenceQual": "2I", "ReferenceID": "1Z999AA10123456784"}]
    ship_from, ship_to = header["Address"]
    assert (ship_from["AddressTypeCode"], ship_from["AddressName"]) == ("SF", "Acme Widgets")
    # The order's ST address, with the retailer's DC number, not the invoice's free-text ShipAddr.
    assert (ship_to["AddressTypeCode"], ship_to["AddressLocationNumber"]) == ("ST", "123")

    order_header = document.data["OrderLevel"][0]["OrderHeader"]
    assert order_header["PurchaseOrderNumber"] == "PO584615-1"
    assert order_header["PurchaseOrderDate"] == "2020-12-01"
    assert order_header["Vendor"] == "VEND6174"

    lines = shipment_lines(document)
    ordered = {line.OrderLine.LineSequenceNumber: line.OrderLine for line in order.LineItem}
    assert [line["LineSequenceNumber"] for line in lines] == ["1", "2", "3"]
    for line in lines:
        source = ordered[line["LineSequenceNumber"]]
        assert line["BuyerPartNumber"] == source.BuyerPartNumber
        assert line["VendorPartNumber"] == source.VendorPartNumber
        assert line["OrderQty"] == source.OrderQty
        assert line["ShipQty"] == source.OrderQty  # the invoice ships every line complete
        assert line["ItemStatusCode"] == "AC"
    assert document.data["Summary"] == {"TotalOrders": 1, "TotalLineItemNumber": 3}

    # Valid product codes are echoed; SPS's sample order also sends codes with wrong check digits,
    # which a ship notice must not repeat: they are left off, with a warning each.
    assert (lines[0]["ConsumerPackageCode"], lines[0]["GTIN"]) == ("859563003863", "00859563003863")
    assert "UPCCaseCode" not in lines[1] and "ConsumerPackageCode" not in lines[2]
    assert document.warnings == [
        f"{document.file_name}: order line 2 UPCCaseCode: '496099965155' has a wrong GS1 check digit; "
        "left off the ship notice",
        f"{document.file_name}: order line 3 ConsumerPackageCode: '043000186706' has a wrong GS1 check "
        "digit; left off the ship notice",
        f"{document.file_name}: order line 3 GTIN: '00043000186706' has a wrong GS1 check digit; left off "
        "the ship notice",
        f"{document.file_name}: order line 3 UPCCaseCode: '471108151743' has a wrong GS1 check digit; left "
        "off the ship notice",
    ]


def test_partial_shipment_reports_the_invoice_quantity_against_the_ordered_one() -> None:
    config, order = make_config(), sample_order()
    document = build_ship_notice(
        invoice([("19", 3), ("21", 3)]),
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    by_line = {line["LineSequenceNumber"]: line for line in shipment_lines(document)}
    assert set(by_line) == {"1", "3"}  # line 2 did not ship on this invoice
    assert (by_line["1"]["ShipQty"], by_line["1"]["OrderQty"], by_line["1"]["ItemStatusCode"]) == (
        Decimal(3),
        Decimal(5),
        "BP",
    )
    assert document.data["Header"]["QuantityTotals"][0]["Quantity"] == Decimal(6)


def test_each_carton_carries_a_valid_sscc18_from_the_partner_prefix() -> None:
    config, order = make_config(), sample_order()
    drawn: list[int] = []
    serials = counter(41)

    def next_serial() -> int:
        drawn.append(serials())
        return drawn[-1]

    document = build_ship_notice(
        invoice(), partner=config.partner("SPSALLTESTID"), config=config, order=order, next_serial=next_serial
    )
    (pack,) = packs(document)
    serial_id = pack["Pack"]["ShippingSerialID"]
    # RSX writes the application identifier (00) and the 18-digit SSCC: 20 digits.
    assert len(serial_id) == 20 and serial_id.startswith("00")
    sscc = serial_id[2:]
    assert gs1.is_valid(sscc, kind="SSCC-18")
    assert sscc[0] == "0" and sscc[1 : 1 + len(GS1_PREFIX)] == GS1_PREFIX
    assert int(sscc[1 + len(GS1_PREFIX) : -1]) == drawn[0] == 41
    assert drawn == [41]  # one carton, one serial


def test_serials_are_never_reused_across_documents_sharing_one_counter() -> None:
    config, order = make_config(), sample_order()
    partner = config.partner("SPSALLTESTID")
    serials = counter()
    two_cartons = [Carton({"1": Decimal(5)}), Carton({"2": Decimal(2), "3": Decimal(3)})]
    first = build_ship_notice(
        invoice(), partner=partner, config=config, order=order, cartons=two_cartons, next_serial=serials
    )
    second = build_ship_notice(
        invoice(DocNumber="INV-20032"),
        partner=partner,
        config=config,
        order=order,
        cartons=two_cartons,
        next_serial=serials,
    )
    ids = [pack["Pack"]["ShippingSerialID"] for document in (first, second) for pack in packs(document)]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert all(gs1.is_valid(serial_id[2:], kind="SSCC-18") for serial_id in ids)
    assert second.file_name == "SHINV-20032-SPSALLTESTID-v7.7.json"


def test_multi_carton_split_of_one_line_across_cartons() -> None:
    config, order = make_config(), sample_order()
    cartons = [
        Carton({"1": Decimal(3)}, tracking_number="1Z999AA10000000001", weight_lb=Decimal("12.5")),
        Carton(
            {"1": Decimal(2), "2": Decimal(2)}, tracking_number="1Z999AA10000000002", weight_lb=Decimal("8")
        ),
        Carton({"3": Decimal(3)}, tracking_number="1Z999AA10000000003", weight_lb=Decimal("4.25")),
    ]
    document = build_ship_notice(
        invoice(),
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        cartons=cartons,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    built = packs(document)
    assert len(built) == 3
    assert [pack["Pack"]["CarrierPackageID"] for pack in built] == [c.tracking_number for c in cartons]
    assert [[i["ShipmentLine"]["LineSequenceNumber"] for i in pack["ItemLevel"]] for pack in built] == [
        ["1"],
        ["1", "2"],
        ["3"],
    ]
    assert [i["ShipmentLine"]["ShipQty"] for i in built[0]["ItemLevel"] + built[1]["ItemLevel"]] == [3, 2, 2]
    lading = document.data["Header"]["QuantityAndWeight"][0]
    assert lading["LadingQuantity"] == 3
    assert (lading["Weight"], lading["WeightUOM"]) == (Decimal("24.75"), "LB")
    assert document.data["Summary"]["TotalLineItemNumber"] == 4  # one ItemLevel per line per carton


@pytest.mark.parametrize("partner_id", ["SPSALLTESTID", "XMLRETAILER"])
def test_written_document_reads_back_equal(partner_id: str) -> None:
    config = make_config()
    partner = config.partner(partner_id)
    order = sample_order(partner=partner_id)
    cartons = [Carton({"1": Decimal(5), "2": Decimal(2)}), Carton({"3": Decimal(3)})]
    document = build_ship_notice(
        invoice(CustomerRef={"value": partner.qbo_customer.id}),
        partner=partner,
        config=config,
        order=order,
        cartons=cartons,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    raw = document.content()
    (back,) = read_rsx(raw, source=document.file_name, doc_type="Shipment")
    assert back.format == partner.rsx_format
    if partner.rsx_format == "xml":
        assert raw.lstrip().startswith(b"<?xml") and b"http://www.spscommerce.com/RSX" in raw
    assert (back.trading_partner_id, back.document_number) == (partner_id, "INV-20031")
    assert back.data == document.data
    assert (
        check_shipment(
            OutboundDocument(**{**document.__dict__, "data": back.data}),
            order=order,
            constraints_file=constraints_file(),
        )
        == []
    )


def test_ship_to_falls_back_to_the_invoice_ship_address() -> None:
    config = make_config()
    base = sample_order()
    data = base.to_data()
    data["Header"]["Address"] = [a for a in data["Header"]["Address"] if a["AddressTypeCode"] != "ST"]
    order = Order.model_validate(data)
    document = build_ship_notice(
        invoice(), partner=config.partner("SPSALLTESTID"), config=config, order=order, next_serial=counter()
    )
    assert_sendable(document, order)
    ship_to = document.data["Header"]["Address"][1]
    assert ship_to == {
        "AddressTypeCode": "ST",
        "AddressName": "SPS All Test Retail",
        "Address1": "500 Dock Rd",
        "City": "Reno",
        "State": "NV",
        "PostalCode": "89501",
        "Country": "USA",
    }


def test_dropship_order_and_bundle_lines() -> None:
    # A cross-reference row naming the QBO item by name: the invoice's ItemRef.name matches it.
    config = make_config(
        lambda c: c.update(
            items=[{"qbo_item": {"name": "Drop Widget"}, "vendor_part_number": "SPSSupplierHD-20"}]
        )
    )
    order = sample_order("PO584616-1-v7.7-DropShip.json")
    (line,) = [item.OrderLine for item in order.LineItem][:1]
    bundle = {
        "DetailType": "GroupLineDetail",
        "GroupLineDetail": {
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": "77", "name": "Drop Widget"},
                        "Qty": line.OrderQty,
                    },
                }
            ]
        },
    }
    document = build_ship_notice(
        invoice(lines=[], PONumber=order.header.PurchaseOrderNumber) | {"Line": [bundle]},
        partner=config.partner("SPSALLTESTID"),
        config=config,
        order=order,
        next_serial=counter(),
    )
    assert_sendable(document, order)
    (shipped,) = shipment_lines(document)
    assert shipped["VendorPartNumber"] == line.VendorPartNumber and shipped["ShipQty"] == line.OrderQty
