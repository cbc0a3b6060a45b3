"""The outbound bench's set-up: the bench orders landed in QBO through a real `qbsps sync inbound`
(throttles off, no latency: the landing is not what is measured), then one shipped invoice per
landed PurchaseOrder billing exactly its lines, made in the sandbox company in-process as a
bookkeeper saves it in QuickBooks (CDC and webhooks see it; the app's API meter does not)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from qbsps_orchestration.bookkeeper import invoice_lines_from
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_tests.sandboxed import SHIPPING

from .orders import PARTNER, BenchOrder


def invoice_number(po_number: str) -> str:
    return "INV-" + po_number.removeprefix("PO-")  # PO-BN00042 -> INV-BN00042


def expected_uploads(numbers: list[str]) -> dict[str, int]:
    """The file names SPS must accept once each: an 810 (IN) and an 856 (SH) per invoice."""
    return {f"{kind}{n}-{PARTNER.trading_partner_id}-v7.7.json": 1 for n in numbers for kind in ("IN", "SH")}


@contextmanager
def unthrottled(box: Sandbox) -> Iterator[None]:
    """No throttle and no latency inside; on leaving, both as they were and the throttle's windows
    emptied, so the measured run starts as a fresh minute would."""
    latency = box.qbo_faults.latency_ms, box.sps_faults.latency_ms
    throttled = box.qbo.throttle.enabled
    box.qbo.throttle.enabled = False
    box.qbo_faults.latency_ms = box.sps_faults.latency_ms = 0
    try:
        yield
    finally:
        box.qbo_faults.latency_ms, box.sps_faults.latency_ms = latency
        box.qbo.throttle.enabled = throttled
        box.qbo.throttle.reset()


def create_invoice(box: Sandbox, purchase_order: dict, customer_id: str, today: date) -> str:
    """One shipped invoice billing a landed PurchaseOrder's lines; returns its DocNumber."""
    return create_invoice_of(
        box, purchase_order["DocNumber"], invoice_lines_from(purchase_order), customer_id, today
    )


def order_lines(box: Sandbox, order: BenchOrder) -> list[dict]:
    """Invoice lines billing what a bench order asked for, by its items' Sku (for the naive side,
    whose orders never went through qbsps: the same lines the landed PurchaseOrder would hold)."""
    lines = []
    for entry in json.loads(order.content, parse_float=Decimal)["LineItem"]:
        line = entry["OrderLine"]
        item = box.qbo.find("Item", Sku=line["VendorPartNumber"])[0]
        qty, price = Decimal(line["OrderQty"]), Decimal(line["PurchasePrice"])
        detail = {"ItemRef": {"value": item["Id"]}, "Qty": qty, "UnitPrice": price}
        lines.append(
            {"DetailType": "SalesItemLineDetail", "Amount": qty * price, "SalesItemLineDetail": detail}
        )
    return lines


def create_invoice_of(box: Sandbox, po_number: str, lines: list[dict], customer_id: str, today: date) -> str:
    number = invoice_number(po_number)
    body = {
        "DocNumber": number,
        "TxnDate": today.isoformat(),
        "PONumber": po_number,
        "CustomerRef": {"value": customer_id},
        "Line": lines,
        "ShipDate": today.isoformat(),
        **SHIPPING,
    }
    box.qbo.service.create("Invoice", body)
    return number


def customer_id(config_path: str) -> str:
    """The QBO Customer the connector config bills the bench's partner as."""
    return load_config(Path(config_path)).partner(PARTNER.trading_partner_id).qbo_customer.id
