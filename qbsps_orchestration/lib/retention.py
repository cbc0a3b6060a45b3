"""Partition retention (DESIGN decision 1): which document partitions Dagster may forget.

A file or invoice partition goes once everything it holds is settled (synced, closed, cancelled)
for longer than ``retention.partition_days``, nothing about it is owed or pending, and no run is on
it. Failed and quarantined documents keep theirs for an operator. The ledger keeps every document,
version and audit event; a pruned key that comes back (a redelivered file, a new change) is simply
added again by its sensor.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import QbspsConfig
from .inbound.completion import unfinished_order_files
from .inbound.order_changes import changed_order_files
from .ledger import Ledger
from .outbound.completion import unfinished_invoice_keys
from .outbound.flow import invoice_key


@dataclass(frozen=True)
class Prunable:
    order_files: list[str]
    invoice_keys: list[str]

    def __len__(self) -> int:
        return len(self.order_files) + len(self.invoice_keys)


def prunable_partitions(
    ledger: Ledger,
    config: QbspsConfig,
    *,
    order_files: Collection[str],
    invoice_keys: Collection[str],
    busy: Collection[str],
    now: datetime,
) -> Prunable:
    """Of the partitions listed now (``order_files``, ``invoice_keys``), those to prune; ``busy``:
    keys a queued or running run is on."""
    cutoff = now - timedelta(days=config.retention.partition_days)
    folder = config.sps.folders.orders
    settled = {p.removeprefix(folder) for p in ledger.settled_files(cutoff) if p.startswith(folder)}
    wanted = {*unfinished_order_files(ledger, config), *changed_order_files(ledger, config), *busy}
    files = [name for name in order_files if name in settled and name not in wanted]
    settled_invoices = {invoice_key(qbo_id) for _, qbo_id in ledger.settled_sources(["Invoice"], cutoff)}
    pending = {invoice_key(change.entity_id) for change in ledger.pending_changes(entity="Invoice")}
    waiting = {*unfinished_invoice_keys(ledger), *pending, *busy}
    keys = [key for key in invoice_keys if key in settled_invoices and key not in waiting]
    return Prunable(files, keys)
