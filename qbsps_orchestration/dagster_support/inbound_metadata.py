"""Dagster metadata for inbound documents: what an operator looks for in the UI. Money as text,
so the UI shows the exact Decimal rather than a float."""

from __future__ import annotations

import dagster as dg

from ..lib.config.companies import qbsps_command
from ..lib.inbound import DocumentResult
from ..lib.inbound.batch import FileOutcome


def _joined(values: list[str | None]) -> str:
    return ", ".join(v for v in dict.fromkeys(values) if v) or "-"


def fetched_metadata(outcome: FileOutcome) -> dict[str, dg.MetadataValue]:
    docs = outcome.fetched
    return {
        "trading_partner": dg.MetadataValue.text(_joined([d.trading_partner_id for d in docs])),
        "po_number": dg.MetadataValue.text(_joined([d.po_number for d in docs])),
        "outcome": dg.MetadataValue.text(_joined([d.outcome for d in docs])),
        "documents": dg.MetadataValue.int(len(docs)),
        "ledger": dg.MetadataValue.text(_ledger_link(docs)),
    }


def synced_metadata(outcome: FileOutcome) -> dict[str, dg.MetadataValue]:
    docs = outcome.synced
    first = docs[0] if docs else DocumentResult(outcome.name, "-")
    warnings = [w for d in docs for w in d.warnings]
    metadata: dict[str, dg.MetadataValue] = {
        "trading_partner": dg.MetadataValue.text(_joined([d.trading_partner_id for d in docs])),
        "po_number": dg.MetadataValue.text(_joined([d.po_number for d in docs])),
        "outcome": dg.MetadataValue.text(_joined([d.outcome for d in docs])),
        "qbo_entity": dg.MetadataValue.text(first.qbo_entity or "-"),
        "qbo_id": dg.MetadataValue.text(_joined([d.qbo_id for d in docs])),
        "sync_token": dg.MetadataValue.text(_joined([d.sync_token for d in docs])),
        "doc_number": dg.MetadataValue.text(_joined([d.doc_number for d in docs])),
        "ledger": dg.MetadataValue.text(_ledger_link(docs)),
        "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none"),
    }
    if all(d.line_count is not None for d in docs) and docs:
        metadata["lines"] = dg.MetadataValue.int(sum(d.line_count or 0 for d in docs))
        metadata["total"] = dg.MetadataValue.text(_joined([str(d.total) for d in docs]))
    return metadata


def _ledger_link(docs: list[DocumentResult]) -> str:
    ids = [str(d.document_id) for d in docs if d.document_id is not None]
    return "; ".join(qbsps_command(f"status --document {i}") for i in ids) or "-"
