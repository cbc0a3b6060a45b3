"""The checks that block sending: each rule's failure message, on documents built from real
sandbox invoices and SPS sample orders and then broken the way real data breaks."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.documents.document import OutboundDocument
from qbsps_orchestration.lib.documents.invoice.invoice import build_invoice
from qbsps_orchestration.lib.documents.order_ack.order_ack import build_order_ack
from qbsps_orchestration.lib.documents.rules import check, validate
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.rsx import Order
from qbsps_tests.lib.outbound.qbo_world import (
    BULK_IMPORT,
    DROP_SHIP,
    QboWorld,
    qbo_world,
    sample_order,
    v777_schemas,
)

SPS, GROMMET = "SPSALLTESTID", "525GROMM"
ITEM1, ITEM2, ITEM3 = "HD-20 Sample Item 1", "HD-40 Sample Item 2", "HD-40 Sample Item 3"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboWorld]:
    with qbo_world(tmp_path_factory.mktemp("qbo")) as running:
        yield running


@pytest.fixture(scope="module")
def good_invoice(world: QboWorld) -> tuple[OutboundDocument, Order]:
    """A valid 810: lines 1 and 2 of the BulkImport sample order, as ordered."""
    order = sample_order(BULK_IMPORT)
    invoice = world.create_invoice(
        SPS, [(ITEM1, "5", "20.00"), (ITEM2, "2", "10.00")], PONumber="PO584615-1", TxnDate="2020-12-15"
    )
    document = build_invoice(invoice, partner=world.partner(SPS), config=world.config, order=order)
    assert check(document, schemas=v777_schemas(), order=order) == []
    return document, order


def _broken(document: OutboundDocument) -> OutboundDocument:
    return copy.deepcopy(document)


def _invoice(
    world: QboWorld, lines: list[tuple[str, str, str]], order: Order, partner_id: str = SPS, **fields
):
    invoice = world.create_invoice(partner_id, lines, PONumber="PO584615-1", **fields)
    return build_invoice(invoice, partner=world.partner(partner_id), config=world.config, order=order)


def test_wrong_check_digit_names_the_line_and_field(world: QboWorld) -> None:
    order = sample_order(BULK_IMPORT)
    document = _invoice(world, [(ITEM1, "1", "20.00"), (ITEM3, "3", "50.00")], order)
    # The builder leaves a bad code off (see test_invoice); the rule is the last guard for any that
    # reaches a document some other way.
    line = document.data["LineItem"][1]["InvoiceLine"]
    line.update(ConsumerPackageCode="043000186706", GTIN="00043000186706")
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: LineItem[1].InvoiceLine.ConsumerPackageCode: UPC 043000186706 has a wrong "
        "check digit 6 (expected 1)",
        f"{document.file_name}: LineItem[1].InvoiceLine.GTIN: GTIN 00043000186706 has a wrong check digit 6 "
        "(expected 1)",
    ]


def test_over_invoiced_quantity(world: QboWorld) -> None:
    order = sample_order(BULK_IMPORT)
    document = _invoice(world, [(ITEM1, "4", "20.00"), (ITEM1, "2", "20.00")], order)  # ordered 5
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: LineItem[0].InvoiceLine.InvoiceQty: invoices 6 EA of order line 1 but "
        "purchase order PO584615-1 ordered 5"
    ]


def test_item_not_on_the_purchase_order(world: QboWorld) -> None:
    order = sample_order(DROP_SHIP)  # item 1 only
    document = _invoice(world, [(ITEM2, "1", "10.00")], order)
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: LineItem[0].InvoiceLine: item BuyerPartNumber SPSBuyerItem2 is not on "
        "purchase order PO584615-1"
    ]


def test_total_mismatch(good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    document.data["Summary"]["TotalAmount"] = Decimal("121.00")
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: Summary.TotalAmount: is 121.00 but TotalSalesAmount − allowances + charges + "
        "taxes (120.00 − 0.00 + 0.00 + 0.00) is 120.00",
        f"{document.file_name}: Summary.InvoiceAmtDueByTermsDate: is 120.00 but TotalAmount 121.00 − "
        "TotalTermsDiscountAmount 0.00 is 121.00",
    ]


def test_line_total_and_sub_cent_amounts(good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    document.data["LineItem"][1]["InvoiceLine"]["ExtendedItemTotal"] = Decimal("20.004")
    problems = check(document, schemas=v777_schemas(), order=order)
    assert problems == [
        f"{document.file_name}: LineItem[1].InvoiceLine.ExtendedItemTotal: 20.004 has more than two "
        "decimals; money is sent to the cent"
    ]
    document.data["LineItem"][1]["InvoiceLine"]["ExtendedItemTotal"] = Decimal("21.00")
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: LineItem[1].InvoiceLine.ExtendedItemTotal: is 21.00 but InvoiceQty 2 × "
        "PurchasePrice 10 is 20.00",
        f"{document.file_name}: Summary.TotalSalesAmount: is 120.00 but the sum of the lines' "
        "ExtendedItemTotal is 121.00",
        f"{document.file_name}: Summary.TotalAmount: is 120.00 but TotalSalesAmount − allowances + charges + "
        "taxes (121.00 − 0.00 + 0.00 + 0.00) is 121.00",
    ]


def test_wrong_partner(world: QboWorld, good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    document.data["Header"]["InvoiceHeader"]["TradingPartnerId"] = GROMMET
    assert check(document, schemas=v777_schemas(), order=order) == [
        f"{document.file_name}: Header.InvoiceHeader.TradingPartnerId: is '525GROMM', but this document "
        "is for 'SPSALLTESTID'"
    ]
    # An order from one partner answered with another partner's invoice.
    misrouted = _invoice(world, [(ITEM1, "1", "20.00")], order, GROMMET)
    assert (
        f"{misrouted.file_name}: Header.InvoiceHeader.TradingPartnerId: order PO584615-1 came from trading "
        "partner 'SPSALLTESTID'; its documents may only go back to that partner, not '525GROMM'"
    ) in check(misrouted, schemas=v777_schemas(), order=order)


def test_missing_po_number_is_reported_once_naming_the_qbo_field(world: QboWorld) -> None:
    invoice = world.create_invoice(SPS, [(ITEM1, "1", "20.00")])
    document = build_invoice(invoice, partner=world.partner(SPS), config=world.config, order=None)
    problems = check(document, schemas=v777_schemas(), order=None)
    assert [p.split(": ")[1] for p in problems] == ["Header.InvoiceHeader.PurchaseOrderNumber"]
    assert f"QBO Invoice {invoice['DocNumber']} field PONumber: missing" in problems[0]


def test_code_lists_and_date_formats(good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    header = document.data["Header"]["InvoiceHeader"]
    header.update(TsetPurposeCode="04", InvoiceTypeCode="INV", InvoiceDate="2020/12/15")
    document.data["LineItem"][0]["InvoiceLine"]["InvoiceQtyUOM"] = "each"
    name = document.file_name
    problems = check(document, schemas=RsxSchemas(None), order=order)
    assert problems == [
        f"{name}: Header.InvoiceHeader.TsetPurposeCode: '04' is not a Invoice purpose code "
        "(00, 01, 05, 06, 07, 20, CN)",
        f"{name}: Header.InvoiceHeader.InvoiceDate: '2020/12/15' is not a date YYYY-MM-DD",
        f"{name}: Header.InvoiceHeader.InvoiceTypeCode: 'INV' is not a valid InvoiceTypeCode",
        f"{name}: LineItem[0].InvoiceLine.InvoiceQtyUOM: 'each' is not a unit-of-measure code "
        "(1-4 capitals/digits, e.g. EA)",
        f"{name}: LineItem[0].InvoiceLine.InvoiceQtyUOM: is each but the order line 1 is in EA",
    ]


def test_schema_problems_carry_the_file_name(good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    document.data["Header"]["InvoiceHeader"]["ShipToStore"] = "0010"  # no such RSX element
    assert check(document, schemas=RsxSchemas(None), order=order) == []  # no schemas configured
    problems = check(document, schemas=v777_schemas(), order=order)
    assert len(problems) == 1
    assert problems[0].startswith(f"{document.file_name}: Header.InvoiceHeader: Additional properties")
    assert "'ShipToStore' was unexpected" in problems[0]


def test_acknowledgement_quantity_and_type_rules(world: QboWorld) -> None:
    order = sample_order(DROP_SHIP)
    built = build_order_ack(
        order, partner=world.partner(SPS), config=world.config, ack_date=date(2020, 12, 2)
    )
    assert check(built, schemas=v777_schemas(), order=order) == []
    name = built.file_name

    accepted_short = _broken(built)
    accepted_short.data["LineItem"][0]["LineItemAcknowledgement"][0]["ItemScheduleQty"] = Decimal(4)
    assert check(accepted_short, schemas=v777_schemas(), order=order) == [
        f"{name}: LineItem[0].LineItemAcknowledgement[0].ItemScheduleQty: status IA (accepted) but 4 ≠ "
        "ordered 5; use IQ"
    ]
    changed_as_ordered = _broken(built)
    changed_as_ordered.data["LineItem"][0]["LineItemAcknowledgement"][0]["ItemStatusCode"] = "IQ"
    assert check(changed_as_ordered, schemas=v777_schemas(), order=order) == [
        f"{name}: LineItem[0].LineItemAcknowledgement[0].ItemScheduleQty: status IQ (quantity changed) but "
        "5 is as ordered; use IA",
        f"{name}: Header.OrderHeader.AcknowledgementType: AD (no change) but lines carry IQ; use AC",
    ]
    unknown_status = _broken(built)
    unknown_status.data["LineItem"][0]["LineItemAcknowledgement"][0]["ItemStatusCode"] = "OK"
    assert (
        f"{name}: LineItem[0].LineItemAcknowledgement[0].ItemStatusCode: 'OK' is not a valid ItemStatusCode"
        in check(unknown_status, schemas=RsxSchemas(None), order=order)
    )
    other_quantity = _broken(built)
    other_quantity.data["LineItem"][0]["OrderLine"]["OrderQty"] = Decimal(7)
    other_quantity.data["LineItem"][0]["LineItemAcknowledgement"][0]["ItemScheduleQty"] = Decimal(7)
    assert check(other_quantity, schemas=v777_schemas(), order=order) == [
        f"{name}: LineItem[0].OrderLine.OrderQty: is 7 but the order line says 5"
    ]


def test_validate_records_problems_and_gates_sending(good_invoice: tuple[OutboundDocument, Order]) -> None:
    document, order = _broken(good_invoice[0]), good_invoice[1]
    assert not document.ready  # never validated: not sendable
    assert validate(document, schemas=v777_schemas(), order=order).ready
    document.data["Summary"]["TotalLineItemNumber"] = 3
    validate(document, schemas=v777_schemas(), order=order)
    assert not document.ready
    assert document.problems == [
        f"{document.file_name}: Summary.TotalLineItemNumber: is 3 but the invoice has 2 lines"
    ]
