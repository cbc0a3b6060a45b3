"""Dagster metadata for documents sent to SPS (invoices, ship notices, order acks)."""

from __future__ import annotations

import dataclasses

import dagster as dg
import pandas as pd

from ..lib.config.companies import qbsps_command
from ..lib.documents.diff import change_rows
from ..lib.documents.order_ack.ack_changes import LineChange
from ..lib.outbound.send import SendResult
from ..lib.outbound.version_diff import VersionDiff
from .lineage import qbo_version


def sent_metadata(results: list[SendResult]) -> dict[str, dg.MetadataValue]:
    def joined(values: list[str | None]) -> str:
        return ", ".join(v for v in dict.fromkeys(values) if v) or "-"

    warnings = [w for r in results for w in r.warnings]
    return {
        "trading_partner": dg.MetadataValue.text(joined([r.trading_partner_id for r in results])),
        "document_number": dg.MetadataValue.text(joined([r.business_key for r in results])),
        "outcome": dg.MetadataValue.text(joined([r.outcome for r in results])),
        "sps_path": dg.MetadataValue.text(joined([r.path for r in results])),
        "ledger": dg.MetadataValue.text(
            "; ".join(qbsps_command(f"status --document {r.document_id}") for r in results if r.document_id)
            or "-"
        ),
        "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none"),
        # Lineage, also as the data versions: the exact bytes SPS got, and the QBO version they came from.
        "content_sha256": dg.MetadataValue.text(joined([r.content_hash for r in results])),
        "built_from": dg.MetadataValue.text(
            joined([qbo_version(r.built_from) if r.built_from else None for r in results])
        ),
        **_changes([c for r in results for c in r.changes]),
        **diff_metadata([r.diff for r in results if r.diff is not None]),
    }


DIFF_ROWS = 50  # a partition page shows the first changes; `qbsps diff` shows them all


def diff_metadata(diffs: list[VersionDiff]) -> dict[str, dg.MetadataValue]:
    """Field by field, what a held or re-sent document changes against the version sent before."""
    if not diffs:
        return {}
    many = len(diffs) > 1
    rows = [
        ({"document": f"{d.after.document_id}"} if many else {}) | row
        for d in diffs
        for row in change_rows(d.changes)
    ]
    against = "; ".join(
        f"version {d.after.id} against version {d.before.id} (sent), document {d.after.document_id}: "
        + qbsps_command(f"diff {d.after.document_id} --version {d.before.id} --version {d.after.id}")
        for d in diffs
    )
    columns = (
        ["document", "field", "change", "before", "after"] if many else ["field", "change", "before", "after"]
    )
    frame = pd.DataFrame(rows[:DIFF_ROWS], columns=columns, dtype="object")
    return {
        "diff_against": dg.MetadataValue.text(against),
        "diff_count": dg.MetadataValue.int(len(rows)),
        "diff": table_metadata(frame),
    }


def table_metadata(frame: pd.DataFrame) -> dg.MetadataValue:
    """A table for the UI (sortable, with its columns named) from a frame of text cells."""
    schema = dg.TableSchema(columns=[dg.TableColumn(str(name), "string") for name in frame.columns])
    records = [
        dg.TableRecord({str(k): ("-" if v is None or v == "" else str(v)) for k, v in row.items()})
        for row in frame.to_dict("records")
    ]
    return dg.MetadataValue.table(records, schema=schema)


def _changes(changes: list[LineChange]) -> dict[str, dg.MetadataValue]:
    """An updated 855: per line and field, what the partner had and what it gets now."""
    if not changes:
        return {}
    frame = pd.DataFrame([dataclasses.asdict(change) for change in changes], dtype="object")
    return {"changes": table_metadata(frame)}
