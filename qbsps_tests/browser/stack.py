"""The operator's screen as the browser test finds it: the sandbox, the demo's flows run once on
the embedded default (SQLite under a fresh DAGSTER_HOME), plus one order that waits for a person
(an item nobody mapped), then `dagster dev` (webserver and daemon) on a free port against that
same DAGSTER_HOME and config."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from qbsps_orchestration.bookkeeper import invoice_with_shipping, smallest
from qbsps_orchestration.devstack.services import Service
from qbsps_orchestration.devstack.stack import START_TIMEOUTS, _dagster_ready
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.runs import SyncReport, prepare_dagster_home, sync_inbound, sync_outbound
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import SandboxSettings, SpsSandboxSettings, default_samples_dir
from qbsps_tests.services import free_ports
from qbsps_tests.support import REPO

WAITING_FILE = "PO-BROWSER-1.json"  # the order whose item no row maps yet
UNMAPPED_PART = "BROWSER-NEW-ITEM"


@dataclass
class OperatorStack:
    box: Sandbox
    home: Path
    config_path: Path
    ui: str  # the Dagster UI's base URL
    inbound: SyncReport
    outbound: SyncReport


def waiting_order(partner_id: str) -> bytes:
    """An RSX JSON order whose one line names a part no `items` row maps (it waits for a person)."""
    line = {"BuyerPartNumber": UNMAPPED_PART, "OrderQty": 3, "PurchasePrice": "20.00"}
    header = {
        "TradingPartnerId": partner_id,
        "PurchaseOrderNumber": WAITING_FILE.removesuffix(".json"),
        "TsetPurposeCode": "00",
        "PurchaseOrderDate": "2026-11-20",
    }
    return json.dumps({"Header": {"OrderHeader": header}, "LineItem": [{"OrderLine": line}]}).encode()


@contextmanager
def operator_stack(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OperatorStack]:
    settings = SandboxSettings(sps=SpsSandboxSettings(samples_dir=default_samples_dir()))
    with Sandbox(settings) as box:
        config_path = home / "config.yaml"
        box.write_config(config_path)
        dagster_home = prepare_dagster_home((home / "dagster").resolve())
        shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")  # as `make dev`: the pools
        monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
        monkeypatch.setenv("QBSPS_CONFIG", str(config_path.resolve()))
        config = load_config(config_path)
        open_ledger(config, actor="browser test", upgrade=True).close()
        partner = config.trading_partners[0].trading_partner_id  # the JSON partner
        box.sps.put_file(settings.sps.orders_folder + WAITING_FILE, waiting_order(partner))
        # The demo's flows (qbsps_orchestration/demo.py): inbound, a bookkeeper's invoice, outbound.
        with dg.DagsterInstance.get() as instance:
            inbound = sync_inbound(instance, config)
        invoice_with_shipping(config, default=smallest, actor="browser test bookkeeper")
        with dg.DagsterInstance.get() as instance:
            outbound = sync_outbound(instance, config)
        with dagster_ui(home, dagster_home, config_path) as ui:
            yield OperatorStack(box, home, config_path, ui, inbound, outbound)


@contextmanager
def dagster_ui(home: Path, dagster_home: Path, config_path: Path) -> Iterator[str]:
    """`dagster dev` on the repo's workspace, as `make dev` starts it; its log in home/dagster.log."""
    [port] = free_ports(1)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "QBSPS_CONFIG": str(config_path.resolve()),
        "PYTHONUNBUFFERED": "1",
    }
    argv = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(REPO / "workspace.yaml")]
    service = Service(
        "Dagster",
        [*argv, "-h", "127.0.0.1", "-p", str(port)],
        home / "dagster.log",
        env=env,
        cwd=home,
        stop_timeout=90,
    )
    service.start()
    url = f"http://127.0.0.1:{port}"

    def alive() -> None:
        if (code := service.exit_code()) is not None:
            raise AssertionError(service.died(code) + service.tail())

    try:
        service.wait_ready(
            lambda: _dagster_ready(f"{url}/graphql"),
            START_TIMEOUTS["dagster"],
            threading.Event(),
            check=alive,
        )
        yield url
    finally:
        service.stop()
