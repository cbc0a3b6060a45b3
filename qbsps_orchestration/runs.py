"""Run the inbound assets once through Dagster, as `qbsps sync inbound` does.

Runs go through the real job and the instance in $DAGSTER_HOME, so they show in the Dagster UI
beside the sensor's runs. Returns one row per document for the CLI table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from .definitions import defs
from .defs.inbound.partitions import purchase_order_files
from .defs.names import RANGE_END, RANGE_START, TAG_TRIGGER
from .lib.config import QbspsConfig
from .lib.connector import sps_client

INBOUND_JOB = "inbound_purchase_orders_job"
# The CLI prints its own table; Dagster's console logger keeps only warnings (the UI has it all).
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass(frozen=True)
class Row:
    file: str
    step: str  # "sps" | "qbo"
    outcome: str
    trading_partner: str = "-"
    po_number: str = "-"
    qbo_id: str = "-"
    detail: str = ""


@dataclass
class SyncReport:
    run_ids: list[str]
    rows: list[Row]

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.outcome == "failed"]


def contiguous_ranges(ordered: list[str], selected: set[str]) -> list[tuple[str, str]]:
    """Selected keys grouped into runs of neighbours in partition order (one run per range)."""
    ranges: list[tuple[str, str]] = []
    start = previous = None
    for key in ordered:
        if key in selected:
            start = start or key
            previous = key
        elif start is not None:
            ranges.append((start, previous))  # type: ignore[arg-type]
            start = None
    if start is not None:
        ranges.append((start, previous))  # type: ignore[arg-type]
    return ranges


def prepare_dagster_home(home: Path) -> Path:
    """A DAGSTER_HOME for local runs: SQLite storage, telemetry off (as the repo's dagster.yaml)."""
    home.mkdir(parents=True, exist_ok=True)
    instance_file = home / "dagster.yaml"
    if not instance_file.exists():
        instance_file.write_text("telemetry:\n  enabled: false\n")
    return home


def mailbox_files(config: QbspsConfig) -> list[str]:
    client = sps_client(config)
    try:
        return [entry.name for entry in client.iter_files(config.sps.folders.orders)]
    finally:
        client.close()


def sync_inbound(
    instance: dg.DagsterInstance, config: QbspsConfig, files: list[str] | None = None
) -> SyncReport:
    """One pass: every file now in the mailbox (or ``files``: replay those partitions)."""
    files = mailbox_files(config) if files is None else files
    new = [name for name in files if not instance.has_dynamic_partition(purchase_order_files.name, name)]
    if new:
        instance.add_dynamic_partitions(purchase_order_files.name, new)
    ordered = instance.get_dynamic_partitions(purchase_order_files.name)
    job = defs().resolve_job_def(INBOUND_JOB)
    report = SyncReport([], [])
    for start, end in contiguous_ranges(ordered, set(files)):
        tags = {RANGE_START: start, RANGE_END: end, TAG_TRIGGER: "qbsps sync inbound"}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=QUIET)
        report.run_ids.append(result.run_id)
        report.rows += _rows(result)
    return report


def _rows(result: dg.ExecuteInProcessResult) -> list[Row]:
    rows = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        meta = {key: value.value for key, value in materialization.metadata.items()}
        step = "sps" if materialization.asset_key.path[-1].startswith("sps") else "qbo"
        rows.append(
            Row(
                file=materialization.partition or "-",
                step=step,
                outcome=str(meta.get("outcome", "-")),
                trading_partner=str(meta.get("trading_partner", "-")),
                po_number=str(meta.get("po_number", "-")),
                qbo_id=str(meta.get("qbo_id", "-")),
                detail=str(meta.get("warnings", "")) if step == "qbo" else "",
            )
        )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.user_failure_data:
            failed = event.step_failure_data.user_failure_data.metadata.get("failed")
            for item in (failed.value if failed is not None else []) or []:
                rows.append(Row(file=item["file"], step="-", outcome="failed", detail=item["reason"]))
    return rows
