"""The derived v7.7.7 Shipment constraints, applied to SPS's own Shipment documents."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from qbsps_orchestration.lib.documents.shipment.ship_constraints import (
    constraint_problems,
    load_shipment_classes,
)

from .ship_support import constraints_file, samples

SPS_SHIPMENTS = [
    "rsx_json_samples/Shipments_856/Consolidated_Shipment-v7.7-MultiOrders.json",
    "rsx_json_samples/Shipments_856/SH112853-1-v7.7-CrossDock.json",
    "rsx_json_samples/Shipments_856/SH112855-1-v7.7-MultiStore.json",
    "rsx_json_samples/Shipments_856/SH584615-1-v7.7-BulkImport.json",
    "rsx_json_samples/Shipments_856/SH584615-1-v7.7-BulkImport_TareLevel.json",
    "rsx_json_samples/Shipments_856/SH584616-1-v7.7-DropShip.json",
    "schemas/v777/Shipments-sample.json",  # the schema author's sample: every field filled
]


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)


@pytest.mark.parametrize("name", SPS_SHIPMENTS)
def test_sps_sample_shipments_meet_the_constraints(name: str) -> None:
    """No false alarms on SPS's own Shipments."""
    assert constraint_problems(read(samples() / name), load_shipment_classes(constraints_file())) == []


def test_a_tampered_sample_is_reported_at_each_path() -> None:
    document = read(
        samples() / "rsx_json_samples" / "Shipments_856" / "SH584615-1-v7.7-BulkImport_TareLevel.json"
    )
    del document["Header"]["ShipmentHeader"]["ShipmentIdentification"]
    tare = document["OrderLevel"][0]["PackLevel"][0]
    tare["Pack"]["PackLevelType"] = "X"
    tare["ItemLevel"] = []  # a pack holds packs or items, not both
    tare["PackLevel"][0]["ItemLevel"][0]["ShipmentLine"]["ShipQty"] = "3"
    document["Summary"]["TotalLineItemNumber"] = Decimal("2.5")
    assert constraint_problems(document, load_shipment_classes(constraints_file())) == [
        ("Header.ShipmentHeader.ShipmentIdentification", "required element is missing"),
        ("OrderLevel[0].PackLevel[0]", "may hold only one of ItemLevel and PackLevel"),
        ("OrderLevel[0].PackLevel[0].Pack.PackLevelType", "'X' is not an allowed code (P, T)"),
        (
            "OrderLevel[0].PackLevel[0].PackLevel[0].ItemLevel[0].ShipmentLine.ShipQty",
            "expected a number, got '3'",
        ),
        ("Summary.TotalLineItemNumber", "expected a whole number, got Decimal('2.5')"),
    ]
