"""to_json / to_xml: exact numbers, RSX shapes, and read -> write -> read round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.rsx import RSX_NAMESPACE, read_rsx, to_json, to_xml
from qbsps_orchestration.lib.rsx.xml_tree import parse_xml, split_tag

from .inline_documents import ORDER_XML


def _order_data() -> dict:
    return read_rsx(ORDER_XML.encode(), source="po.xml")[0].data


def test_decimals_are_written_exactly() -> None:
    data = {
        "Header": {"InvoiceHeader": {"TradingPartnerId": "T", "InvoiceNumber": "I-1"}},
        "Summary": {"TotalAmount": Decimal("20.0000"), "TotalSalesAmount": Decimal("0.1") + Decimal("0.2")},
    }
    text = to_json("Invoice", data).decode()
    assert '"TotalAmount": 20.0000' in text and '"TotalSalesAmount": 0.3' in text
    xml = to_xml("Invoice", data).decode()
    assert "<TotalAmount>20.0000</TotalAmount>" in xml and "<TotalSalesAmount>0.3</TotalSalesAmount>" in xml
    # No exponent notation either: 1E+2 is written as 100.
    assert (
        "<TotalAmount>100</TotalAmount>"
        in to_xml("Invoice", {"Summary": {"TotalAmount": Decimal("1E+2")}}).decode()
    )


def test_json_numbers_are_fixed_point_and_the_layout_is_the_rsx_files() -> None:
    # simplejson writes str(Decimal), i.e. 1E+2; the writer hands it the fixed-point text instead.
    data = {"Summary": {"TotalAmount": Decimal("1E+2"), "TotalSalesAmount": Decimal("1E-7")}, "Notes": []}
    assert to_json("Invoice", data) == (
        b'{\n  "Summary": {\n    "TotalAmount": 100,\n    "TotalSalesAmount": 0.0000001\n  },\n'
        b'  "Notes": []\n}\n'
    )
    unindented = to_json("Invoice", {"Header": {"Note": "caf\u00e9"}}, indent=0)
    assert unindented == '{\n"Header": {\n"Note": "caf\u00e9"\n}\n}\n'.encode()  # UTF-8, not \\u escapes


def test_floats_are_refused_with_the_element_path() -> None:
    with pytest.raises(ValueError, match=r"Invoice\.Summary\.TotalAmount: float"):
        to_json("Invoice", {"Summary": {"TotalAmount": 20.1}})
    with pytest.raises(ValueError, match=r"Invoice\.Summary\.TotalAmount: float"):
        to_xml("Invoice", {"Summary": {"TotalAmount": 20.1}})


def test_xml_lists_become_repeated_elements_in_the_namespace() -> None:
    xml = to_xml("Order", _order_data())
    root = parse_xml(xml, source="written.xml")
    assert split_tag(root.tag) == (RSX_NAMESPACE, "Order")
    assert xml.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Order xmlns="http://www.spscommerce.com/RSX">'
    )
    line_items = [child for child in root if split_tag(child.tag)[1] == "LineItem"]
    assert len(line_items) == 2


def test_xml_without_namespace_and_with_plural_wrapper() -> None:
    data = _order_data()
    second = {
        **data,
        "Header": {
            **data["Header"],
            "OrderHeader": {**data["Header"]["OrderHeader"], "PurchaseOrderNumber": "PO-1002"},
        },
    }
    xml = to_xml("Order", [data, second], namespace=False, plural=True)
    assert xml.splitlines()[1] == b"<Orders>"
    docs = read_rsx(xml, source="batch.xml")
    assert [d.document_number for d in docs] == ["PO-1001", "PO-1002"]
    assert docs[0].data == data
    with pytest.raises(ValueError, match="plural=True"):
        to_xml("Order", [data, second])


def test_inline_order_round_trips_through_both_formats() -> None:
    data = _order_data()
    for fmt, written in (("json", to_json("Order", data)), ("xml", to_xml("Order", data))):
        (again,) = read_rsx(written, source=f"again.{fmt}")
        assert again.format == fmt
        assert again.data == data
    # JSON -> XML -> JSON gives the same bytes: nothing drifts.
    json_once = to_json("Order", data)
    via_xml = read_rsx(to_xml("Order", read_rsx(json_once, source="a")[0].data), source="b")[0].data
    assert to_json("Order", via_xml) == json_once


def test_json_arrays_dates_booleans_and_nulls() -> None:
    data = [
        {"Meta": {"IsDropShip": True}, "Header": {"OrderHeader": {"PurchaseOrderDate": date(2024, 1, 2)}}},
        {"Header": {"OrderHeader": {"Vendor": None, "Department": "Ü-7"}}},
    ]
    text = to_json("Order", data).decode()
    assert text.startswith("[")
    assert '"IsDropShip": true' in text and '"PurchaseOrderDate": "2024-01-02"' in text
    assert '"Vendor": null' in text and '"Department": "Ü-7"' in text
    xml = to_xml("Order", data[1]).decode()
    assert "Vendor" not in xml  # None means "not given": the element is left out


def test_unknown_doc_type_and_bad_element_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown RSX document type"):
        to_json("Orderz", {})
    with pytest.raises(ValueError, match="not a valid RSX element name"):
        to_xml("Order", {"Header": {"bad name": "x"}})
