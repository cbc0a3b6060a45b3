"""`make demo`: the inbound flow end to end, with no accounts at all.

Starts the sandbox (QuickBooks Online and SPS Commerce over real HTTP), writes a qbsps config for
it, runs the inbound sync once through Dagster, and shows the purchase orders that now exist in
the sandbox company — read back through the QuickBooks API like any client would.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from .lib.config import QbspsConfig, load_config
from .lib.connector import open_ledger, qbo_client
from .lib.mapping.doc_number import order_marker
from .lib.qbo.refs import QboRefResolver
from .operator_views import sync_table, table
from .runs import prepare_dagster_home, sync_inbound, sync_outbound
from .sandbox.runtime import Sandbox
from .sandbox.settings import SandboxSettings, SpsSandboxSettings, default_samples_dir

DEMO_HOME = Path(".qbsps/demo")


def run_demo(echo: Callable[[str], None], home: Path = DEMO_HOME) -> int:
    shutil.rmtree(home, ignore_errors=True)  # the demo's own folder: its sandbox company is gone
    samples = default_samples_dir()
    settings = SandboxSettings(sps=SpsSandboxSettings(samples_dir=samples))
    with Sandbox(settings) as box:
        config_path = home / "config.yaml"
        box.write_config(config_path)
        dagster_home = prepare_dagster_home((home / "dagster").resolve())
        os.environ["DAGSTER_HOME"] = str(dagster_home)
        os.environ["QBSPS_CONFIG"] = str(config_path.resolve())
        echo(f"Sandbox: QuickBooks Online at {box.qbo_url}, SPS Commerce at {box.sps_url}")
        seeded = "SPS's published sample orders" if samples else "qbsps's own demo orders"
        echo(f"SPS out/PO/ holds {seeded}:")
        for path in box.sps.list_files(settings.sps.orders_folder):
            echo(f"  {path}")
        config = load_config(config_path)
        with dg.DagsterInstance.get() as instance:
            report = sync_inbound(instance, config)
        echo("\nqbsps sync inbound (one Dagster run over every file):")
        echo(sync_table(report))
        echo("\nPurchase orders now in the sandbox company (read back through the QBO API):")
        echo(_purchase_orders(config))
        invoice = _invoice_with_shipping(config)
        shipped = f"shipped {invoice['ShipDate']} by {invoice['ShipMethodRef']['value']}"
        echo(
            f"\nA bookkeeper invoices PO {invoice['PONumber']} in QuickBooks: "
            f"Invoice {invoice['DocNumber']}, {shipped}, tracking {invoice['TrackingNum']}."
        )
        with dg.DagsterInstance.get() as instance:
            outbound = sync_outbound(instance, config)
        echo("qbsps sync outbound (CDC finds the change; one Dagster run sends the 810 and the 856):")
        echo(sync_table(outbound, empty="nothing was sent"))
        echo("\nSPS received (its history, as SPS validated each upload):")
        echo(_sps_uploads(box))
        report.rows += outbound.rows
        echo(
            f"\nBrowse the runs: DAGSTER_HOME={dagster_home} QBSPS_CONFIG={config_path.resolve()} "
            ".venv/bin/dagster dev -w workspace.yaml"
        )
    return 1 if report.failed else 0


def _invoice_with_shipping(config: QbspsConfig) -> dict:
    """What a bookkeeper does in QuickBooks: invoice the smallest landed order, with shipping data."""
    ledger = open_ledger(config, actor="demo bookkeeper")
    client = qbo_client(config, ledger)
    try:
        partner = config.trading_partners[0]
        marker = order_marker(partner.trading_partner_id, "")
        ours = [
            po
            for po in client.query_all("PurchaseOrder", "SELECT * FROM PurchaseOrder")
            if (po.get("PrivateNote") or "").startswith(marker)
        ]
        po = min(ours, key=lambda row: (len(row["Line"]), row["DocNumber"]))
        po_number = po["PrivateNote"].splitlines()[0].removeprefix(marker)
        lines = [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": line["Amount"],
                "SalesItemLineDetail": {
                    key: line["ItemBasedExpenseLineDetail"][key] for key in ("ItemRef", "Qty", "UnitPrice")
                },
            }
            for line in po["Line"]
            if line["DetailType"] == "ItemBasedExpenseLineDetail"
        ]
        today = datetime.now(UTC).date().isoformat()
        body = {
            "DocNumber": f"INV-{po['DocNumber']}"[:21],
            "TxnDate": today,
            "PONumber": po_number,
            "CustomerRef": {"value": QboRefResolver(client)("Customer", partner.qbo_customer)},
            "Line": lines,
            "ShipDate": today,
            "TrackingNum": "1Z999AA10123456784",
            "ShipMethodRef": {"value": "UPS Ground", "name": "UPS Ground"},
            "ShipAddr": po.get("ShipAddr")
            or {
                "Line1": "1 Distribution Way",
                "City": "Dallas",
                "CountrySubDivisionCode": "TX",
                "PostalCode": "75201",
            },
        }
        return client.create("Invoice", body, request_id=f"demo-invoice-{po['Id']}")
    finally:
        client.close()
        ledger.close()


def _sps_uploads(box: Sandbox) -> str:
    rows = [
        (
            entry["path"],
            entry.get("document_type", "-"),
            entry["status_log"][-1]["status"],
            "; ".join(entry.get("reasons") or []),
        )
        for entry in box.sps.history()
        if entry["direction"] == "inbound"
    ]
    return table(("path", "document", "status", "reasons"), rows) if rows else "nothing"


def _purchase_orders(config: QbspsConfig) -> str:
    ledger = open_ledger(config, actor="demo")
    client = qbo_client(config, ledger)
    try:
        rows = list(client.query_all("PurchaseOrder", "SELECT * FROM PurchaseOrder ORDERBY DocNumber"))
        vendors = {v["Id"]: v["DisplayName"] for v in client.query_all("Vendor", "SELECT * FROM Vendor")}
    finally:
        client.close()
        ledger.close()
    return table(
        ("DocNumber", "vendor", "date", "lines", "total", "status"),
        [
            (
                po.get("DocNumber"),
                vendors.get(po["VendorRef"]["value"], "?"),
                po.get("TxnDate", "-"),
                len(po.get("Line", [])),
                po.get("TotalAmt"),
                po.get("POStatus"),
            )
            for po in rows
        ],
    )
