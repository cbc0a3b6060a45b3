"""Every SPS sample: family detection, Decimal numbers, and XML/JSON round trips."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from qbsps_orchestration.lib.rsx import read_rsx, to_json, to_xml

from .shared_samples import sps_samples_dir

pytestmark = pytest.mark.shared

FAMILY_BY_FOLDER = {
    "Orders_850": "Order",
    "Invoices_810": "Invoice",
    "Shipments_856": "Shipment",
    "OrderAcks_855": "OrderAck",
    "InventoryAdvice_846": "ItemRegistry",
}
V777_SAMPLES = {
    "Orders-sample.json": "Order",
    "Invoices-sample.json": "Invoice",
    "Shipments-sample.json": "Shipment",
    "OrderAcks-sample.json": "OrderAck",
    "OrderChanges-sample.json": "OrderChange",
}


def _sample_files() -> list[tuple[Path, str]]:
    root = sps_samples_dir()
    found = [
        (path, family)
        for folder, family in FAMILY_BY_FOLDER.items()
        for path in sorted((root / "rsx_json_samples" / folder).glob("*.json"))
    ]
    found += [(root / "schemas" / "v777" / name, family) for name, family in V777_SAMPLES.items()]
    found.append((root / "rsx_xml_samples" / "PurchaseOrderTest.xml", "Order"))
    assert len(found) == 25, "expected 19 scenario samples, 5 v7.7.7 samples and the XML order"
    return found


def _floats(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [hit for key, item in value.items() for hit in _floats(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in _floats(item, f"{path}[{i}]")]
    return [path] if isinstance(value, float) else []


def test_every_sample_is_read_as_its_family_without_floats() -> None:
    for path, family in _sample_files():
        (doc,) = read_rsx(path.read_bytes(), source=path.name)
        assert doc.doc_type == family, path.name
        assert doc.format == ("xml" if path.suffix == ".xml" else "json")
        assert _floats(doc.data) == [], path.name
        assert doc.trading_partner_id and doc.document_number, path.name
        if family == "Order":
            assert doc.order is not None
            # The model keeps every element, known or not, even for the fill-every-field sample.
            assert doc.order.to_data() == doc.data, path.name
        else:
            assert doc.order is None


def test_every_sample_round_trips_through_json_and_xml() -> None:
    for path, family in _sample_files():
        (doc,) = read_rsx(path.read_bytes(), source=path.name)
        writes = {
            "json": to_json(family, doc.data),
            "xml": to_xml(family, doc.data),
            "xml-plain": to_xml(family, doc.data, namespace=False),
            "xml-plural": to_xml(family, [doc.data], plural=True),
        }
        for how, written in writes.items():
            (again,) = read_rsx(written, source=f"{path.name} ({how})")
            assert again.doc_type == family, (path.name, how)
            assert again.data == doc.data, (path.name, how)


def test_xml_purchase_order_sample_reads_its_values() -> None:
    path = sps_samples_dir() / "rsx_xml_samples" / "PurchaseOrderTest.xml"
    (doc,) = read_rsx(path.read_bytes(), source=path.name)
    order = doc.order
    assert order is not None
    assert (order.header.TradingPartnerId, order.header.PurchaseOrderNumber) == ("525GROMM", "PO584615-1")
    assert [line.OrderLine.OrderQty for line in order.LineItem] == [Decimal(5), Decimal(2), Decimal(3)]
    assert [d.DateTimeQualifier for d in order.Header.Dates] == ["002", "010"]
    assert order.Header.CarrierInformation[0].ServiceLevelCodes[0].ServiceLevelCode == "SE"
    assert order.LineItem[0].Notes[0].Note == "Gift Message: Happy Birthday!"
    assert order.Header.PaymentTerms[0].TermsNetDueDays == 31


def test_multistore_locations_and_dropship_consumer_order() -> None:
    folder = sps_samples_dir() / "rsx_json_samples" / "Orders_850"
    (multistore,) = read_rsx((folder / "PO112855-1-v7.7-MultiStore.json").read_bytes(), source="ms")
    assert multistore.order is not None
    split = multistore.order.LineItem[0].QuantitiesSchedulesLocations[0].LocationQuantity
    assert split and all(isinstance(entry.Qty, Decimal) for entry in split)
    (dropship,) = read_rsx((folder / "PO584616-1-v7.7-DropShip.json").read_bytes(), source="ds")
    assert dropship.order is not None and dropship.order.header.CustomerOrderNumber
    assert dropship.order.address("ST") is not None


def test_samples_as_one_json_array_and_one_plural_xml() -> None:
    folder = sps_samples_dir() / "rsx_json_samples" / "Orders_850"
    docs = [read_rsx(p.read_bytes(), source=p.name)[0] for p in sorted(folder.glob("*.json"))]
    datas = [d.data for d in docs]
    for written in (to_json("Order", datas), to_xml("Order", datas, plural=True)):
        again = read_rsx(written, source="batch")
        assert [d.data for d in again] == datas
        assert [d.index for d in again] == list(range(len(datas)))
