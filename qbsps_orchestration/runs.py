"""Run the inbound assets once through Dagster, as `qbsps sync inbound` does.

Runs go through the real job and the instance in $DAGSTER_HOME, so they show in the Dagster UI
beside the sensor's runs. Returns one row per document for the CLI table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from .definitions import defs
from .defs.inbound.partitions import purchase_order_files
from .defs.names import RANGE_END, RANGE_START, TAG_RESEND, TAG_TRIGGER
from .defs.outbound.partitions import qbo_invoices
from .defs.retry_requests import RUN_SIZE, contiguous_ranges
from .lib.changes import poll_changes
from .lib.config import QbspsConfig
from .lib.connector import open_ledger, qbo_client, sps_client
from .lib.inbound.completion import unfinished_order_files, unfinished_orders
from .lib.inbound.order_changes import changed_order_files
from .lib.ledger import Ledger
from .lib.ledger.completion import UnfinishedDocument
from .lib.outbound.completion import unfinished_invoice_documents, unfinished_invoice_keys
from .lib.outbound.flow import invoice_key

INBOUND_JOB = "inbound_purchase_orders_job"
OUTBOUND_JOB = "outbound_documents_job"
# The CLI prints its own table; Dagster's console logger keeps only warnings (the UI has it all).
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass(frozen=True)
class Row:
    file: str
    step: str  # the asset: sps_purchase_orders, qbo_purchase_orders, sps_invoices, …
    outcome: str
    trading_partner: str = "-"
    po_number: str = "-"
    qbo_id: str = "-"
    detail: str = ""


@dataclass
class SyncReport:
    run_ids: list[str]
    rows: list[Row]
    # What the pass was asked to move and still owes afterwards (it is retried without an operator).
    unfinished: list[UnfinishedDocument] = field(default_factory=list)

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.outcome == "failed"]


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
    """One pass: every file now in the mailbox, every file whose documents the ledger still owes
    (their files left the mailbox once stored) and every file whose QBO order a bookkeeper changed
    (its 855 follows), or ``files``: replay those partitions."""
    folder = config.sps.folders.orders
    if files is None:
        with _reading(config) as ledger:
            owed = unfinished_order_files(ledger, config)  # a sync does not wait for the backoff
            changed = changed_order_files(ledger, config)  # a bookkeeper changed them: 855 again
        files = list(dict.fromkeys([*mailbox_files(config), *owed, *changed]))
    report = run_partitions(instance, INBOUND_JOB, purchase_order_files.name, files, "qbsps sync inbound")
    asked = set(files)
    with _reading(config) as ledger:
        report.unfinished = [
            doc
            for doc in unfinished_orders(ledger, config)
            if (doc.source_path or "").removeprefix(folder) in asked
        ]
    return report


@contextmanager
def _reading(config: QbspsConfig) -> Iterator[Ledger]:
    ledger = open_ledger(config, actor="qbsps sync")
    try:
        yield ledger
    finally:
        ledger.close()


def sync_outbound(
    instance: dg.DagsterInstance,
    config: QbspsConfig,
    invoice_ids: list[str] | None = None,
    *,
    resend: bool = False,
) -> SyncReport:
    """One pass: CDC since the last pass, then every pending invoice change (or ``invoice_ids``)."""
    if invoice_ids is None:
        keys = pending_invoice_keys(config)
        with _reading(config) as ledger:  # documents still owed to SPS, whatever the inbox says
            keys = list(dict.fromkeys([*keys, *unfinished_invoice_keys(ledger)]))
    else:
        keys = [invoice_key(qbo_id) for qbo_id in invoice_ids]
    extra = {TAG_RESEND: "true"} if resend else {}
    report = run_partitions(instance, OUTBOUND_JOB, qbo_invoices.name, keys, "qbsps sync outbound", extra)
    asked = set(keys)
    with _reading(config) as ledger:
        report.unfinished = [
            doc for doc in unfinished_invoice_documents(ledger) if invoice_key(doc.qbo_id or "") in asked
        ]
    return report


def pending_invoice_keys(config: QbspsConfig) -> list[str]:
    """CDC since the last pass into the inbox, then the invoices of every pending change. Nothing
    is marked handled here: the run that processes an invoice does that (lib/outbound/flow.py), so
    a crash or a failed run leaves the change for the next pass."""
    ledger = open_ledger(config, actor="qbsps sync outbound")
    qbo = qbo_client(config, ledger)
    try:
        poll_changes(ledger, qbo, qbo.realm_id)
        changes = ledger.pending_changes(entity="Invoice")
        return list(dict.fromkeys(invoice_key(change.entity_id) for change in changes))
    finally:
        qbo.close()
        ledger.close()


def run_partitions(
    instance: dg.DagsterInstance,
    job_name: str,
    partitions_name: str,
    keys: list[str],
    trigger: str,
    extra_tags: dict[str, str] | None = None,
) -> SyncReport:
    """Add the keys that are new, then one in-process run per contiguous range of them."""
    new = [key for key in keys if not instance.has_dynamic_partition(partitions_name, key)]
    if new:
        instance.add_dynamic_partitions(partitions_name, new)
    ordered = instance.get_dynamic_partitions(partitions_name)
    job = defs().resolve_job_def(job_name)
    report = SyncReport([], [])
    for start, end in contiguous_ranges(ordered, set(keys), RUN_SIZE):
        tags = {RANGE_START: start, RANGE_END: end, TAG_TRIGGER: trigger, **(extra_tags or {})}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=QUIET)
        report.run_ids.append(result.run_id)
        report.rows += _rows(result)
    return report


def _rows(result: dg.ExecuteInProcessResult) -> list[Row]:
    rows = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        meta = {key: value.value for key, value in materialization.metadata.items()}
        asset = materialization.asset_key.path[-1]
        rows.append(
            Row(
                file=materialization.partition or "-",
                step=asset,
                outcome=str(meta.get("outcome", "-")),
                trading_partner=str(meta.get("trading_partner", "-")),
                po_number=str(meta.get("po_number", meta.get("document_number", "-"))),
                qbo_id=str(meta.get("qbo_id", "-")),
                detail=str(meta.get("sps_path", meta.get("warnings", "")))
                if asset != "sps_purchase_orders"
                else "",
            )
        )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.user_failure_data:
            failed = event.step_failure_data.user_failure_data.metadata.get("failed")
            for item in (failed.value if failed is not None else []) or []:
                rows.append(Row(file=item["file"], step="-", outcome="failed", detail=item["reason"]))
    return rows
