"""read_rsx on small documents written here: every accepted shape, and the error messages."""

from __future__ import annotations

import json
import pickle
import re
from datetime import date
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.rsx import RSX_NAMESPACE, Order, RsxError, read_rsx, to_json

from .inline_documents import INVOICE_JSON, ORDER_XML

NS_DECL = f'<Order xmlns="{RSX_NAMESPACE}">'


def _order_body() -> str:
    """The <Order>...</Order> element without the XML declaration."""
    return ORDER_XML.split("?>", 1)[1].strip()


def _prefixed() -> str:
    """The order with every tag in the RSX namespace through an `rsx:` prefix."""
    body = re.sub(r"<(/?)(\w+)", r"<\1rsx:\2", _order_body())
    return body.replace("<rsx:Order>", f'<rsx:Order xmlns:rsx="{RSX_NAMESPACE}">', 1)


def test_plain_xml_order_becomes_typed_data_and_model() -> None:
    (doc,) = read_rsx(ORDER_XML.encode(), source="po-1001.xml")
    assert (doc.doc_type, doc.format, doc.source) == ("Order", "xml", "po-1001.xml")
    assert (doc.trading_partner_id, doc.document_number) == ("ACMETEST", "PO-1001")
    header = doc.data["Header"]
    # Repeating groups that occur once are still lists, as in the JSON form.
    assert isinstance(header["PaymentTerms"], list) and isinstance(header["Address"], list)
    assert header["PaymentTerms"][0]["TermsNetDueDays"] == 30
    line = doc.data["LineItem"][0]["OrderLine"]
    assert line["PurchasePrice"] == Decimal("19.9999") and isinstance(line["PurchasePrice"], Decimal)
    assert isinstance(line["ProductID"], list)
    assert doc.data["Summary"]["TotalLineItemNumber"] == 2
    assert header["FutureElement"] == "kept as is"
    order = doc.order
    assert isinstance(order, Order)
    assert order.header.PurchaseOrderDate == date(2024, 3, 1)
    assert order.LineItem[1].OrderLine.OrderQty == Decimal("2.5")
    assert order.address("ST") is not None and order.address("ST").City == "Duluth"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(ORDER_XML.replace("<Order>", NS_DECL, 1), id="namespace"),
        pytest.param(f'<Orders xmlns="{RSX_NAMESPACE}">{_order_body()}</Orders>', id="namespace+plural"),
        pytest.param(f"<Orders>{_order_body()}</Orders>", id="plural"),
        pytest.param("\ufeff" + ORDER_XML, id="bom"),
        pytest.param(_prefixed(), id="prefixed"),
    ],
)
def test_xml_variants_read_alike(raw: str) -> None:
    (plain,) = read_rsx(ORDER_XML.encode(), source="plain.xml")
    (variant,) = read_rsx(raw.encode("utf-8"), source="variant.xml")
    assert variant.doc_type == "Order"
    assert variant.data == plain.data


def test_plural_wrapper_with_two_orders_gives_two_documents() -> None:
    second = _order_body().replace("PO-1001", "PO-1002")
    docs = read_rsx(f"<Orders>{_order_body()}{second}</Orders>".encode(), source="batch.xml")
    assert [d.document_number for d in docs] == ["PO-1001", "PO-1002"]
    assert [d.index for d in docs] == [0, 1]


def test_json_shapes_all_read_to_the_same_order() -> None:
    (xml_doc,) = read_rsx(ORDER_XML.encode(), source="po.xml")
    bare = to_json("Order", xml_doc.data).decode()
    shapes = {
        "bare": bare,
        "wrapped": f'{{"Order": {bare}}}',
        "array": f"[{bare}]",
        "plural": f'{{"Orders": [{bare}]}}',
        "plural-of-wrapped": f'{{"Orders": [{{"Order": {bare}}}]}}',
        "bom": "\ufeff" + bare,
    }
    for name, text in shapes.items():
        (doc,) = read_rsx(text.encode("utf-8"), source=f"{name}.json")
        assert (doc.doc_type, doc.format) == ("Order", "json"), name
        assert doc.data == xml_doc.data, name
        assert doc.order is not None and doc.order.header.PurchaseOrderNumber == "PO-1001"


def test_json_numbers_are_decimal_never_float() -> None:
    (doc,) = read_rsx(INVOICE_JSON.encode(), source="inv.json", doc_type="Invoice")
    assert doc.doc_type == "Invoice" and doc.order is None
    line = doc.data["LineItem"][0]["InvoiceLine"]
    assert line["PurchasePrice"] == Decimal("19.9999") and type(line["PurchasePrice"]) is Decimal
    assert type(line["InvoiceQty"]) is int


def test_json_array_of_mixed_families_keeps_each_family() -> None:
    (order_doc,) = read_rsx(ORDER_XML.encode(), source="po.xml")
    raw = f"[{to_json('Order', order_doc.data).decode()}, {INVOICE_JSON}]"
    docs = read_rsx(raw.encode(), source="mixed.json")
    assert [d.doc_type for d in docs] == ["Order", "Invoice"]
    assert [d.document_number for d in docs] == ["PO-1001", "INV-9"]


