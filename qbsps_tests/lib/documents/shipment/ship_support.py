"""Shared material for the ship-notice tests: a config, SPS sample orders, QBO-Invoice-shaped dicts.

The SPS sample orders and schemas are read in place from the shared folder (never copied).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qbsps_orchestration.lib.config import QbspsConfig, config_from_mapping
from qbsps_orchestration.lib.documents import rules
from qbsps_orchestration.lib.documents.document import OutboundDocument
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.documents.shipment.ship_constraints import CONSTRAINTS_NAME
from qbsps_orchestration.lib.documents.shipment.shipment_rules import check_shipment
from qbsps_orchestration.lib.rsx import Order, read_rsx, to_json
from qbsps_tests.support import offline_config_data, shared_dir

GS1_PREFIX = "0614141"  # GS1's own example company prefix

CONFIG: dict[str, Any] = offline_config_data(
    trading_partners=[],
)
CONFIG |= {
    "trading_partners": [
        {
            "trading_partner_id": "SPSALLTESTID",
            "name": "SPS All Test Retail",
            "vendor_number": "VEND6174",
            "qbo_vendor": {"id": "56"},
            "qbo_customer": {"id": "58"},
            "rsx_format": "json",
            "gs1_company_prefix": GS1_PREFIX,
        },
        {
            "trading_partner_id": "XMLRETAILER",
            "name": "XML Retailer",
            "vendor_number": "0042",
            "qbo_vendor": {"id": "57"},
            "qbo_customer": {"id": "59"},
            "rsx_format": "xml",
            "gs1_company_prefix": "08123456",
        },
    ],
    "items": [
        {"qbo_item": {"id": "19"}, "buyer_part_number": "SPSBuyerItem1", "upc": "859563003863"},
        {"qbo_item": {"id": "20"}, "buyer_part_number": "SPSBuyerItem2", "upc": "884502115161"},
        # SPS's sample sends this line's UPC with a wrong check digit: match on the buyer part number.
        {"qbo_item": {"id": "21"}, "buyer_part_number": "SPSBuyerItem3"},
    ],
    "supplier": {
        "name": "Acme Widgets",
        "address1": "1 Factory Lane",
        "city": "Reno",
        "state": "NV",
        "postal_code": "89501",
    },
    "carriers": {"UPS Ground": "UPSN", "Estes LTL": "EXLA"},
}


def make_config(edit: Callable[[dict[str, Any]], None] | None = None) -> QbspsConfig:
    data = copy.deepcopy(CONFIG)
    if edit is not None:
        edit(data)
    return config_from_mapping(data)


def samples() -> Path:
    return shared_dir() / "sps_samples"


def sample_order(name: str = "PO584615-1-v7.7-BulkImport.json", *, partner: str | None = None) -> Order:
    """An SPS sample order, optionally re-addressed to another configured partner."""
    raw = (samples() / "rsx_json_samples" / "Orders_850" / name).read_bytes()
    (document,) = read_rsx(raw, source=name, doc_type="Order")
    assert document.order is not None
    if partner is None:
        return document.order
    data = copy.deepcopy(document.data)
    data["Header"]["OrderHeader"]["TradingPartnerId"] = partner
    return Order.model_validate(data)


def invoice(lines: list[tuple[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    """A QBO Invoice as the API returns it (qbo.md §3.2), for order PO584615-1 unless overridden."""
    lines = lines if lines is not None else [("19", 5), ("20", 2), ("21", 3)]
    payload: dict[str, Any] = {
        "Id": "130",
        "DocNumber": "INV-20031",
        "TxnDate": "2025-02-01",
        "CustomerRef": {"value": "58", "name": "SPS All Test Retail"},
        "ShipAddr": {
            "Line1": "500 Dock Rd",
            "City": "Reno",
            "CountrySubDivisionCode": "NV",
            "PostalCode": "89501",
            "Country": "USA",
        },
        "ShipDate": "2025-01-31",
        "TrackingNum": "1Z999AA10123456784",
        "ShipMethodRef": {"value": "UPS Ground", "name": "UPS Ground"},
        "PONumber": "PO584615-1",
        "MetaData": {
            "CreateTime": "2025-02-01T09:00:00-08:00",
            "LastUpdatedTime": "2025-02-01T10:15:30-08:00",
        },
        "Line": [
            {
                "Id": str(index + 1),
                "LineNum": index + 1,
                "DetailType": "SalesItemLineDetail",
                "Amount": 10.0,
                "Description": f"Item {item}",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": item, "name": f"Item {item}"},
                    "Qty": qty,
                    "UnitPrice": 10.0,
                },
            }
            for index, (item, qty) in enumerate(lines)
        ]
        + [{"DetailType": "SubTotalLineDetail", "Amount": 100.0, "SubTotalLineDetail": {}}],
    }
    payload.update(fields)
    return {key: value for key, value in payload.items() if value is not None}


def counter(start: int = 1) -> Callable[[], int]:
    """A never-repeating serial source, as the ledger's sequence is."""
    numbers = itertools.count(start)
    return lambda: next(numbers)


def v770_schemas() -> RsxSchemas:
    return RsxSchemas(samples() / "schemas" / "v770")


def constraints_file() -> Path:
    return samples() / "derived" / CONSTRAINTS_NAME


def assert_sendable(document: OutboundDocument, order: Order) -> None:
    """No build problem, valid against SPS's v7.7.0 schema, and meets the v7.7.7 constraints."""
    assert document.build_problems == []
    schemas = v770_schemas()
    assert schemas.available("Shipment")
    # SPS's schemas describe the JSON form; an XML partner's document is the same element tree.
    assert schemas.problems("Shipment", json.loads(to_json("Shipment", document.data))) == []
    assert check_shipment(document, order=order, constraints_file=constraints_file()) == []
    # The rules every outbound family goes through (routing, code lists, GS1 check digits).
    assert rules.check(document, schemas=schemas, order=order) == []


def packs(document: OutboundDocument) -> list[dict]:
    return document.data["OrderLevel"][0]["PackLevel"]


def shipment_lines(document: OutboundDocument) -> list[dict]:
    return [item["ShipmentLine"] for pack in packs(document) for item in pack["ItemLevel"]]
