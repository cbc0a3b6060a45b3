"""QBO Invoice → RSX 810: invoices created in the QBO sandbox over HTTP, orders from SPS's samples,
every built document checked against SPS's v7.7.7 Invoices.json."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.documents.document import outbound_file_name
from qbsps_orchestration.lib.documents.invoice.invoice import build_invoice
from qbsps_orchestration.lib.documents.rules import validate
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_tests.lib.outbound.qbo_world import (
    BULK_IMPORT,
    DROP_SHIP,
    XML_ORDER,
    QboWorld,
    qbo_world,
    sample_order,
    v777_schemas,
)

SPS = "SPSALLTESTID"  # JSON partner
GROMMET = "525GROMM"  # XML partner
ITEM1, ITEM2, ITEM3 = "HD-20 Sample Item 1", "HD-40 Sample Item 2", "HD-40 Sample Item 3"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboWorld]:
    with qbo_world(tmp_path_factory.mktemp("qbo")) as running:
        yield running


def _build(world: QboWorld, invoice: dict, partner_id: str = SPS, order_file: str | None = BULK_IMPORT):
    order = sample_order(order_file) if order_file else None
    document = build_invoice(invoice, partner=world.partner(partner_id), config=world.config, order=order)
    return validate(document, schemas=v777_schemas(), order=order), order


def test_invoice_for_a_sample_order_validates_against_sps_schema(world: QboWorld) -> None:
    invoice = world.create_invoice(
        SPS,
        [(ITEM1, "5", "20.00"), (ITEM2, "2", "10.00")],
        PONumber="PO584615-1",
        TxnDate="2020-12-15",
        DueDate="2021-01-14",
    )
    document, _ = _build(world, invoice)

    assert document.problems == [] and document.ready
    assert v777_schemas().problems("Invoice", document.data) == []
    header = document.data["Header"]["InvoiceHeader"]
    assert header["InvoiceNumber"] == invoice["DocNumber"] == document.business_key
    assert (header["TradingPartnerId"], header["PurchaseOrderNumber"]) == (SPS, "PO584615-1")
    assert (header["PurchaseOrderDate"], header["InvoiceDate"], header["Vendor"]) == (
        "2020-12-01",
        "2020-12-15",
        "VEND6174",
    )
    assert (header["TsetPurposeCode"], header["InvoiceTypeCode"]) == ("00", "DR")
    lines = [item["InvoiceLine"] for item in document.data["LineItem"]]
    assert [(ln["LineSequenceNumber"], ln["BuyerPartNumber"], ln["ConsumerPackageCode"]) for ln in lines] == [
        ("1", "SPSBuyerItem1", "859563003863"),
        ("2", "SPSBuyerItem2", "884502115161"),
    ]
    assert [(ln["InvoiceQty"], ln["InvoiceQtyUOM"], ln["ExtendedItemTotal"]) for ln in lines] == [
        (Decimal(5), "EA", Decimal("100.00")),
        (Decimal(2), "EA", Decimal("20.00")),
    ]
    assert document.data["Summary"] == {
        "TotalAmount": Decimal("120.00"),
        "TotalSalesAmount": Decimal("120.00"),
        "TotalLineItemNumber": 2,
        "InvoiceAmtDueByTermsDate": Decimal("120.00"),
    }
    addresses = {a["AddressTypeCode"]: a for a in document.data["Header"]["Address"]}
    assert addresses["ST"]["AddressLocationNumber"] == "123"  # the retailer's own DC number
    assert addresses["RI"]["AddressName"] == world.config.supplier.name
    assert document.data["Header"]["PaymentTerms"] == [
        {"TermsType": "01", "TermsBasisDateCode": "3", "TermsNetDueDate": "2021-01-14", "TermsNetDueDays": 30}
    ]
    assert document.file_name == f"IN{invoice['DocNumber']}-SPSALLTESTID-v7.7.json"


@pytest.mark.parametrize(
    ("partner_id", "order_file", "fmt"), [(SPS, BULK_IMPORT, "json"), (GROMMET, XML_ORDER, "xml")]
)
def test_written_file_reads_back_as_the_same_invoice(
    world: QboWorld, partner_id: str, order_file: str, fmt: str
) -> None:
    invoice = world.create_invoice(
        # One ordered line invoiced over two QBO lines (the XML sample's line 2 has a bad GTIN).
        partner_id,
        [(ITEM1, "3", "19.99"), (ITEM1, "2", "20.00")],
        PONumber="PO584615-1",
        TxnDate="2021-02-01",
    )
    document, _ = _build(world, invoice, partner_id, order_file)
    assert document.ready, document.problems
    assert document.format == fmt and document.file_name.endswith(f"-{partner_id}-v7.7.{fmt}")

    content = document.content()
    assert content.lstrip().startswith(b"<?xml" if fmt == "xml" else b"{")
    (read,) = read_rsx(content, source=document.file_name, doc_type="Invoice")
    assert read.format == fmt and read.data == document.data
    assert read.data["Summary"]["TotalAmount"] == Decimal("99.97")
    assert [item["InvoiceLine"]["LineSequenceNumber"] for item in read.data["LineItem"]] == ["1", "1"]


def test_totals_are_computed_to_the_cent_with_discount_shipping_and_tax(world: QboWorld) -> None:
    created = world.create_invoice(
        SPS, [(ITEM1, "3", "3.335"), (ITEM2, "2", "10.00")], PONumber="PO584615-1", TxnDate="2021-03-01"
    )
    assert created["Line"][0]["Amount"] == Decimal("10.01")  # QBO rounds half up, and so do we
    # Discount, shipping and tax as QBO returns them for a company that uses them.
    invoice = copy.deepcopy(created)
    invoice["Line"] += [
        {"DetailType": "DiscountLineDetail", "Amount": Decimal("1.50"), "DiscountLineDetail": {}},
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": Decimal("7.25"),
            "SalesItemLineDetail": {"ItemRef": {"value": "SHIPPING_ITEM_ID"}},
        },
    ]
    invoice["TxnTaxDetail"] = {"TotalTax": Decimal("2.04")}
    invoice["TotalAmt"] = Decimal("37.80")  # 30.01 − 1.50 + 7.25 + 2.04
    invoice["SalesTermRef"] = {"value": "2", "name": "2% 10 Net 30"}

    document, _ = _build(world, invoice)
    assert document.problems == []
    summary = document.data["Summary"]
    assert summary["TotalSalesAmount"] == Decimal("30.01")
    assert summary["TotalAmount"] == Decimal("37.80")
    assert (summary["TotalAllowancesAmount"], summary["TotalChargesAmount"]) == (
        Decimal("1.50"),
        Decimal("7.25"),
    )
    assert summary["TotalTermsDiscountAmount"] == Decimal("0.76")  # 2 % of 37.80, half up
    assert summary["InvoiceAmtDueByTermsDate"] == Decimal("37.04")
    terms = document.data["Header"]["PaymentTerms"][0]
    assert (terms["TermsType"], terms["TermsDiscountPercentage"], terms["TermsDiscountDate"]) == (
        "08",
        Decimal(2),
        "2021-03-11",
    )


def test_qbo_total_that_disagrees_with_the_lines_blocks_the_invoice(world: QboWorld) -> None:
    invoice = world.create_invoice(SPS, [(ITEM1, "1", "20.00")], PONumber="PO584615-1")
    invoice["TotalAmt"] = Decimal("20.01")
    document, _ = _build(world, invoice)
    assert not document.ready
    assert document.problems == [
        f"{document.file_name}: Summary.TotalAmount: QBO Invoice {invoice['DocNumber']} field TotalAmt: "
        "is 20.01 but the lines, discounts, shipping and tax add up to 20.00; "
        "correct the invoice in QuickBooks"
    ]


def test_invoice_without_po_number_is_refused_naming_the_qbo_field(world: QboWorld) -> None:
    invoice = world.create_invoice(SPS, [(ITEM1, "1", "20.00")])
    document, _ = _build(world, invoice, order_file=None)
    assert not document.ready
    assert document.problems == [
        f"{document.file_name}: Header.InvoiceHeader.PurchaseOrderNumber: QBO Invoice {invoice['DocNumber']} "
        "field PONumber: missing; SPS retail partners require the purchase order number on every invoice "
        "(enter the retailer's PO number in the invoice's PO Number field)"
    ]


def test_invoice_for_an_order_qbsps_never_received_is_sent_with_a_warning(world: QboWorld) -> None:
    invoice = world.create_invoice(SPS, [(ITEM2, "4", "10.00")], PONumber="PO-FROM-FAX-1")
    document, _ = _build(world, invoice, order_file=None)
    assert document.ready, document.problems
    assert any("no inbound order PO-FROM-FAX-1" in warning for warning in document.warnings)
    (line,) = [item["InvoiceLine"] for item in document.data["LineItem"]]
    # Without the order, the cross-reference names the item.
    assert (line["BuyerPartNumber"], line["VendorPartNumber"], line["ConsumerPackageCode"], line["GTIN"]) == (
        "SPSBuyerItem2",
        "SPSSupplierHD-40",
        "884502115161",
        "00884502115161",
    )
    assert "LineSequenceNumber" not in line


def test_cross_reference_code_with_a_wrong_check_digit_is_left_off_not_fatal(world: QboWorld) -> None:
    # ITEM3's configured UPC 043000186706 (SPS's own sample code) is accepted with
    # verify_check_digit: false so orders match; the invoice must not repeat it, nor fail over it.
    invoice = world.create_invoice(SPS, [(ITEM3, "1", "50.00")], PONumber="PO-BAD-UPC-1")
    document = build_invoice(invoice, partner=world.partner(SPS), config=world.config, order=None)
    document = validate(document, schemas=RsxSchemas(None), order=None)
    assert document.ready, document.problems
    (line,) = [item["InvoiceLine"] for item in document.data["LineItem"]]
    assert (line["BuyerPartNumber"], line["VendorPartNumber"]) == ("SPSBuyerItem3", "SPSSupplierHD-60")
    assert "ConsumerPackageCode" not in line and "GTIN" not in line


def test_invoice_of_another_partners_customer_is_refused(world: QboWorld) -> None:
    invoice = world.create_invoice(GROMMET, [(ITEM1, "1", "20.00")], PONumber="PO584615-1")
    document, _ = _build(world, invoice, SPS)
    customer = world.partner(SPS).qbo_customer
    assert [p for p in document.problems if "CustomerRef" in p] == [
        f"{document.file_name}: Header.InvoiceHeader.TradingPartnerId: QBO Invoice {invoice['DocNumber']} "
        f"field CustomerRef: customer {invoice['CustomerRef']['value']} ({invoice['CustomerRef']['name']}) "
        f"is not the QBO customer of trading partner SPSALLTESTID ({customer})"
    ]


def test_item_without_partner_identifiers_is_refused(world: QboWorld) -> None:
    invoice = world.create_invoice(
        SPS, [(ITEM1, "1", "20.00"), ("Handling Fee", "1", "5.00")], PONumber="PO584615-1"
    )
    document, _ = _build(world, invoice)
    fee = world.item_id("Handling Fee")
    assert f"item Handling Fee (ItemRef {fee}) has no buyer/vendor part number or UPC" in " ".join(
        document.problems
    )
    assert any("LineItem[1].InvoiceLine: no item identifier" in p for p in document.problems)
    assert any("LineItem[1].InvoiceLine: item Handling Fee" in w for w in document.warnings)


def test_file_name_is_deterministic_and_safe_for_sps_paths() -> None:
    name = outbound_file_name("Invoice", "INV/2025 #7", "SPSALLTESTID", "xml")
    assert name == outbound_file_name("Invoice", "INV/2025 #7", "SPSALLTESTID", "xml")
    assert name.startswith("ININV_2025__7_") and name.endswith("-SPSALLTESTID-v7.7.xml")
    assert not set(name) & set("/\\ #?%:")
    # Two numbers that differ only in unsafe characters never share a file.
    assert name != outbound_file_name("Invoice", "INV 2025/#7", "SPSALLTESTID", "xml")
    assert outbound_file_name("Invoice", "1001", "SPSALLTESTID", "json") == "IN1001-SPSALLTESTID-v7.7.json"


def test_float_money_is_refused(world: QboWorld) -> None:
    invoice = world.create_invoice(SPS, [(ITEM1, "1", "20.00")], PONumber="PO584615-1")
    invoice["Line"][0]["SalesItemLineDetail"]["UnitPrice"] = 20.0
    document, _ = _build(world, invoice)
    assert any(
        "field Line[0].SalesItemLineDetail.UnitPrice: got a float 20.0; money must arrive as Decimal" in p
        for p in document.problems
    )


def test_one_item_on_two_order_lines_is_invoiced_against_both(world: QboWorld) -> None:
    """An order listing one item on two lines (5 and 19, no line numbers) invoiced in full: each
    invoice line answers its own order line, so 24 is not "more than the 5 ordered"."""
    order = sample_order(DROP_SHIP).model_copy(deep=True)
    order.LineItem[0].OrderLine.LineSequenceNumber = None
    again = order.LineItem[0].model_copy(deep=True)
    again.OrderLine.OrderQty = Decimal(19)
    order.LineItem.append(again)
    quantity = str(order.LineItem[0].OrderLine.OrderQty)
    invoice = world.create_invoice(
        SPS, [(ITEM1, quantity, "20.00"), (ITEM1, "19", "20.00")], PONumber=order.header.PurchaseOrderNumber
    )
    document = build_invoice(invoice, partner=world.partner(SPS), config=world.config, order=order)
    document = validate(document, schemas=v777_schemas(), order=order)
    assert [p for p in document.problems if "InvoiceQty" in p] == []
