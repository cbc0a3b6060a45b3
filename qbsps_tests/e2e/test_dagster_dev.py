"""`dagster dev -w workspace.yaml` on the embedded default shows the inbound assets, the sensor and
one partition per document (the operator's view), after a `qbsps sync inbound`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest

from qbsps_orchestration.runs import prepare_dagster_home, sync_inbound
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import REPO

QUERY = """{ assetNodes { assetKey { path } partitionKeys }
  sensorsOrError(repositorySelector: {repositoryName: "__repository__", repositoryLocationName: "qbsps"}) {
    ... on Sensors { results { name sensorState { status } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.long
def test_dagster_dev_shows_assets_sensor_and_document_partitions(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    home = prepare_dagster_home(tmp_path / "dagster_home")
    files = connector.order_files()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert not sync_inbound(instance, connector.config).failed
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "QBSPS_CONFIG": str(connector.config_path)}
    dagster = str(Path(sys.executable).parent / "dagster")
    proc = subprocess.Popen(
        [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        data = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                reply = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}, timeout=10)
                data = reply.json().get("data")
                if data and data.get("assetNodes"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert data, "dagster dev did not answer GraphQL in time"
        partitions = {"/".join(n["assetKey"]["path"]): n["partitionKeys"] for n in data["assetNodes"]}
        assert sorted(partitions["sps_purchase_orders"]) == sorted(files)
        assert sorted(partitions["qbo_purchase_orders"]) == sorted(files)
        sensors = {s["name"]: s["sensorState"]["status"] for s in data["sensorsOrError"]["results"]}
        assert sensors == {
            name: "RUNNING"
            for name in (
                "sps_purchase_order_sensor",
                "qbo_webhook_sensor",
                "qbo_cdc_sensor",
                "qbo_order_change_sensor",
                "partition_retention_sensor",
                "run_failure_alert_sensor",
                "alert_conditions_sensor",
                "deadline_alert_sensor",
            )
        }
        assert {"sps_order_acks", "sps_invoices", "sps_ship_notices", "qbo_invoice_changes"} <= set(
            partitions
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
