from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from qbsps_orchestration.sandbox.seed_catalog import ITEMS, PARTNERS
from qbsps_orchestration.sandbox.sps.demo_orders import demo_order_files
from qbsps_orchestration.sandbox.sps.rsx_schema import RsxSchemas
from qbsps_orchestration.sandbox.sps.seed import published_samples, seed_mailbox
from qbsps_tests.support import shared_dir

from .conftest import DATA, schema_dir

RSX = "{http://www.spscommerce.com/RSX}"


def _json(raw: bytes) -> dict:
    return json.loads(raw.decode("utf-8-sig"))


@pytest.mark.shared
def test_published_samples_are_returned_exactly_as_published() -> None:
    samples = shared_dir() / "sps_samples"
    published = published_samples(samples)
    assert sorted(published) == [
        "PO112853-1-v7.7-CrossDock.json",
        "PO112855-1-v7.7-MultiStore.json",
        "PO584615-1-v7.7-BulkImport.json",
        "PO584616-1-v7.7-DropShip.json",
    ]
    for name, raw in published.items():
        assert raw == (samples / "rsx_json_samples" / "Orders_850" / name).read_bytes()
        assert _json(raw)["Header"]["OrderHeader"]["PurchaseOrderNumber"] == "PO584615-1"


@pytest.mark.shared
def test_seed_from_samples_gives_each_order_its_file_name_po_number(start_sps) -> None:
    samples = shared_dir() / "sps_samples"
    sps = start_sps(seed=True, samples_dir=samples)
    listing = sps.api.get(DATA + "out/PO/").json()["results"]
    names = [r["path"].rsplit("/", 1)[1] for r in listing]
    assert names == [
        "PO112853-1-v7.7-CrossDock.json",
        "PO112855-1-v7.7-MultiStore.json",
        "PO584615-1-v7.7-BulkImport.json",
        "PO584615-1-v7.7-PurchaseOrderTest.xml",
        "PO584616-1-v7.7-DropShip.json",
    ]
    published = published_samples(samples)
    for name in [n for n in names if n.endswith(".json")]:
        raw = sps.api.get(DATA + "out/PO/" + name).content
        seeded, original = _json(raw), _json(published[name])
        assert seeded["Header"]["OrderHeader"]["PurchaseOrderNumber"] == name.split("-v7.7")[0]
        original["Header"]["OrderHeader"]["PurchaseOrderNumber"] = name.split("-v7.7")[0]
        assert seeded == original
        assert json.dumps(seeded) == json.dumps(original)  # same key order
        assert raw.startswith(b"\xef\xbb\xbf") == published[name].startswith(b"\xef\xbb\xbf")
    xml = sps.api.get(DATA + "out/PO/PO584615-1-v7.7-PurchaseOrderTest.xml").content
    assert xml == (samples / "rsx_xml_samples" / "PurchaseOrderTest.xml").read_bytes()
    assert all(h["direction"] == "outbound" and h["document_type"] == "Order" for h in sps.sandbox.history())


def test_seed_without_samples_uses_qbsps_demo_orders(start_sps, tmp_path: Path) -> None:
    for samples_dir in (None, tmp_path / "absent"):
        sps = start_sps(seed=True, samples_dir=samples_dir)
        files = sps.sandbox.list_files("out/PO/")
        assert files == [
            "out/PO/PO700101-1-v7.7-BulkImport.json",
            "out/PO/PO700102-1-v7.7-DropShip.json",
            "out/PO/PO700103-1-v7.7-MultiStore.json",
            "out/PO/PO700104-1-v7.7-Grommet.xml",
        ]
        assert sps.sandbox.list_files("in/") == []


def test_no_seed_leaves_only_the_folders(start_sps) -> None:
    sps = start_sps(seed=False, orders_folder="testout/PO/", upload_folder="testin/")
    root = [r["path"] for r in sps.api.get(DATA).json()["results"]]
    assert root == ["/testin/", "/testout/"]
    assert sps.sandbox.list_files("") == []


def test_demo_orders_use_the_seed_catalog_and_are_dated_today() -> None:
    today = date(2025, 3, 1)
    files = demo_order_files(today)
    partners = {p.trading_partner_id: p for p in PARTNERS}
    upcs = {i.upc: i for i in ITEMS}
    po_numbers = set()
    for name, raw in files.items():
        if name.endswith(".json"):
            doc = _json(raw)
            header = doc["Header"]["OrderHeader"]
            lines = [line["OrderLine"] for line in doc["LineItem"]]
            total = Decimal(str(doc["Summary"]["TotalAmount"]))
        else:
            root = SafeET.fromstring(raw)
            assert root.tag == RSX + "Orders"
            order = root.find(RSX + "Order")
            header = {c.tag.removeprefix(RSX): c.text for c in order.find(f"{RSX}Header/{RSX}OrderHeader")}
            lines = [
                {c.tag.removeprefix(RSX): c.text for c in line}
                for line in order.iterfind(f"{RSX}LineItem/{RSX}OrderLine")
            ]
            total = Decimal(order.find(f"{RSX}Summary/{RSX}TotalAmount").text)
        assert name.startswith(header["PurchaseOrderNumber"] + "-v7.7-")
        po_numbers.add(header["PurchaseOrderNumber"])
        partner = partners[header["TradingPartnerId"]]
        assert name.endswith("." + partner.rsx_format) and header["Vendor"] == partner.vendor_number
        assert header["PurchaseOrderDate"] == today.isoformat()
        expected = Decimal("0")
        for line in lines:
            item = upcs[line["ConsumerPackageCode"]]
            assert line["VendorPartNumber"] in item.vendor_part_numbers
            assert Decimal(str(line["PurchasePrice"])) == item.unit_price
            expected += item.unit_price * Decimal(str(line["OrderQty"]))
        assert total == expected
    assert len(po_numbers) == len(files) == 4


@pytest.mark.shared
def test_demo_orders_match_sps_order_schema() -> None:
    schemas = RsxSchemas(schema_dir(shared_dir()))
    for name, raw in demo_order_files(date(2025, 3, 1)).items():
        if name.endswith(".json"):
            assert schemas.validate("Order", _json(raw)) == [], name
        else:
            assert schemas.validate_xml("Order", SafeET.fromstring(raw)[0]) == [], name


def test_demo_orders_follow_the_sandbox_clock(start_sps) -> None:
    sps = start_sps(seed=False)
    sps.clock.set(datetime(2031, 1, 2, 9, 0, tzinfo=UTC))
    seed_mailbox(sps.sandbox.service, None, sps.clock.now().date())
    doc = _json(sps.sandbox.read_file("out/PO/PO700101-1-v7.7-BulkImport.json"))
    assert doc["Header"]["OrderHeader"]["PurchaseOrderDate"] == "2031-01-02"
    assert doc["Header"]["Dates"][0]["Date"] == (date(2031, 1, 2) + timedelta(days=7)).isoformat()
