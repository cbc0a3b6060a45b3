"""`Ledger`: the one object the rest of qbsps talks to. Each method is one transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from ..changes import ChangeEvent
from ..secrets import SecretCipher
from . import completion, documents, intents, lifecycle, queries, received_files, retention
from .alerts.facade import AlertLedger
from .audit import AuditContext, trail
from .credentials.facade import CredentialLedger
from .dedup import pending_action
from .documents import ReceivedDocument
from .errors import LedgerNotUpgradedError
from .inbox import changes as inbox
from .inbox import cursors
from .inbox.changes import InboxRecord
from .records import AuditRecord, DocumentRecord, IntentRecord, RecordOutcome, VersionRecord
from .reference.facade import ReferenceLedger
from .reports import LedgerReports
from .request_budget import RequestBudgets
from .storage.store import Store, default_ledger_url, head_revisions
from .vocabulary import NEEDS_OPERATOR, Action, Direction, IntentOutcome


class Ledger:
    """The sync ledger. `url`: SQLAlchemy URL (default: $QBSPS_LEDGER_URL or `.qbsps/ledger.sqlite`);
    PostgreSQL as `postgresql+psycopg2://user@host/db`. Documents, intents, the change inbox and
    cursors are its own methods; its parts `credentials`, `reference`, `reports`,
    `request_budgets` and `alerts` share its engine (and its audit context)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        cipher: SecretCipher | None = None,
        context: AuditContext | None = None,
        busy_timeout_seconds: float = 30.0,
        _store: Store | None = None,
    ) -> None:
        self.url = url or default_ledger_url()
        self._store = _store or Store(self.url, busy_timeout_seconds=busy_timeout_seconds)
        self.context = context or AuditContext()
        self.credentials = CredentialLedger(self._store, self.context, cipher)
        self.reference = ReferenceLedger(self._store, self.context)
        self.reports = LedgerReports(self._store)  # read-only views for operators' tables
        self.request_budgets = RequestBudgets(self._store)  # API call budgets shared by all processes
        self.alerts = AlertLedger(self._store)  # each alert sent once until its cause clears

    def __repr__(self) -> str:  # the URL may carry a password
        return f"Ledger(dialect={self._store.dialect!r}, actor={self.context.actor!r})"

    def as_actor(self, actor: str | None = None, run_id: str | None = None) -> Ledger:
        """The same ledger (same engine), auditing changes as `actor` within Dagster run `run_id`."""
        context = replace(
            self.context, actor=actor or self.context.actor, run_id=run_id or self.context.run_id
        )
        return Ledger(self.url, cipher=self.credentials.loaded_cipher, context=context, _store=self._store)

    @property
    def dialect(self) -> str:
        return self._store.dialect

    def migrate(self) -> None:
        self._store.migrate()

    def require_upgraded(self) -> None:
        """Raise LedgerNotUpgradedError unless the database is at this qbsps's migrations."""
        current, heads = self._store.current_revisions(), head_revisions()
        if set(current) != set(heads):
            where = self._store.shown_url
            stamped = ", ".join(current) or "none (a new database)"
            raise LedgerNotUpgradedError(
                f"the ledger at {where} is at migration {stamped}, this qbsps needs {', '.join(heads)}: "
                "run `qbsps db upgrade`"
            )

    def close(self) -> None:
        self._store.dispose()

    # -- documents -------------------------------------------------------------------------------
    def record(self, received: ReceivedDocument) -> RecordOutcome:
        return self._store.write_retrying(lambda s: documents.record(s, self.context, received))

    def record_inbound(
        self,
        doc_type: str,
        trading_partner_id: str,
        business_key: str,
        payload: bytes,
        *,
        tset_purpose_code: str | None = None,
        format: str = "xml",
        source_path: str | None = None,
        content_hash: str | None = None,
        warnings: tuple[str, ...] = (),
    ) -> RecordOutcome:
        """Record a document fetched from SPS and say what to do with it in QBO."""
        received = ReceivedDocument(
            Direction.INBOUND,
            doc_type,
            trading_partner_id,
            business_key,
            payload,
            format=format,
            tset_purpose_code=tset_purpose_code,
            source_path=source_path,
            content_hash=content_hash,
            warnings=warnings,
        )
        return self.record(received)

    def record_outbound(
        self,
        doc_type: str,
        trading_partner_id: str,
        business_key: str,
        payload: bytes,
        *,
        qbo_entity: str | None = None,
        qbo_id: str | None = None,
        tset_purpose_code: str | None = None,
        format: str = "xml",
        content_hash: str | None = None,
    ) -> RecordOutcome:
        """Record a document built from a QBO transaction (`qbo_entity`/`qbo_id`) for upload to SPS."""
        received = ReceivedDocument(
            Direction.OUTBOUND,
            doc_type,
            trading_partner_id,
            business_key,
            payload,
            format=format,
            tset_purpose_code=tset_purpose_code,
            content_hash=content_hash,
            qbo_entity=qbo_entity,
            qbo_id=qbo_id,
        )
        return self.record(received)

    def quarantine_unreadable(
        self,
        direction: Direction,
        doc_type: str,
        payload: bytes,
        reason: str,
        *,
        source_path: str | None = None,
        trading_partner_id: str = "",
        file_format: str = "unknown",
    ) -> RecordOutcome:
        """Keep a payload too broken to have a dedup key (keyed by its content hash instead)."""
        return self._store.write_retrying(
            lambda s: lifecycle.quarantine_unreadable(
                s,
                self.context,
                direction=direction,
                doc_type=doc_type,
                payload=payload,
                reason=reason,
                source_path=source_path,
                trading_partner_id=trading_partner_id,
                file_format=file_format,
            )
        )

    def accept_conflict(self, version_id: int, actor: str) -> RecordOutcome:
        context = replace(self.context, actor=actor)
        with self._store.write() as session:
            return documents.accept_conflict(session, context, version_id)

    def reject_conflict(self, version_id: int, actor: str, reason: str) -> None:
        context = replace(self.context, actor=actor)
        with self._store.write() as session:
            documents.reject_conflict(session, context, version_id, reason)

    def mark_synced(
        self,
        document_id: int,
        qbo_id: str | None = None,
        sync_token: str | None = None,
        doc_number: str | None = None,
        *,
        qbo_entity: str | None = None,
        version_id: int | None = None,
        intent_id: int | None = None,
        intent_outcome: IntentOutcome = IntentOutcome.SUCCEEDED,
        intent_detail: str | None = None,
    ) -> None:
        """``intent_id``: the write's intent, completed in the same transaction, so a crash can
        never leave a synced document with an open intent, nor a closed intent on a document that
        still looks owed (its next pass would write it again)."""
        with self._store.write() as session:
            lifecycle.mark_synced(
                session,
                self.context,
                document_id,
                version_id=version_id,
                qbo_id=qbo_id,
                sync_token=sync_token,
                doc_number=doc_number,
                qbo_entity=qbo_entity,
            )
            if intent_id is not None:
                intents.complete_intent(session, self.context, intent_id, intent_outcome, intent_detail)

    def mark_failed(self, document_id: int, reason: str) -> None:
        with self._store.write() as session:
            lifecycle.mark_failed(session, self.context, document_id, reason)

    def schedule_retry(self, document_id: int, reason: str) -> None:
        """A transient failure after the client's retries: the write stays owed, and the next sync
        (or a tick once the backoff passed) drives it on; `reason` is shown until then."""
        with self._store.write() as session:
            completion.schedule_retry(session, self.context, document_id, reason)

    def unfinished_documents(
        self, direction: Direction | None = None, limit: int = 5000
    ) -> list[completion.UnfinishedDocument]:
        """Documents whose remote write is still owed and needs no person (see completion.py)."""
        with self._store.read() as session:
            return completion.unfinished_documents(session, direction, limit)

    def orders_owing_acks(self, partners: Collection[str]) -> list[completion.UnfinishedDocument]:
        """Orders in QBO whose 855 (for these partners) was never sent: see completion.py."""
        with self._store.read() as session:
            return completion.orders_owing_acks(session, partners)

    def quarantine(
        self, reason: str, *, document_id: int | None = None, version_id: int | None = None
    ) -> None:
        with self._store.write() as session:
            lifecycle.quarantine(
                session, self.context, reason, document_id=document_id, version_id=version_id
            )

    def note_file(self, source_path: str, content_hash: str, documents: list[tuple[int, int]]) -> None:
        """Remember which documents a mailbox file held, so its partition finds them after deletion."""
        with self._store.write() as session:
            received_files.note_file(session, source_path, content_hash, documents)

    def file_documents(self, source_path: str) -> list[tuple[int, int]]:
        with self._store.read() as session:
            return received_files.file_documents(session, source_path)

    def requeue(self, document_id: int, reason: str) -> bool:
        """Replay a quarantined document: its current version is owed again (see lifecycle.requeue)."""
        with self._store.write() as session:
            return lifecycle.requeue(session, self.context, document_id, reason)

    def pending_action(self, document_id: int) -> Action:
        """What a re-run must do for this document (create/update/close/send, or skip)."""
        with self._store.read() as session:
            return pending_action(queries.facts_of(session, queries.load_document(session, document_id)))

    # -- reading ---------------------------------------------------------------------------------
    def document(self, document_id: int) -> DocumentRecord:
        with self._store.read() as session:
            return DocumentRecord.of(queries.load_document(session, document_id))

    def find_document(
        self, direction: Direction, doc_type: str, trading_partner_id: str, business_key: str
    ) -> DocumentRecord | None:
        with self._store.read() as session:
            return queries.find_document(session, direction, doc_type, trading_partner_id, business_key)

    def version(self, version_id: int) -> VersionRecord:
        with self._store.read() as session:
            return VersionRecord.of(queries.load_version(session, version_id))

    def revision(self, version_id: int) -> int:
        """1 for a document's first version, 2 for the next, and so on."""
        with self._store.read() as session:
            return queries.revision_of(session, version_id)

    def order_files(self, entity_ids: Iterable[str]) -> dict[tuple[str, str], str]:
        """(QBO entity, id) -> the file of the SPS order that became it (its current version)."""
        with self._store.read() as session:
            return queries.order_files(session, list(entity_ids))

    def settled_files(self, cutoff: datetime) -> list[str]:
        """Mailbox files whose documents are all settled (synced, closed, cancelled) since before
        ``cutoff``: nothing will run for them again unless something new arrives."""
        with self._store.read() as session:
            return retention.settled_files(session, cutoff)

    def settled_sources(self, entities: Sequence[str], cutoff: datetime) -> list[tuple[str, str]]:
        """The same for the QBO transactions outbound documents were built from."""
        with self._store.read() as session:
            return retention.settled_sources(session, entities, cutoff)

    def versions(self, document_id: int) -> list[VersionRecord]:
        with self._store.read() as session:
            return queries.versions_of(session, document_id)

    def audit_trail(self, document_id: int | None) -> list[AuditRecord]:
        with self._store.read() as session:
            return trail(session, document_id)

    def counts_by_state(
        self, direction: Direction | None = None, doc_type: str | None = None
    ) -> dict[str, int]:
        with self._store.read() as session:
            return queries.counts_by_state(session, direction, doc_type)

    def recent_documents(
        self, direction: Direction, doc_type: str, limit: int = 1000
    ) -> list[DocumentRecord]:
        """The most recently changed documents of one type, newest first."""
        with self._store.read() as session:
            return queries.recent_documents(session, direction, doc_type, limit)

    def failed_documents(self, direction: Direction | None = None, limit: int = 500) -> list[DocumentRecord]:
        """Failed and quarantined documents, newest change first: what an operator must look at."""
        with self._store.read() as session:
            return queries.documents_in_states(session, NEEDS_OPERATOR, direction, limit)

    def held_conflicts(self, limit: int = 500) -> list[VersionRecord]:
        with self._store.read() as session:
            return queries.held_conflicts(session, limit)

    # -- crash safety ----------------------------------------------------------------------------
    def begin_intent(
        self, document_id: int, operation: Action, version_id: int | None = None
    ) -> IntentRecord:
        return self._store.write_retrying(
            lambda s: intents.begin_intent(s, self.context, document_id, operation, version_id)
        )

    def complete_intent(
        self, intent_id: int, outcome: IntentOutcome = IntentOutcome.SUCCEEDED, detail: str | None = None
    ) -> IntentRecord:
        with self._store.write() as session:
            return intents.complete_intent(session, self.context, intent_id, outcome, detail)

    def open_intents(self, document_id: int | None = None) -> list[IntentRecord]:
        with self._store.read() as session:
            return intents.open_intents(session, document_id)

    # -- cursors ---------------------------------------------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        with self._store.read() as session:
            return cursors.get_cursor(session, name)

    def set_cursor(self, name: str, value: str) -> None:
        self._store.write_retrying(lambda s: cursors.set_cursor(s, self.context, name, value))

    # -- change inbox (QBO changes from webhooks, CDC and sweeps) --------------------------------
    def record_changes(self, events: Iterable[ChangeEvent]) -> int:
        """Store changes not seen before (identity: realm, entity, id, LastUpdatedTime) in one short
        transaction; returns how many now wait for a run (see inbox.record_changes)."""
        batch = list(events)
        if not batch:
            return 0
        return self._store.write_retrying(lambda session: inbox.record_changes(session, batch))

    def pending_changes(
        self, entity: str | Sequence[str] | None = None, limit: int = 1000
    ) -> list[InboxRecord]:
        with self._store.read() as session:
            return inbox.pending_changes(session, entity, limit)

    def mark_changes_handled(self, ids: Sequence[int], run_id: str | None = None) -> int:
        """Mark inbox rows handled (by `run_id`, default this ledger's run); returns how many changed."""
        with self._store.write() as session:
            return inbox.mark_changes_handled(session, ids, run_id or self.context.run_id)

    def mark_entity_changes_handled(
        self, entity: str, entity_ids: Iterable[str], received_before: datetime, run_id: str | None = None
    ) -> int:
        """Mark handled the pending changes of these entities received before `received_before` (by
        `run_id`, default this ledger's run), once their documents are processed; returns how many."""
        ids = list(entity_ids)
        if not ids:
            return 0
        with self._store.write() as session:
            return inbox.mark_entity_changes_handled(
                session, entity, ids, received_before, run_id or self.context.run_id
            )

    # -- sequences -------------------------------------------------------------------------------
    def next_value(self, name: str) -> int:
        """The next number of sequence `name` (1, 2, ...); never the same number twice, across
        threads and processes."""
        return self.next_values(name, 1)[0]

    def next_values(self, name: str, count: int) -> range:
        """`count` consecutive numbers of sequence `name`, reserved in one transaction."""
        with self._store.write() as session:
            return inbox.next_values(session, name, count)
