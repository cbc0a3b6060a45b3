"""Run the inbound and outbound assets once through Dagster, as `qbsps sync` and `qbsps replay` do.

Runs go through the real jobs and the instance in $DAGSTER_HOME, so they show in the Dagster UI
beside the sensors' runs. The report is read afterwards from the ledger (the documents of each
partition, and what its run did to them: lib/ledger/reports) and from the instance's run records
(the run ids, and which partitions a run failed and why), never from materialization metadata.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from .dagster_support.names import RANGE_END, RANGE_START, TAG_RESEND, TAG_TRIGGER
from .dagster_support.retry_requests import RUN_SIZE, contiguous_ranges
from .definitions import defs
from .defs.inbound.partitions import purchase_order_files
from .defs.outbound.partitions import qbo_invoices
from .lib.change_polls import poll_changes
from .lib.config import QbspsConfig
from .lib.connector import open_ledger, qbo_client, sps_client
from .lib.inbound.completion import unfinished_order_files, unfinished_orders
from .lib.inbound.order_changes import changed_order_files
from .lib.ledger import Ledger
from .lib.ledger.completion import UnfinishedDocument
from .lib.outbound.completion import (
    changed_invoice_keys,
    unfinished_invoice_documents,
    unfinished_invoice_keys,
)
from .lib.outbound.flow import invoice_key, qbo_id_of
from .operator_views import sync_frame

INBOUND_JOB = "inbound_purchase_orders_job"
OUTBOUND_JOB = "outbound_documents_job"
PARTITIONS = {INBOUND_JOB: purchase_order_files.name, OUTBOUND_JOB: qbo_invoices.name}
# The CLI prints its own table; Dagster's console logger keeps only warnings (the UI has it all).
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
ENDED_BADLY = frozenset({dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED})

# A `qbsps sync` pass has no next tick (a sensor takes 500 changes a tick): it takes every one.
PASS_LIMIT = 100_000


@dataclass(frozen=True)
class RunFacts:
    """What the Dagster instance recorded of one run."""

    run_id: str
    status: dg.DagsterRunStatus
    listed: dict[str, str]  # partition key -> reason, as the run's step failure named them
    error: str  # why the run failed when it names no partition (it died, a resource failed)

    def failed(self, keys: Sequence[str]) -> dict[str, str]:
        """Which of this run's ``keys`` it failed, and why."""
        if self.listed:
            return {key: self.listed[key] for key in keys if key in self.listed}
        return {key: self.error for key in keys} if self.status in ENDED_BADLY else {}


@dataclass
class SyncReport:
    run_ids: list[str]
    rows: pd.DataFrame  # operator_views.SYNC_COLUMNS, one row per document of each partition
    failed: list[str] = field(default_factory=list)  # partition keys a run failed
    # What the pass was asked to move and still owes afterwards (it is retried without an operator).
    unfinished: list[UnfinishedDocument] = field(default_factory=list)

    def outcomes(self, key: str) -> list[str]:
        return [str(outcome) for outcome in self.rows.loc[self.rows["partition"] == key, "outcome"]]


def prepare_dagster_home(home: Path) -> Path:
    """A DAGSTER_HOME for local runs: SQLite storage, telemetry off (as the repo's dagster.yaml),
    its storage created here, once. Processes started on a home still empty (a daemon and its code
    server) would each create the SQLite files and stamp their schema at once, and a schema stamped
    twice stops every later start ("alembic_version has more than one head")."""
    home.mkdir(parents=True, exist_ok=True)
    instance_file = home / "dagster.yaml"
    if not instance_file.exists():
        instance_file.write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)  # every storage is created and stamped on the way in
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
            changed = changed_order_files(ledger, config, limit=PASS_LIMIT)  # changed in QBO: 855 again
        files = list(dict.fromkeys([*mailbox_files(config), *owed, *changed]))
    report = run_partitions(instance, config, INBOUND_JOB, files, "qbsps sync inbound")
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
    report = run_partitions(instance, config, OUTBOUND_JOB, keys, "qbsps sync outbound", extra)
    asked = set(keys)
    with _reading(config) as ledger:
        report.unfinished = [
            doc for doc in unfinished_invoice_documents(ledger) if invoice_key(doc.qbo_id or "") in asked
        ]
    return report


