"""What `qbsps sync`, `qbsps replay` and `qbsps status` print: tables for a terminal, built from
the ledger as pandas frames of text cells (never a float column), rendered as plain text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .lib.ledger import Direction, DocumentRecord, Ledger
from .lib.ledger.completion import UnfinishedDocument
from .lib.ledger.reports import PartitionDocument, WaitingDocument

if TYPE_CHECKING:
    from .runs import SyncReport

SYNC_COLUMNS = ("partition", "document", "partner", "number", "outcome", "state", "QBO id", "run", "detail")


def frame(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """Text cells only: a number or an amount is shown as written, "-" where there is none."""
    records = [["-" if cell is None or cell == "" else str(cell) for cell in row] for row in rows]
    return pd.DataFrame(records, columns=list(columns), dtype="object")


def render(data: pd.DataFrame) -> str:
    return table(list(data.columns), data.itertuples(index=False, name=None))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def sync_frame(
    keys: Sequence[str], documents: Sequence[PartitionDocument], failed: Mapping[str, str]
) -> pd.DataFrame:
    """One row per document of each partition, as the ledger has it after the run. A partition the
    run failed (``failed``: key -> the reason Dagster recorded) with no document that shows why
    gets a row of its own, e.g. a file that never reached the ledger."""
    by_key: dict[str, list[PartitionDocument]] = {}
    for doc in documents:
        by_key.setdefault(doc.partition, []).append(doc)
    rows: list[tuple[object, ...]] = []
    for key in keys:
        docs = by_key.get(key, [])
        rows += [
            (
                key,
                d.document.doc_type,
                d.document.trading_partner_id,
                _number(d.document),
                d.outcome,
                d.document.state.value,
                d.document.qbo_id,
                (d.run_id or "")[:8],
                d.detail,
            )
            for d in docs
        ]
        if key in failed and not any(d.troubled for d in docs):
            run = next((d.run_id for d in docs if d.run_id), None)
            rows.append((key, None, None, None, "failed", None, None, (run or "")[:8], failed[key]))
    return frame(SYNC_COLUMNS, rows)


def _number(doc: DocumentRecord) -> str:
    """The PO or document number; an unreadable payload has none (its key is its content hash)."""
    return "-" if doc.business_key.startswith("unreadable:") else doc.business_key


def sync_table(report: SyncReport, empty: str = "nothing to do: the SPS orders folder is empty") -> str:
    return render(report.rows) if not report.rows.empty else empty


def status_text(ledger: Ledger) -> str:
    counts = frame(
        ("direction", "state", "count"),
        (
            (direction.value, state, count)
            for direction in Direction
            for state, count in sorted(ledger.counts_by_state(direction).items())
        ),
    )
    parts = _reconnects(ledger)
    parts += ["Documents by state:", render(counts) if not counts.empty else "  none yet"]
    unfinished = ledger.unfinished_documents()
    if unfinished:
        parts += ["", unfinished_text(unfinished)]
    waiting = ledger.reports.waiting_documents()
    failed = [w for w in waiting if w.version_id is None]
    if failed:
        rows = ((w.document_id, w.trading_partner_id, w.number, w.state, w.field, w.reason) for w in failed)
        documents = frame(("id", "partner", "number", "state", "field", "reason"), rows)
        parts += ["", "Failed or quarantined:", render(documents), "", *_what_to_do(failed)]
    conflicts = ledger.held_conflicts()
    if conflicts:
        rows = ((v.id, v.document_id, v.source_path, v.reason) for v in conflicts)
        parts += [
            "",
            "Held conflicts (accept one with: qbsps conflicts accept VERSION_ID):",
            render(frame(("version", "document", "source", "reason"), rows)),
            "",
            *_what_to_do([w for w in waiting if w.version_id is not None]),
        ]
    return "\n".join(parts)


def _what_to_do(waiting: Sequence[WaitingDocument]) -> list[str]:
    lines = ["What to do, then how to run it again:"]
    for w in waiting:
        lines += [f"  {w.document_id} ({w.doc_type} {w.number}): {w.what_to_do}", f"      {w.rerun}"]
    return lines


def unfinished_text(docs: Sequence[UnfinishedDocument]) -> str:
    """Owed documents that need no person: qbsps drives each on by itself."""
    rows = (
        (
            d.id,
            d.doc_type,
            f"{d.trading_partner_id or '-'}/{d.business_key}",
            d.attempts,
            d.due_at.isoformat(timespec="seconds"),
            _why_unfinished(d),
        )
        for d in docs
    )
    return "\n".join(
        [
            "Unfinished (no action needed: the next `qbsps sync`, or a sensor tick once the next try "
            "is due, drives each on):",
            render(frame(("id", "document", "partner/number", "retries", "next try", "why"), rows)),
        ]
    )


def _why_unfinished(doc: UnfinishedDocument) -> str:
    if doc.reason:
        return doc.reason
    if doc.open_intent:
        return "its last write was never confirmed: qbsps asks the other side before writing again"
    return "stored, not yet written: the run that held it stopped"


def _reconnects(ledger: Ledger) -> list[str]:
    """Dead credentials first: nothing moves through that connection until the operator acts."""
    lines = [
        f"  {_connection_name(dead.name)} (since {dead.since.isoformat(timespec='seconds')}): {dead.reason}"
        for dead in ledger.credentials.reconnects_needed()
    ]
    return ["Connections that need reconnecting:", *lines, ""] if lines else []


def _connection_name(credential: str) -> str:
    prefix = "qbo.tokens."
    return (
        f"QuickBooks company {credential.removeprefix(prefix)}"
        if credential.startswith(prefix)
        else credential
    )


def document_text(ledger: Ledger, document_id: int) -> str:
    doc = ledger.document(document_id)
    head = [
        f"Document {doc.id}: {doc.direction.value} {doc.doc_type} "
        f"{doc.trading_partner_id}/{doc.business_key}",
        f"state {doc.state.value}; QBO {doc.qbo_entity or '-'} {doc.qbo_id or '-'} (SyncToken "
        f"{doc.qbo_sync_token or '-'}, DocNumber {doc.qbo_doc_number or '-'})",
    ]
    if doc.reason:
        head.append(f"reason: {doc.reason}")
    head += [f"warning: {w}" for w in doc.warnings]
    versions = frame(
        ("version", "purpose", "disposition", "source", "received"),
        (
            (v.id, v.tset_purpose_code, v.disposition.value, v.source_path, v.received_at.isoformat())
            for v in ledger.versions(doc.id)
        ),
    )
    audit = frame(
        ("at", "actor", "run", "event", "detail"),
        (
            (e.at.isoformat(timespec="seconds"), e.actor, (e.run_id or "")[:8], e.event, e.detail)
            for e in ledger.audit_trail(doc.id)
        ),
    )
    return "\n".join([*head, "", render(versions), "", "Audit trail:", render(audit)])
