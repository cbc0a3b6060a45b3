"""What `qbsps sync` and `qbsps status` print: plain text tables for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from .lib.ledger import Direction, Ledger
from .lib.ledger.completion import UnfinishedDocument
from .runs import SyncReport


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def sync_table(report: SyncReport, empty: str = "nothing to do: the SPS orders folder is empty") -> str:
    rows = [
        (r.file, r.step, r.outcome, r.trading_partner, r.po_number, r.qbo_id, r.detail) for r in report.rows
    ]
    if not rows:
        return empty
    return table(("partition", "asset", "outcome", "partner", "number", "QBO id", "detail"), rows)


def status_text(ledger: Ledger) -> str:
    rows = [
        (direction.value, state, count)
        for direction in Direction
        for state, count in sorted(ledger.counts_by_state(direction).items())
    ]
    parts = _reconnects(ledger)
    parts += ["Documents by state:", table(("direction", "state", "count"), rows) if rows else "  none yet"]
    unfinished = ledger.unfinished_documents()
    if unfinished:
        parts += ["", unfinished_text(unfinished)]
    failed = ledger.failed_documents()
    if failed:
        parts += [
            "",
            "Failed or quarantined:",
            table(
                ("id", "partner", "number", "state", "reason"),
                [
                    (d.id, d.trading_partner_id or "-", d.business_key, d.state.value, d.reason or "")
                    for d in failed
                ],
            ),
        ]
    conflicts = ledger.held_conflicts()
    if conflicts:
        parts += [
            "",
            "Held conflicts (accept one with: qbsps conflicts accept VERSION_ID):",
            table(
                ("version", "document", "source", "reason"),
                [(v.id, v.document_id, v.source_path or "-", v.reason or "") for v in conflicts],
            ),
        ]
    return "\n".join(parts)


def unfinished_text(docs: Sequence[UnfinishedDocument]) -> str:
    """Owed documents that need no person: qbsps drives each on by itself."""
    rows = [
        (
            d.id,
            d.doc_type,
            f"{d.trading_partner_id or '-'}/{d.business_key}",
            d.attempts,
            d.due_at.isoformat(timespec="seconds"),
            _why_unfinished(d),
        )
        for d in docs
    ]
    return "\n".join(
        [
            "Unfinished (no action needed: the next `qbsps sync`, or a sensor tick once the next try "
            "is due, drives each on):",
            table(("id", "document", "partner/number", "retries", "next try", "why"), rows),
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
    versions = table(
        ("version", "purpose", "disposition", "source", "received"),
        [
            (
                v.id,
                v.tset_purpose_code or "-",
                v.disposition.value,
                v.source_path or "-",
                v.received_at.isoformat(),
            )
            for v in ledger.versions(doc.id)
        ],
    )
    audit = table(
        ("at", "actor", "run", "event", "detail"),
        [
            (e.at.isoformat(timespec="seconds"), e.actor, (e.run_id or "-")[:8], e.event, e.detail or "")
            for e in ledger.audit_trail(doc.id)
        ],
    )
    return "\n".join([*head, "", versions, "", "Audit trail:", audit])
