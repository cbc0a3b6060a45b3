"""QBO Items → RSX ItemRegistry (832 catalog, 846 inventory advice): the sandbox company's items,
read over HTTP with the connector's own QBO client and config, checked against SPS's v7.7.7
ItemRegistries.json, read back as JSON and XML, and uploaded to the sandbox SPS once."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from qbsps_orchestration.lib.config import config_from_mapping
from qbsps_orchestration.lib.documents import rules
from qbsps_orchestration.lib.documents.document import OutboundDocument
from qbsps_orchestration.lib.documents.item_registry.item_registry import (
    build_item_registry,
    line_key,
    listed_items,
)
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.outbound.send import send_document
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_orchestration.sandbox.seed_catalog import ITEMS
from qbsps_tests.sandboxed import SandboxedConnector, sandboxed_connector
from qbsps_tests.support import shared_dir

REPORT_DATE = date(2026, 1, 15)
HD20, HD40, HD60 = ITEMS  # HD-20 is the one Inventory item (QtyOnHand 100); HD-60's UPC is bad


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxedConnector]:
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        sandboxed_connector(tmp_path_factory.mktemp("qbo"), monkeypatch, samples=False) as connector,
    ):
        yield connector


@pytest.fixture(scope="module")
def qbo_items(running: SandboxedConnector) -> list[dict[str, Any]]:
    """Every Item of the sandbox company, as the QBO API returns it (money as Decimal)."""
    return list(running.qbo().query_all("Item", "select * from Item"))


@pytest.fixture(scope="module")
def schemas() -> RsxSchemas:
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    assert schemas.available("ItemRegistry")
    return schemas


def _build(running: SandboxedConnector, items: list[dict], partner_id: str = "SPSALLTESTID", **kw: Any):
    kw.setdefault("kind", "catalog")
    kw.setdefault("report_date", REPORT_DATE)
    return build_item_registry(items, partner=running.config.partner(partner_id), config=running.config, **kw)


def _valid(document: OutboundDocument, schemas: RsxSchemas) -> OutboundDocument:
    rules.validate(document, schemas=schemas, order=None)
    assert document.problems == [] and document.ready
    assert schemas.problems("ItemRegistry", document.data) == []
    return document


def _lines(document: OutboundDocument) -> dict[str, dict[str, Any]]:
    """LineItems by VendorPartNumber."""
    (structure,) = document.data["Structure"]
    return {line["InventoryLine"]["VendorPartNumber"]: line for line in structure["LineItem"]}


def test_catalog_lists_mapped_items_under_the_partners_codes(running, qbo_items, schemas) -> None:
    document = _valid(_build(running, qbo_items), schemas)
    header = document.data["Header"]["HeaderReport"]
    document_id = header["DocumentId"]
    assert document_id.startswith("PS20260115-") and len(document_id) == 19
    assert header == {
        "TradingPartnerId": "SPSALLTESTID",
        "DocumentId": document_id,
        "TsetPurposeCode": "00",
        "ReportTypeCode": "PS",
        "InventoryDate": "2026-01-15",
        "Vendor": "VEND6174",
    }
    assert document.data["Meta"] == {"OrderManagement": "SalesOrPriceCatalog"}
    assert document.file_name == f"IB{document_id}-SPSALLTESTID-v7.7.json"
    assert document.business_key == document_id
    lines = _lines(document)
    assert sorted(lines) == sorted(item.sku for item in ITEMS)
    assert document.data["Summary"] == {"TotalLineItemNumber": 3}
    for seed in ITEMS:
        line = lines[seed.sku]
        inventory_line = line["InventoryLine"]
        assert inventory_line["BuyerPartNumber"] == seed.buyer_part_number
        assert inventory_line["PurchasePrice"] == seed.unit_price
        assert isinstance(inventory_line["PurchasePrice"], Decimal)
        assert (inventory_line["PurchasePriceBasis"], inventory_line["MaintenanceTypeCode"]) == ("PE", "003")
        assert line["ProductOrItemDescription"] == [
            {"ProductCharacteristicCode": "08", "ProductDescription": seed.description}
        ]
        assert "QuantitiesSchedulesLocations" not in line
    assert lines[HD20.sku]["InventoryLine"]["ConsumerPackageCode"] == HD20.upc


def test_bad_upc_is_left_off_with_a_warning(running, qbo_items, schemas) -> None:
    document = _valid(_build(running, qbo_items), schemas)
    line = _lines(document)[HD60.sku]["InventoryLine"]
    assert "ConsumerPackageCode" not in line and line["BuyerPartNumber"] == HD60.buyer_part_number
    assert b"043000186706" not in document.content()
    (warning,) = [w for w in document.warnings if "043000186706" in w]
    assert "wrong GS1 check digit; left off" in warning and HD60.name in warning
    assert warning.startswith(f"{document.file_name}: Structure[0].LineItem[")


def test_items_without_a_cross_reference_row_are_left_out(running, qbo_items, schemas) -> None:
    unmapped = [i for i in qbo_items if i["Name"] not in {s.name for s in ITEMS}]
    assert unmapped, "the sandbox seeds an item outside the cross-reference"
    document = _valid(_build(running, qbo_items), schemas)
    for item in unmapped:
        assert item["Name"].encode() not in document.content()
        assert any(
            f"QBO Item {item['Name']!r} (Id {item['Id']}) has no item cross-reference row for trading "
            "partner SPSALLTESTID; left out" in w
            for w in document.warnings
        )
    only_unmapped = _build(running, unmapped)
    assert only_unmapped.build_problems and "no QBO Item can be listed" in only_unmapped.build_problems[0]
    assert not rules.validate(only_unmapped, schemas=schemas, order=None).ready


def test_inventory_advice_reports_qty_on_hand_of_inventory_items(running, qbo_items, schemas) -> None:
    document = _valid(_build(running, qbo_items, kind="inventory"), schemas)
    header = document.data["Header"]["HeaderReport"]
    assert (header["ReportTypeCode"], header["DocumentId"][:11]) == ("MB", "MB20260115-")
    assert document.data["Meta"] == {"OrderManagement": "InventoryAdvice"}
    (line,) = document.data["Structure"][0]["LineItem"]
    qbo_hd20 = next(i for i in qbo_items if i["Name"] == HD20.name)
    assert line["QuantitiesSchedulesLocations"] == [
        {"QuantityQualifier": "33", "TotalQty": qbo_hd20["QtyOnHand"]}
    ]
    assert qbo_hd20["QtyOnHand"] == Decimal(100)
    assert line["InventoryLine"]["VendorPartNumber"] == HD20.sku
    assert "MaintenanceTypeCode" not in line["InventoryLine"]
    for seed in (HD40, HD60):
        assert any(seed.name in w and "NonInventory item" in w for w in document.warnings)


def test_negative_stock_is_reported_as_none_available(running, qbo_items, schemas) -> None:
    items = copy.deepcopy(qbo_items)
    next(i for i in items if i["Name"] == HD20.name)["QtyOnHand"] = Decimal("-4")
    document = _valid(_build(running, items, kind="inventory"), schemas)
    (line,) = document.data["Structure"][0]["LineItem"]
    assert line["QuantitiesSchedulesLocations"][0]["TotalQty"] == Decimal(0)
    assert any("QtyOnHand -4 is negative" in w for w in document.warnings)


@pytest.mark.parametrize("partner_id", ["SPSALLTESTID", "525GROMM"])
@pytest.mark.parametrize("kind", ["catalog", "inventory"])
def test_round_trip_in_the_partners_format(running, qbo_items, schemas, partner_id, kind) -> None:
    document = _valid(_build(running, qbo_items, partner_id, kind=kind), schemas)
    assert document.format == running.config.partner(partner_id).rsx_format
    (read,) = read_rsx(document.content(), source=document.file_name)
    assert (read.doc_type, read.format, read.document_number) == (
        "ItemRegistry",
        document.format,
        document.business_key,
    )
    assert read.data == document.data


def test_same_items_give_identical_bytes_in_any_order(running, qbo_items) -> None:
    first = _build(running, qbo_items).content()
    shuffled = list(qbo_items)
    random.Random(5).shuffle(shuffled)
    assert _build(running, shuffled).content() == first
    assert _build(running, list(reversed(qbo_items))).content() == first

    repriced = copy.deepcopy(qbo_items)
    next(i for i in repriced if i["Name"] == HD40.name)["UnitPrice"] = Decimal("11.00")
    changed = _build(running, repriced)
    assert changed.content() != first
    assert changed.business_key != _build(running, qbo_items).business_key  # a new report, not a conflict


def test_a_changed_catalog_names_changes_and_deletions(running, qbo_items, schemas) -> None:
    first = _build(running, qbo_items)
    sent_before = listed_items(first.content(), source=first.file_name)
    assert sent_before == {line_key(line["InventoryLine"]) for line in first.data["Structure"][0]["LineItem"]}

    items = copy.deepcopy(qbo_items)
    next(i for i in items if i["Name"] == HD40.name)["Active"] = False
    second = _valid(_build(running, items, sent_before=sent_before), schemas)
    codes_by_part = {
        vpn: line["InventoryLine"]["MaintenanceTypeCode"] for vpn, line in _lines(second).items()
    }
    assert codes_by_part == {HD20.sku: "001", HD40.sku: "002", HD60.sku: "001"}
    # The deletion was said; the next catalog no longer lists the inactive item at all.
    third = _build(running, items, sent_before=listed_items(second.content(), source=second.file_name))
    assert sorted(_lines(third)) == sorted([HD20.sku, HD60.sku])


def test_two_items_with_one_buyer_part_number_block_the_catalog(running, qbo_items, schemas) -> None:
    data = yaml.safe_load(running.config_path.read_text())
    hd40 = next(i for i in qbo_items if i["Name"] == HD40.name)
    data["items"].insert(
        0,
        {
            "qbo_item": {"id": str(hd40["Id"])},
            "buyer_part_number": HD20.buyer_part_number,
            "trading_partner_id": "SPSALLTESTID",
        },
    )
    config = config_from_mapping(data, source=running.config_path)
    document = build_item_registry(
        qbo_items,
        partner=config.partner("SPSALLTESTID"),
        config=config,
        kind="catalog",
        report_date=REPORT_DATE,
    )
    rules.validate(document, schemas=schemas, order=None)
    assert not document.ready
    assert any(
        f"{HD20.buyer_part_number!r} also names the item of Structure[0].LineItem[" in p
        for p in document.problems
    )


def test_catalog_is_sent_once_to_the_sandbox_sps(running, qbo_items, schemas) -> None:
    document = _valid(_build(running, qbo_items), schemas)
    sps = running.sps()  # closed with the connector
    first = send_document(running.config, running.ledger, sps, document, qbo_entity="Item", qbo_id="catalog")
    again = _valid(_build(running, list(reversed(qbo_items))), schemas)
    second = send_document(running.config, running.ledger, sps, again, qbo_entity="Item", qbo_id="catalog")
    assert (first.outcome, second.outcome) == ("sent", "unchanged")
    uploads = [h for h in running.box.sps.history() if h["direction"] == "inbound" and "/IB" in h["path"]]
    assert [h["path"].rsplit("/", 1)[1] for h in uploads] == [document.file_name]
    assert uploads[0]["status_log"][-1]["status"] == "accepted", uploads[0]  # the sandbox read it as RSX


def test_bad_input_names_the_item_and_field(running, qbo_items) -> None:
    items = copy.deepcopy(qbo_items)
    hd20 = next(i for i in items if i["Name"] == HD20.name)
    hd20["UnitPrice"] = 20.0
    with pytest.raises(
        ValueError, match=rf"QBO Item '{HD20.name}' \(Id {hd20['Id']}\): UnitPrice must be a Decimal"
    ):
        _build(running, items)
    with pytest.raises(ValueError, match="kind must be one of"):
        _build(running, qbo_items, kind="price-list")
