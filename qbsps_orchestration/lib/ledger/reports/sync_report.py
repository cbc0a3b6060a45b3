"""What a sync did, per partition, as the ledger records it: the documents of each partition (a
mailbox file, or a QBO invoice) and the audit events the run that processed it wrote on them.

The outcome of a document in a run is read from those events (the ledger writes them in the same
transaction as each change), so the CLI's table can never disagree with the ledger. A document the
run left untouched is reported by its state ("up to date", "unchanged", "pending", ...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from ...changes import ORDER_ENTITIES
from .. import queries
from ..records import AuditRecord, DocumentRecord, VersionRecord
from ..storage.models import AuditEvent, Document, DocumentVersion, ReceivedFile
from ..storage.store import Store
from ..vocabulary import NEEDS_OPERATOR, Direction, Disposition, DocumentState
from .attention import WaitingDocument, waiting_documents

_CHUNK = 500  # values per IN (...) clause, far below SQLite's bound-parameter limit
_RECEIVED = frozenset({"document_received", "replacement_received", "cancellation_received"})
_WITH_REASON = {"failed": "failed", "quarantined": "quarantined", "retry_scheduled": "will retry"}
_UNTOUCHED = {
    DocumentState.SYNCED: "unchanged",
    DocumentState.PENDING: "pending",
    DocumentState.FAILED: "failed",
    DocumentState.QUARANTINED: "quarantined",
    DocumentState.CLOSED: "closed",
    DocumentState.CANCELLED: "cancelled",
}
_NEEDS_PERSON = frozenset({DocumentState.FAILED, DocumentState.QUARANTINED})
# Outcomes that leave something for the next run or a person (the partition did not simply pass).
TROUBLED = frozenset({"failed", "quarantined", "held", "will retry", "pending"})


@dataclass(frozen=True)
class PartitionDocument:
    """One document of a partition and what its run did to it, read from the audit events that run
    wrote on it (the events themselves are not kept: a pass of 10,000 files has 40,000 of them)."""

    partition: str
    document: DocumentRecord
    run_id: str | None
    outcome: str
    reason: str  # why, for an outcome that needs it

    @classmethod
    def of(
        cls, partition: str, document: DocumentRecord, run_id: str | None, events: Iterable[AuditRecord]
    ) -> PartitionDocument:
        return cls(partition, document, run_id, *_outcome(document, events))

    @property
    def detail(self) -> str:
        """Why, for an outcome that needs it (the reason the ledger recorded); else the warnings."""
        return self.reason or "; ".join(self.document.warnings)

    @property
    def troubled(self) -> bool:
        return self.outcome in TROUBLED or self.document.state in (*_NEEDS_PERSON, DocumentState.PENDING)


def _outcome(document: DocumentRecord, events: Iterable[AuditRecord]) -> tuple[str, str]:
    """What the run's events (in order) did to ``document``, and why where that needs saying."""
    inbound = document.direction is Direction.INBOUND
    outcome, detail, accepted = "", "", False
    for event in events:
        name = event.event
        if name in _RECEIVED:
            outcome, detail = "stored", ""
        elif name == "duplicate_skipped":
            outcome, detail = ("duplicate" if inbound else "unchanged"), ""
        elif name == "conflict_held":
            outcome, detail = "held", event.detail or ""
        elif name == "conflict_accepted":
            accepted = True
        elif name == "requeued":
            outcome, detail = "requeued", event.detail or ""
        elif name == "synced" and inbound:
            created = (event.before or {}).get("qbo_id") is None
            outcome, detail = ("created" if created else "updated"), ""
        elif name == "synced":
            outcome, detail = ("resent" if accepted else "sent"), ""
        elif name == "closed":
            outcome, detail = "closed", ""
        elif name in _WITH_REASON:
            # The document's reason, as `qbsps status` shows it; the event's for an older version.
            outcome, detail = _WITH_REASON[name], document.reason or event.detail or ""
    state = document.state
    if outcome in ("duplicate", "unchanged") and state in _NEEDS_PERSON:
        outcome = ""  # the same payload again, of a document that waits for a person
    if outcome:
        return outcome, detail
    untouched = "up to date" if inbound and state is DocumentState.SYNCED else _UNTOUCHED[state]
    return untouched, "" if state is DocumentState.SYNCED else document.reason or ""


