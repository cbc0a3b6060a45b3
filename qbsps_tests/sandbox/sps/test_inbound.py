"""Uploads to in/: checked as RSX, recorded in history, consumed when accepted."""

from __future__ import annotations

import json

import pytest

from qbsps_tests.support import shared_dir

from .conftest import DATA, RunningSps, schema_dir

RSX = "http://www.spscommerce.com/RSX"


def invoice(**header: object) -> dict:
    fields = {
        "TradingPartnerId": "SPSALLTESTID",
        "InvoiceNumber": "INV-1001",
        "InvoiceDate": "2025-03-01",
        "PurchaseOrderNumber": "PO112853-1",
        **header,
    }
    return {
        "Header": {"InvoiceHeader": {k: v for k, v in fields.items() if v is not None}},
        "LineItem": [
            {
                "InvoiceLine": {
                    "LineSequenceNumber": "1",
                    "VendorPartNumber": "SPSSupplierHD-20",
                    "InvoiceQty": 12,
                    "InvoiceQtyUOM": "EA",
                    "PurchasePrice": 20.5,
                }
            }
        ],
        "Summary": {"TotalAmount": 246.0, "TotalLineItemNumber": 1},
    }


SHIPMENT_XML = f"""<?xml version="1.0" encoding="utf-8"?>
<Shipments xmlns="{RSX}">
  <Shipment>
    <Header>
      <ShipmentHeader>
        <TradingPartnerId>525GROMM</TradingPartnerId>
        <ShipmentIdentification>SH-77</ShipmentIdentification>
        <ShipDate>2025-03-02</ShipDate>
        <TsetPurposeCode>00</TsetPurposeCode>
      </ShipmentHeader>
      <Address><AddressTypeCode>SF</AddressTypeCode><AddressName>Dock 1</AddressName></Address>
      <Address><AddressTypeCode>ST</AddressTypeCode><AddressName>DC 451</AddressName></Address>
    </Header>
    <OrderLevel>
      <OrderHeader><PurchaseOrderNumber>PO700104-1</PurchaseOrderNumber></OrderHeader>
      <PackLevel>
        <Pack><PackLevelType>P</PackLevelType><ShippingSerialID>000123456789012345</ShippingSerialID></Pack>
        <ItemLevel><ShipmentLine><VendorPartNumber>SPSSupplierHD-40</VendorPartNumber>
          <ShipQty>6</ShipQty><ShipQtyUOM>EA</ShipQtyUOM></ShipmentLine></ItemLevel>
      </PackLevel>
    </OrderLevel>
  </Shipment>
</Shipments>
""".encode()

ORDER_ACK_XML = b"""<OrderAck><Header><OrderHeader><TradingPartnerId>525GROMM</TradingPartnerId>
<PurchaseOrderNumber>PO700104-1</PurchaseOrderNumber><TsetPurposeCode>00</TsetPurposeCode>
<AcknowledgementType>AD</AcknowledgementType></OrderHeader></Header></OrderAck>"""

ITEM_REGISTRY = [
    {
        "Header": {
            "HeaderReport": {
                "TradingPartnerId": "SPSALLTESTID",
                "DocumentId": "IB-1",
                "TsetPurposeCode": "00",
                "ReportTypeCode": "MB",
            }
        },
        "Structure": [{"LineItem": [{"InventoryLine": {"VendorPartNumber": "SPSSupplierHD-20"}}]}],
    }
]


def _statuses(entry: dict) -> list[str]:
    return [s["status"] for s in entry["status_log"]]