def test_order_header_families_are_told_apart() -> None:
    base = {"Header": {"OrderHeader": {"TradingPartnerId": "T", "PurchaseOrderNumber": "P"}}, "LineItem": []}
    ack = json.loads(json.dumps(base))
    ack["Header"]["OrderHeader"]["AcknowledgementDate"] = "2024-01-02"
    change = json.loads(json.dumps(base))
    change["Header"]["OrderHeader"]["POChangeDate"] = "2024-01-02"
    assert read_rsx(json.dumps(base).encode(), source="o")[0].doc_type == "Order"
    assert read_rsx(json.dumps(ack).encode(), source="a")[0].doc_type == "OrderAck"
    assert read_rsx(json.dumps(change).encode(), source="c")[0].doc_type == "OrderChange"
    # The mailbox folder can settle it explicitly.
    assert read_rsx(json.dumps(base).encode(), source="o", doc_type="OrderAck")[0].doc_type == "OrderAck"


def _error(raw: bytes | str, source: str, **kwargs: str) -> RsxError:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    with pytest.raises(RsxError) as caught:
        read_rsx(data, source=source, **kwargs)
    return caught.value


def test_broken_xml_names_document_line_and_column() -> None:
    err = _error(ORDER_XML.replace("</Vendor>", "</Vendr>"), "po-broken.xml")
    assert err.source == "po-broken.xml" and err.line == 10 and err.column is not None
    assert "po-broken.xml" in str(err) and "line 10" in str(err) and "malformed XML" in str(err)


def test_broken_json_names_document_line_and_column() -> None:
    err = _error('{\n  "Header": {\n    "OrderHeader": {,}\n  }\n}', "po-broken.json")
    assert (err.line, err.column) == (3, 21)
    assert str(err).startswith("po-broken.json, line 3, column 21: malformed JSON")


def test_missing_po_number_names_the_field() -> None:
    err = _error(ORDER_XML.replace("<PurchaseOrderNumber>PO-1001</PurchaseOrderNumber>", ""), "po-7.xml")
    assert err.field == "Header.OrderHeader.PurchaseOrderNumber"
    assert str(err) == "po-7.xml, element Header.OrderHeader.PurchaseOrderNumber: required element is missing"


def test_empty_trading_partner_is_refused() -> None:
    err = _error(ORDER_XML.replace("ACMETEST", ""), "po-8.xml")
    assert err.field == "Header.OrderHeader.TradingPartnerId" and "non-empty" in err.reason


def test_bad_quantity_in_xml_names_line_and_field() -> None:
    err = _error(ORDER_XML.replace("<OrderQty>2.5</OrderQty>", "<OrderQty>two</OrderQty>"), "po-9.xml")
    assert err.field == "LineItem[1].OrderLine.OrderQty"
    assert "po-9.xml" in str(err) and "LineItem[1].OrderLine.OrderQty" in str(err) and "'two'" in str(err)


def test_bad_price_in_json_names_line_and_field() -> None:
    (doc,) = read_rsx(ORDER_XML.encode(), source="po.xml")
    text = to_json("Order", doc.data).decode().replace('"PurchasePrice": 19.9999', '"PurchasePrice": "N/A"')
    err = _error(text, "po-10.json")
    assert err.field == "LineItem[0].OrderLine.PurchasePrice" and "expected a number" in err.reason


def test_bad_date_names_the_field() -> None:
    err = _error(ORDER_XML.replace("2024-03-01", "03/01/2024"), "po-11.xml")
    assert err.field == "Header.OrderHeader.PurchaseOrderDate" and "YYYY-MM-DD" in err.reason


def test_error_in_second_document_of_a_batch_names_its_position() -> None:
    bad = _order_body().replace("<OrderQty>3</OrderQty>", "<OrderQty>x</OrderQty>")
    err = _error(f"<Orders>{_order_body()}{bad}</Orders>", "batch.xml")
    assert err.index == 1 and "batch.xml (document #2)" in str(err)
    assert err.field == "LineItem[0].OrderLine.OrderQty"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<Invoicez/>", "unknown root element <Invoicez>"),
        ('<Order xmlns="urn:other"/>', "namespace"),
        ("<Orders><Invoice/></Orders>", "<Orders> may only contain <Order>"),
        ('{"Header": {"Foo": {}}}', "cannot tell the document type"),
        ('{"LineItem": []}', "Every RSX document has a Header".lower()),
        ("[1, 2]", "expected a document object"),
        ("", "empty document"),
        ("PO,123", "neither XML nor JSON"),
        ('{"Header": {"OrderHeader": {"TradingPartnerId": "T", "PurchaseOrderNumber": NaN}}}', "NaN"),
    ],
)
def test_unreadable_documents_are_explained(raw: str, expected: str) -> None:
    err = _error(raw, "odd-file")
    assert "odd-file" in str(err) and expected.lower() in str(err).lower()


def test_wrong_family_for_the_folder_is_refused() -> None:
    err = _error(INVOICE_JSON, "out/PO/inv.json", doc_type="Order")
    assert "expected an RSX Order but this is an RSX Invoice" in str(err)


def test_xml_bombs_and_dtds_are_refused() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY a "aaaa">]><Order>&a;</Order>'
    err = _error(bomb, "evil.xml")
    assert "refused for safety" in str(err) and err.source == "evil.xml"


def test_error_survives_pickling_and_text_input_is_refused() -> None:
    err = _error(ORDER_XML.replace("<OrderQty>3</OrderQty>", "<OrderQty>?</OrderQty>"), "po-12.xml")
    again = pickle.loads(pickle.dumps(err))
    assert (again.source, again.field, str(again)) == (err.source, err.field, str(err))
    with pytest.raises(TypeError, match="raw bytes"):
        read_rsx(ORDER_XML, source="po.xml")  # type: ignore[arg-type]
