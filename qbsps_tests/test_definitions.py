from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from qbsps_orchestration.definitions import defs

REPO = Path(__file__).resolve().parents[1]


def test_definitions_load() -> None:
    loaded = defs()
    assert isinstance(loaded, dg.Definitions)
    loaded.get_repository_def().load_all_definitions()


def test_workspace_validates_with_the_dagster_cli(tmp_path: Path) -> None:
    """What `dagster dev -w workspace.yaml` loads must load: same workspace, same instance file."""
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# What a deployment's Dagster storage is keyed by: asset keys and partition definition names name
# every stored materialization and partition, jobs and sensors name every run and tick. A change
# here is a migration for every running instance, never a refactoring: it must be made on purpose.
SNAPSHOT = {
    "assets": {
        "deadlines": (None, []),
        "item_cross_reference": (None, ["qbo_items"]),
        "qbo_accounts": (None, []),
        "qbo_customers": (None, []),
        "qbo_invoice_changes": ("HourlyPartitionsDefinition", []),
        "qbo_invoices": ("qbo_invoices", []),
        "qbo_items": (None, []),
        "qbo_purchase_orders": ("sps_purchase_order_files", ["sps_purchase_orders"]),
        "qbo_vendors": (None, []),
        "reconciliation": (None, []),
        "sps_invoices": ("qbo_invoices", ["qbo_invoices"]),
        "sps_item_registries": ("item_registry_partners", ["item_cross_reference", "qbo_items"]),
        "sps_order_acks": ("sps_purchase_order_files", ["qbo_purchase_orders"]),
        "sps_purchase_orders": ("sps_purchase_order_files", []),
        "sps_ship_notices": ("qbo_invoices", ["qbo_invoices", "sps_invoices"]),
    },
    "jobs": [
        "deadlines_job",
        "inbound_purchase_orders_job",
        "item_registries_job",
        "order_acks_job",
        "outbound_documents_job",
        "qbo_cdc_job",
        "qbo_invoice_changes_job",
        "qbo_reference_job",
        "reconciliation_job",
        "waiting_documents_job",
    ],
    "sensors": [
        "alert_conditions_sensor",
        "deadline_alert_sensor",
        "partition_retention_sensor",
        "qbo_cdc_sensor",
        "qbo_order_change_sensor",
        "qbo_webhook_sensor",
        "run_failure_alert_sensor",
        "sps_purchase_order_sensor",
    ],
    "schedules": [
        "deadlines_schedule",
        "item_registries_daily_schedule",
        "qbo_invoice_changes_schedule",
        "qbo_reference_cdc_schedule",
        "qbo_reference_daily_schedule",
        "reconciliation_schedule",
        "waiting_documents_schedule",
    ],
}


def _partitions_name(partitions_def: dg.PartitionsDefinition | None) -> str | None:
    if partitions_def is None:
        return None
    return getattr(partitions_def, "name", None) or type(partitions_def).__name__


def test_storage_keys_are_the_snapshot() -> None:
    loaded = defs()
    graph = loaded.resolve_asset_graph()
    assets = {
        key.to_user_string(): (
            _partitions_name(graph.get(key).partitions_def),
            sorted(parent.to_user_string() for parent in graph.get(key).parent_keys),
        )
        for key in graph.get_all_asset_keys()
    }
    found = {
        "assets": assets,
        "jobs": sorted(job.name for job in loaded.resolve_all_job_defs() if not job.name.startswith("__")),
        "sensors": sorted(sensor.name for sensor in loaded.sensors),
        "schedules": sorted(schedule.name for schedule in loaded.schedules),
    }
    assert found == SNAPSHOT