@pytest.mark.parametrize(
    ("name", "content", "doc_type"),
    [
        ("IN1001.json", json.dumps(invoice()).encode(), "Invoice"),
        (
            "IN1002.json",
            b"\xef\xbb\xbf" + json.dumps([invoice(InvoiceNumber="INV-1002")]).encode(),
            "Invoice",
        ),
        ("SH77.xml", SHIPMENT_XML, "Shipment"),
        ("PR77.xml", ORDER_ACK_XML, "OrderAck"),
        ("IB1.json", json.dumps(ITEM_REGISTRY).encode(), "ItemRegistry"),
    ],
)
def test_valid_uploads_are_accepted_and_consumed(
    sps: RunningSps, name: str, content: bytes, doc_type: str
) -> None:
    response = sps.upload("in/" + name, content)
    assert response.status_code == 201 and response.json()["path"] == "/in/" + name
    assert sps.sandbox.list_files("in/") == []  # SPS took it
    assert sps.api.get(DATA + "in/" + name).status_code == 404
    (entry,) = sps.sandbox.history()
    assert entry["direction"] == "inbound" and entry["path"] == "/in/" + name
    assert entry["document_type"] == doc_type and _statuses(entry) == ["received", "accepted"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            json.dumps(invoice(InvoiceDate=None)).encode(),
            "Invoice 1 (InvoiceNumber 'INV-1001'): Header.InvoiceHeader.InvoiceDate is missing or empty",
        ),
        (
            json.dumps(invoice(InvoiceNumber="")).encode(),
            "Header.InvoiceHeader.InvoiceNumber is missing or empty",
        ),
        (
            b"<Invoice><Header><InvoiceHeader><TradingPartnerId>X</TradingPartnerId></InvoiceHeader></Header>"
            b"</Invoice>",
            "Invoice 1: Header.InvoiceHeader.InvoiceNumber is missing or empty",
        ),
        (
            b"<Invoices xmlns='http://example.com/other'><Invoice/></Invoices>",
            "namespace 'http://example.com/other'",
        ),
        (
            b"<Invoices xmlns='http://www.spscommerce.com/RSX'><Shipment/></Invoices>",
            "may only hold <Invoice>",
        ),
        (b"<Catalog><Item/></Catalog>", "<Catalog> is not a known RSX document type"),
        (b"<Invoice><Header>", "not well-formed"),
        (b'{"Header": {"Something": {}}}', "no known RSX header group"),
        (b"[]", "holds no document"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"INV,1001,2025-03-01", "neither RSX XML nor RSX JSON"),
        (
            b'{"Header": {"OrderHeader": {"TradingPartnerId": "T", "PurchaseOrderNumber": "PO1"}}}',
            "an Order (850) is sent by the retailer",
        ),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>', "forbidden construct"),
    ],
)
def test_invalid_uploads_are_rejected_with_reasons_and_kept(
    sps: RunningSps, content: bytes, reason: str
) -> None:
    assert sps.upload("in/bad.dat", content).status_code == 201  # the upload itself succeeds
    assert sps.sandbox.list_files("in/") == ["in/bad.dat"]
    (entry,) = sps.sandbox.history()
    assert _statuses(entry) == ["received", "rejected"]
    reasons = entry["status_log"][1]["reasons"]
    assert any(reason in r for r in reasons), reasons


def test_rejected_file_can_be_replaced_by_a_fixed_one(sps: RunningSps) -> None:
    sps.upload("in/IN1.json", json.dumps(invoice(InvoiceDate=None)).encode())
    sps.upload("in/IN1.json", json.dumps(invoice()).encode())
    first, second = sps.sandbox.history()
    assert _statuses(first)[-1] == "rejected"
    assert second["store_mode"] == "overwrite" and _statuses(second)[-1] == "accepted"
    assert sps.sandbox.list_files("in/") == []


@pytest.mark.shared
def test_json_schema_validation_when_schemas_are_available(start_sps, monkeypatch) -> None:
    schemas = schema_dir(shared_dir())
    monkeypatch.setenv("QBSPS_RSX_SCHEMA_DIR", str(schemas))
    sps = start_sps()
    bad_json = invoice(Bogus="x")
    bad_json["LineItem"][0]["InvoiceLine"]["InvoiceQty"] = "twelve"
    bad_xml = SHIPMENT_XML.replace(b"<ShipQty>6</ShipQty>", b"<ShipQty>six</ShipQty>")
    for name, content in (
        ("ok.json", json.dumps(invoice()).encode()),
        ("ok.xml", SHIPMENT_XML),
        ("bad.json", json.dumps(bad_json).encode()),
        ("bad.xml", bad_xml),
    ):
        assert sps.upload("in/" + name, content).status_code == 201
    verdicts = {h["path"]: h["status_log"][-1] for h in sps.sandbox.history()}
    assert verdicts["/in/ok.json"]["status"] == "accepted"
    assert verdicts["/in/ok.xml"]["status"] == "accepted"
    json_reasons = " | ".join(verdicts["/in/bad.json"]["reasons"])
    assert "Header.InvoiceHeader: Additional properties are not allowed ('Bogus'" in json_reasons
    assert "LineItem[0].InvoiceLine.InvoiceQty: 'twelve' is not of type 'number'" in json_reasons
    xml_reasons = verdicts["/in/bad.xml"]["reasons"]
    assert any("ShipQty: 'six' is not of type 'number'" in r for r in xml_reasons), xml_reasons
    assert sps.sandbox.list_files("in/") == ["in/bad.json", "in/bad.xml"]


@pytest.mark.shared
def test_published_outbound_samples_pass_schema_validation(start_sps, monkeypatch) -> None:
    """SPS's own 810/855/856/846 samples are accepted (read from ../shared, never copied)."""
    shared = shared_dir()
    monkeypatch.setenv("QBSPS_RSX_SCHEMA_DIR", str(schema_dir(shared)))
    sps = start_sps()
    samples = sorted((shared / "sps_samples" / "rsx_json_samples").glob("*/*.json"))
    outbound = [p for p in samples if not p.parent.name.startswith("Orders")]
    for path in outbound:
        sps.upload("in/" + path.name, path.read_bytes())
    verdicts = {h["path"].rsplit("/", 1)[1]: h["status_log"][-1] for h in sps.sandbox.history()}
    rejected = {name: v["reasons"] for name, v in verdicts.items() if v["status"] != "accepted"}
    # One published 855 carries the date '22020-12-20'; SPS's schema (format: date) rejects it.
    flawed = "PR112855-1-v7.7-MultiStore_AllAccept_With_Change.json"
    assert list(rejected) == [flawed]
    assert "'22020-12-20' is not a 'date'" in rejected[flawed][0]
    assert len(verdicts) == len(outbound) == 15