def pending_invoice_keys(config: QbspsConfig) -> list[str]:
    """CDC since the last pass into the inbox (the poll ``qbo_cdc_job`` makes), then the invoices
    of the pending changes, as ``qbo_webhook_sensor`` reads them. Nothing is marked handled here:
    the run that processes an invoice does that (lib/outbound/flow.py), so a crash or a failed run
    leaves the change for the next pass."""
    ledger = open_ledger(config, actor="qbsps sync outbound")
    qbo = qbo_client(config, ledger)
    try:
        poll_changes(ledger, qbo, qbo.realm_id)
        return changed_invoice_keys(ledger, limit=PASS_LIMIT)
    finally:
        qbo.close()
        ledger.close()


def run_partitions(
    instance: dg.DagsterInstance,
    config: QbspsConfig,
    job_name: str,
    keys: list[str],
    trigger: str,
    extra_tags: dict[str, str] | None = None,
) -> SyncReport:
    """Add the keys that are new, then one in-process run per contiguous range of them."""
    partitions_name = PARTITIONS[job_name]
    keys = list(dict.fromkeys(keys))
    new = [key for key in keys if not instance.has_dynamic_partition(partitions_name, key)]
    if new:
        instance.add_dynamic_partitions(partitions_name, new)
    ordered = instance.get_dynamic_partitions(partitions_name)
    place = {key: position for position, key in enumerate(ordered)}
    job = defs().resolve_job_def(job_name)
    wanted, run_of = set(keys), dict[str, str]()
    for start, end in contiguous_ranges(ordered, wanted, RUN_SIZE):
        tags = {RANGE_START: start, RANGE_END: end, TAG_TRIGGER: trigger, **(extra_tags or {})}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=QUIET)
        run_of |= {key: result.run_id for key in ordered[place[start] : place[end] + 1] if key in wanted}
    with _reading(config) as ledger:
        return sync_report(instance, ledger, config.sps.folders.orders, job_name, keys, run_of)


def sync_report(
    instance: dg.DagsterInstance,
    ledger: Ledger,
    orders_folder: str,
    job_name: str,
    keys: list[str],
    run_of: dict[str, str],
) -> SyncReport:
    """The report of the runs that processed ``keys`` (``run_of``: partition key -> run id): the
    documents from the ledger, the run ids and failed partitions from the instance."""
    runs = [run_facts(instance, run_id) for run_id in dict.fromkeys(run_of.values())]
    failed: dict[str, str] = {}
    for run in runs:
        failed |= run.failed([key for key in keys if run_of.get(key) == run.run_id])
    reports = ledger.reports
    if job_name == INBOUND_JOB:
        docs = reports.order_file_documents({key: orders_folder + key for key in keys}, run_of)
    else:
        docs = reports.invoice_documents({key: qbo_id_of(key) for key in keys}, run_of)
    frame = sync_frame(keys, docs, failed)
    return SyncReport([run.run_id for run in runs], frame, [key for key in keys if key in failed])


def run_facts(instance: dg.DagsterInstance, run_id: str) -> RunFacts:
    """The run's status and its step failures, from the instance's records."""
    run = instance.get_run_by_id(run_id)
    status = run.status if run is not None else dg.DagsterRunStatus.FAILURE
    listed: dict[str, str] = {}
    errors: list[str] = []
    failures = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    for record in failures:
        event = record.event_log_entry.dagster_event
        data = event.step_failure_data if event is not None else None
        if data is None:
            continue
        user = data.user_failure_data
        named = user.metadata.get("failed") if user is not None else None  # dagster_support/batch_failure.py
        if isinstance(named, dg.JsonMetadataValue) and isinstance(named.value, list):
            listed |= {str(item["file"]): str(item["reason"]) for item in named.value}
        elif data.error is not None:
            cause = data.error
            while cause.cause is not None:  # Dagster wraps the op's own exception: name that one
                cause = cause.cause
            errors.append(cause.message.strip().splitlines()[0])
    error = "; ".join(errors) or f"run {run_id} ended {status.value}: see it in the Dagster UI"
    return RunFacts(run_id, status, listed, error)
