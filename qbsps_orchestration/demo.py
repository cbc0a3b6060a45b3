"""`make demo`: the inbound flow end to end, with no accounts at all.

Starts the sandbox (QuickBooks Online and SPS Commerce over real HTTP), writes a qbsps config for
it, runs the inbound sync once through Dagster, and shows the purchase orders that now exist in
the sandbox company — read back through the QuickBooks API like any client would.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from .bookkeeper import LandedOrder, invoice_with_shipping, smallest
from .lib.config import QbspsConfig, load_config
from .lib.connector import open_ledger, qbo_client
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
        open_ledger(config, actor="demo", upgrade=True).close()  # `qbsps db upgrade`, as a deployment runs it
        echo("Ledger migrated (qbsps db upgrade).")
        with dg.DagsterInstance.get() as instance:
            report = sync_inbound(instance, config)
        echo("\nqbsps sync inbound (one Dagster run over every file):")
        echo(sync_table(report))
        echo("\nPurchase orders now in the sandbox company (read back through the QBO API):")
        echo(_purchase_orders(config))
        first_partner = config.trading_partners[0].trading_partner_id
        invoice = invoice_with_shipping(
            config, default=_smallest_order_of(first_partner), actor="demo bookkeeper"
        )
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
        uploads = _sps_uploads(box)
        echo(table(("path", "document", "status", "reasons"), uploads) if uploads else "nothing")
        echo(
            "\nNext: `make dev` keeps a live stack running (sandbox, webhook receiver, Dagster UI with its "
            "sensors), to play with from another terminal:\n"
            "  .venv/bin/qbsps dev order     the retailer drops a new purchase order into SPS\n"
            "  .venv/bin/qbsps dev invoice   the bookkeeper invoices it in QuickBooks; the 810 and 856 follow"
        )
    # Done only when every document reached the other side: counted in SPS's history, not our report.
    refused = [row[0] for row in uploads if row[2] != "accepted"]
    if refused:
        echo(f"\nSPS did not accept {len(refused)} upload(s): {', '.join(refused)}")
    return 1 if report.failed or outbound.failed or refused or not uploads else 0


def _smallest_order_of(partner_id: str) -> Callable[[list[LandedOrder]], LandedOrder]:
    """The demo invoices the smallest order of its first partner: a short 810 and 856 to read."""
    return lambda orders: smallest(
        [o for o in orders if o.partner.trading_partner_id == partner_id] or orders
    )


def _sps_uploads(box: Sandbox) -> list[tuple[str, str, str, str]]:
    return [
        (
            entry["path"],
            entry.get("document_type", "-"),
            entry["status_log"][-1]["status"],
            "; ".join(entry.get("reasons") or []),
        )
        for entry in box.sps.history()
        if entry["direction"] == "inbound"
    ]


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