class LedgerReports:
    """Read-only queries; each opens one read transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def waiting_documents(
        self, direction: Direction | None = None, limit: int = 500
    ) -> list[WaitingDocument]:
        """Every document waiting for a person (failed, quarantined, a held version), with the field
        its reason names, what to do and how to run it again (see attention.py)."""
        with self._store.read() as session:
            failed = queries.documents_in_states(session, NEEDS_OPERATOR, direction, limit)
            held = [
                (version, DocumentRecord.of(session.get_one(Document, version.document_id)))
                for version in queries.held_conflicts(session, limit)
            ]
        held = [(v, doc) for v, doc in held if direction is None or doc.direction is direction]
        return waiting_documents(failed, held)

    def waiting_among(
        self, document_ids: Iterable[int | None], version_ids: Iterable[int | None] = ()
    ) -> list[WaitingDocument]:
        """Of these documents and versions (a failed partition's), those waiting for a person:
        documents failed or quarantined, and versions held for an operator."""
        with self._store.read() as session:
            failed = [
                record
                for i in dict.fromkeys(d for d in document_ids if d)
                if (record := DocumentRecord.of(queries.load_document(session, i))).state in NEEDS_OPERATOR
            ]
            held = []
            for version_id in dict.fromkeys(v for v in version_ids if v):
                version = VersionRecord.of(queries.load_version(session, version_id))
                if version.disposition == Disposition.CONFLICT:
                    held.append(
                        (version, DocumentRecord.of(queries.load_document(session, version.document_id)))
                    )
        return waiting_documents(failed, held)

    def documents(self, direction: Direction, doc_types: Sequence[str]) -> list[DocumentRecord]:
        """Every document of these types, oldest first (reconciliation reads them all)."""
        with self._store.read() as session:
            rows = session.scalars(
                select(Document)
                .where(Document.direction == direction.value, Document.doc_type.in_(list(doc_types)))
                .order_by(Document.id)
            )
            return [DocumentRecord.of(row) for row in rows]

    def received_paths(self, folder: str) -> set[str]:
        """Every mailbox path under ``folder`` qbsps fetched: stored, a duplicate, or quarantined."""
        with self._store.read() as session:
            noted = select(ReceivedFile.source_path).where(
                ReceivedFile.source_path.startswith(folder, autoescape=True)
            )
            stored = select(DocumentVersion.source_path).where(
                DocumentVersion.source_path.startswith(folder, autoescape=True)
            )
            return {path for path in session.scalars(noted.union(stored)) if path}

    def order_file_documents(
        self, files: Mapping[str, str], runs: Mapping[str, str]
    ) -> list[PartitionDocument]:
        """``files``: partition key -> mailbox path; ``runs``: partition key -> the run that
        processed it. Each file's documents (as its latest fetch held them), then the documents
        built from their QBO orders (the 855s), in partition order."""
        with self._store.read() as session:
            held = _latest_file_documents(session, list(files.values()))
            orders = {(d.qbo_entity, d.qbo_id) for docs in held.values() for d in docs if d.qbo_id}
            acks = _built_from(session, [o for o in orders if o[0] in ORDER_ENTITIES])
            by_key: dict[str, list[DocumentRecord]] = {}
            for key, path in files.items():
                docs = held.get(path, [])
                by_key[key] = [*docs, *(ack for d in docs for ack in acks[(d.qbo_entity, d.qbo_id)])]
            return _with_events(session, by_key, runs)

    def invoice_documents(
        self, invoices: Mapping[str, str], runs: Mapping[str, str]
    ) -> list[PartitionDocument]:
        """``invoices``: partition key -> QBO Invoice Id. The 810 and 856 built from each."""
        with self._store.read() as session:
            built = _built_from(session, [("Invoice", qbo_id) for qbo_id in invoices.values()])
            by_key = {key: built[("Invoice", qbo_id)] for key, qbo_id in invoices.items()}
            return _with_events(session, by_key, runs)


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _latest_file_documents(session: Session, paths: list[str]) -> dict[str, list[DocumentRecord]]:
    found: dict[str, list[DocumentRecord]] = defaultdict(list)
    for chunk in _chunks(sorted(set(paths))):
        latest = (
            select(ReceivedFile.source_path, func.max(ReceivedFile.received_at).label("at"))
            .where(ReceivedFile.source_path.in_(chunk))
            .group_by(ReceivedFile.source_path)
            .subquery()
        )
        rows = session.execute(
            select(ReceivedFile.source_path, Document)
            .join(
                latest,
                (latest.c.source_path == ReceivedFile.source_path)
                & (latest.c.at == ReceivedFile.received_at),
            )
            .join(Document, Document.id == ReceivedFile.document_id)
            .order_by(ReceivedFile.id)
        )
        for path, doc in rows:
            found[path].append(DocumentRecord.of(doc))
        session.expunge_all()  # copied: the next chunk need not sit beside this one's rows
    return found


def _built_from(
    session: Session, sources: Iterable[tuple[str | None, str | None]]
) -> dict[tuple, list[DocumentRecord]]:
    """Outbound documents by the QBO (entity, id) they were built from, oldest first."""
    found: dict[tuple, list[DocumentRecord]] = defaultdict(list)
    for chunk in _chunks(sorted({(e, i) for e, i in sources if e and i})):
        rows = session.scalars(
            select(Document)
            .where(
                Document.direction == Direction.OUTBOUND.value,
                tuple_(Document.qbo_entity, Document.qbo_id).in_(chunk),
            )
            .order_by(Document.id)
        )
        for doc in rows:
            found[(doc.qbo_entity, doc.qbo_id)].append(DocumentRecord.of(doc))
        session.expunge_all()
    return found


def _with_events(
    session: Session, by_key: Mapping[str, list[DocumentRecord]], runs: Mapping[str, str]
) -> list[PartitionDocument]:
    """Each partition's documents (a document twice in one file is one row), a chunk at a time: a
    chunk's events are read, folded into outcomes and let go before the next chunk is read."""
    pairs = [(key, doc) for key, docs in by_key.items() for doc in {d.id: d for d in docs}.values()]
    run_ids = sorted(set(runs.values()))
    found: list[PartitionDocument] = []
    for chunk in _chunks(pairs):
        events: dict[tuple[int, str], list[AuditRecord]] = defaultdict(list)
        if run_ids:
            ids = sorted({doc.id for _, doc in chunk})
            rows = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.document_id.in_(ids), AuditEvent.run_id.in_(run_ids))
                .order_by(AuditEvent.id)
            )
            for row in rows:
                events[(row.document_id or 0, row.run_id or "")].append(AuditRecord.of(row))
            session.expunge_all()  # read-only: the rows are copied, the session need not keep them
        for key, doc in chunk:
            run_id = runs.get(key)
            found.append(PartitionDocument.of(key, doc, run_id, events.get((doc.id, run_id or ""), ())))
    return found
