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

from .lib.config import load_config
from .lib.connector import open_ledger, qbo_client
from .operator_views import sync_table, table
from .runs import prepare_dagster_home, sync_inbound
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
        echo(
            f"\nBrowse the runs: DAGSTER_HOME={dagster_home} QBSPS_CONFIG={config_path.resolve()} "
            ".venv/bin/dagster dev -w workspace.yaml"
        )
    return 1 if report.failed else 0


def _purchase_orders(config) -> str:  # noqa: ANN001 - QbspsConfig
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
