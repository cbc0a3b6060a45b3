"""A sandbox connector whose partner SPSALLTESTID has a deadlines: block, orders that landed
through the real inbound path (one with a must-arrive-by date), and QBO invoices that ship them.
Shared by the lib and the sensor tests."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import yaml

from qbsps_orchestration.lib.config import QbspsConfig, load_config
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound import DocumentResult, fetch_order_file, sync_order_file
from qbsps_orchestration.lib.inbound.acks import acknowledge_files
from qbsps_orchestration.lib.outbound.flow import OutboundContext, invoice_key, process_invoice
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir

PARTNER = "SPSALLTESTID"
ZONE = "America/Chicago"
DEADLINES: dict[str, Any] = {
    "timezone": ZONE,
    "near_hours": 4,
    "ship_notice": {"hours_after_ship": 24, "chargeback": {"kind": "per_carton", "amount": "2.50"}},
    "invoice": {"days_after_shipment": 3, "chargeback": {"kind": "percent", "percent": "2", "minimum": "25"}},
    "acknowledgment": {"hours_after_order": 24, "chargeback": {"kind": "flat", "amount": "50.00"}},
}
SHIP_DATE = date(2026, 11, 26)  # what SandboxedConnector.create_invoice ships on
GO_LIVE = date(2026, 11, 1)  # the sandbox's is yesterday: before it, invoices are not watched


def with_deadlines(c: SandboxedConnector, deadlines: dict[str, Any] | None = None) -> QbspsConfig:
    """Writes the deadlines (and a go-live before the sandbox's invoice dates) into the connector's
    config file and reloads it."""
    data = yaml.safe_load(c.config_path.read_text())
    data["qbo"]["go_live"] = GO_LIVE.isoformat()
    for partner in data["trading_partners"]:
        if partner["trading_partner_id"] == PARTNER:
            partner["deadlines"] = DEADLINES if deadlines is None else deadlines
            partner["send_order_acks"] = True
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    c.config = load_config(c.config_path)
    return c.config


def land(c: SandboxedConnector, po: str, deliver_by: date | None = None) -> list[DocumentResult]:
    """One order delivered to SPS out/PO/, fetched and written to QBO (no 855 yet)."""
    order = json.loads(order_bytes(po))
    if deliver_by is not None:  # 063: Do Not Deliver After, the must-arrive-by date
        order["Header"]["Dates"] = [{"DateTimeQualifier": "063", "Date": deliver_by.isoformat()}]
    name = f"{po}.json"
    c.box.sps.put_file(c.orders_folder + name, json.dumps(order).encode())
    fetch_order_file(c.config, c.ledger, c.sps(), name)
    return sync_order_file(c.config, c.ledger, c.qbo(), name)


def schemas() -> RsxSchemas:
    return RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")


def acknowledge(c: SandboxedConnector, po: str, results: list[DocumentResult]) -> None:
    sent = acknowledge_files(c.config, c.ledger, c.sps(), c.qbo(), schemas(), {f"{po}.json": results})
    outcome = sent[f"{po}.json"]
    assert not isinstance(outcome, Exception) and [r.outcome for r in outcome] == ["sent"], outcome


def ship_and_send(c: SandboxedConnector, invoice_number: str, po: str) -> dict[str, Any]:
    """A shipped QBO invoice whose 810 and 856 go out through the real outbound flow."""
    invoice = c.create_invoice(invoice_number, po)
    ctx = OutboundContext(c.config, c.ledger, c.qbo(), c.sps(), schemas())
    outcome = process_invoice(ctx, invoice_key(invoice["Id"]))
    assert outcome.invoice and outcome.invoice.outcome == "sent", outcome
    assert outcome.ship_notice and outcome.ship_notice.outcome == "sent", outcome
    return invoice
