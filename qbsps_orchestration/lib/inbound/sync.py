"""Step 2 (asset ``qbo_purchase_orders``): map each stored order and write it to QBO, once.

Crash safety: an intent is recorded before the QBO write and completed after. A re-run that finds
an open intent first looks for the document in QBO (by its DocNumber candidates and the order
marker in PrivateNote) and adopts it; otherwise it repeats the write with the same ``requestid``,
which QBO answers with the first response if the first write did land.
"""

from __future__ import annotations

from typing import Any

from ..config import QbspsConfig
from ..http import TRANSPORT_ERRORS
from ..ledger import (
    Action,
    Disposition,
    DocumentState,
    EarlierIntentError,
    IntentOutcome,
    Ledger,
    OpenIntentError,
)
from ..ledger.records import DocumentRecord, IntentRecord, VersionRecord
from ..mapping.doc_number import doc_number_candidates, order_marker
from ..mapping.purchase_order import MappedOrder, MappingError, map_order
from ..qbo import DuplicateDocNumberError, QboClient, QboError
from ..qbo.errors import FaultError, StaleObjectError
from ..qbo.query import select_in
from ..qbo.refs import QboRefResolver, UnknownReferenceError
from ..rsx import RsxError, read_rsx
from ..transient import is_transient
from .items import LearningCrossReference
from .results import DocumentResult, InboundDocumentError

CLOSED_STATUS = {"PurchaseOrder": {"POStatus": "Closed"}, "Estimate": {"TxnStatus": "Closed"}}
RETRYING = "will retry"  # a transient failure: owed still, driven on by the next sync or tick


class OrderSync:
    def __init__(self, config: QbspsConfig, ledger: Ledger, qbo: QboClient) -> None:
        self._written: dict[int, dict[str, Any]] = {}  # document id -> the QBO row its write returned
        self.config, self.ledger, self.qbo = config, ledger, qbo
        self.resolve = QboRefResolver(qbo, ledger)

    def document(self, name: str, document_id: int, version_id: int) -> DocumentResult:
        doc = self.ledger.document(document_id)
        version = self.ledger.version(version_id)
        base = {
            "source": name,
            "trading_partner_id": doc.trading_partner_id,
            "po_number": doc.business_key,
            "document_id": doc.id,
            "version_id": version.id,
            "content_hash": version.content_hash,
        }
        if doc.business_key.startswith("unreadable:"):  # never read: nothing to map (fetch re-reads it)
            return DocumentResult(outcome="quarantined", reason=doc.reason, **base)
        if version.disposition is Disposition.CONFLICT:
            return DocumentResult(outcome="conflict held", reason=version.reason, **base)
        if doc.state is DocumentState.QUARANTINED and not self.ledger.requeue(doc.id, f"replay of {name}"):
            return DocumentResult(outcome="quarantined", reason=doc.reason, **base)
        doc = self.ledger.document(document_id)
        action = self.ledger.pending_action(doc.id)
        if action is Action.SKIP:
            return self._done(doc, "up to date" if doc.qbo_id else doc.state.value, base)
        current = self.ledger.version(doc.current_version_id or version.id)
        try:
            mapped = self._map(doc, current, name)
        except (QboError, *TRANSPORT_ERRORS) as exc:  # QBO could not answer a lookup
            if not is_transient(exc):
                raise
            return self._retry_later(doc, f"{name}: QBO could not answer while mapping ({exc})", base)
        except (MappingError, RsxError, UnknownReferenceError) as exc:
            reason = str(exc) if str(exc).startswith(name) else f"{name}: {exc}"
            self.ledger.quarantine(reason, version_id=current.id)
            return DocumentResult(outcome="quarantined", reason=reason, **base)
        except (ArithmeticError, ValueError, TypeError, LookupError, RecursionError) as exc:
            # Data the mapping cannot cope with is bad input too: held with its reason, not retried.
            reason = f"{name}: cannot be mapped ({type(exc).__name__}: {str(exc)[:200]})"
            self.ledger.quarantine(reason, version_id=current.id)
            return DocumentResult(outcome="quarantined", reason=reason, **base)
        try:
            outcome = self._write(action, doc, current, mapped)
        except (QboError, *TRANSPORT_ERRORS) as exc:
            if is_transient(exc):
                return self._retry_later(doc, f"{name}: QBO could not take the {mapped.entity} ({exc})", base)
            reason = f"{name}: QBO refused the {mapped.entity}: {exc}"
            self.ledger.mark_failed(doc.id, reason)
            return DocumentResult(outcome="failed", reason=reason, **base)
        doc = self.ledger.document(doc.id)
        return self._done(doc, outcome, base, mapped)

    def _retry_later(self, doc: DocumentRecord, why: str, base: dict) -> DocumentResult:
        reason = f"{why}; qbsps tries again on the next sync or sensor tick"
        self.ledger.schedule_retry(doc.id, reason)
        return DocumentResult(outcome=RETRYING, reason=reason, **base)

    def _map(self, doc: DocumentRecord, version: VersionRecord, name: str) -> MappedOrder:
        order = read_rsx(version.payload, source=name, doc_type="Order")[0].order
        assert order is not None
        return map_order(
            order,
            source=name,
            partner=self.config.partner(doc.trading_partner_id),
            accounts=self.config.accounts,
            crossref=LearningCrossReference(self.config, self.ledger, self.qbo, self.resolve),  # type: ignore[arg-type]
            resolve=self.resolve,
        )

    def _write(self, action: Action, doc: DocumentRecord, version: VersionRecord, mapped: MappedOrder) -> str:
        try:
            intent = self.ledger.begin_intent(doc.id, action, version_id=version.id)
            intent_id, requestid = intent.id, intent.requestid
        except EarlierIntentError as earlier:  # e.g. a 05 arrived while the 00's create is unconfirmed
            doc = self._settle_earlier(doc, earlier.intent, mapped.entity)
            action = self.ledger.pending_action(doc.id)
            if action is Action.SKIP:
                return "up to date"
            intent = self.ledger.begin_intent(doc.id, action, version_id=version.id)
            intent_id, requestid = intent.id, intent.requestid
        except OpenIntentError as open_intent:  # a crash left the last write unconfirmed
            intent_id, requestid = open_intent.intent_id, open_intent.requestid
            if action is Action.CREATE and (found := self._find_ours(doc, mapped.entity)):
                detail = f"found QBO {found['Id']}"
                self._synced(
                    doc, version.id, mapped.entity, found, intent_id, IntentOutcome.RECONCILED, detail
                )
                return "created"
        try:
            if action is Action.CREATE:
                row = self._create(doc, mapped, requestid)
            else:
                fields = mapped.payload if action is Action.UPDATE else CLOSED_STATUS[mapped.entity]
                row = self.qbo.sparse_update(mapped.entity, doc.qbo_id or "", fields, request_id=requestid)
        except (QboError, *TRANSPORT_ERRORS) as exc:
            # A refusal did not land, nor did a 5010 (QBO refused a stale SyncToken: someone saved
            # first), which is retried with a new requestid, since QBO replays an answer for a used
            # one. A 429/5xx/timeout may have landed: its intent stays open, so the next try looks
            # the document up first and repeats the write with the same requestid.
            if not is_transient(exc) or isinstance(exc, StaleObjectError):
                self.ledger.complete_intent(intent_id, IntentOutcome.FAILED, str(exc))
            raise
        self._synced(
            doc, version.id, mapped.entity, row, intent_id, IntentOutcome.SUCCEEDED, f"QBO {row['Id']}"
        )
        return {Action.CREATE: "created", Action.UPDATE: "updated", Action.CLOSE: "closed"}[action]

    def _settle_earlier(self, doc: DocumentRecord, earlier: IntentRecord, entity: str) -> DocumentRecord:
        """Settle another version's unconfirmed write before this version's; its requestid is never
        reused (QBO would answer this change with that write's cached result)."""
        if earlier.operation is Action.CREATE:
            if found := self._find_ours(doc, entity):  # the create landed: QBO holds that version
                detail = f"found QBO {found['Id']}"
                self._synced(
                    doc, earlier.version_id, entity, found, earlier.id, IntentOutcome.RECONCILED, detail
                )
            else:
                detail = "not in QBO (by DocNumber and marker): the create never landed"
                self.ledger.complete_intent(earlier.id, IntentOutcome.FAILED, detail)
        else:  # an update or close of an older version: this version's write carries newer content
            detail = f"superseded before it was confirmed by version {doc.current_version_id}"
            self.ledger.complete_intent(earlier.id, IntentOutcome.FAILED, detail)
        return self.ledger.document(doc.id)

    def _create(self, doc: DocumentRecord, mapped: MappedOrder, requestid: str) -> dict[str, Any]:
        candidates = doc_number_candidates(doc.trading_partner_id, doc.business_key)
        for attempt, doc_number in enumerate(candidates):
            request = requestid if attempt == 0 else f"{requestid[:44]}-dn{attempt}"
            try:
                return self.qbo.create(
                    mapped.entity, {**mapped.payload, "DocNumber": doc_number}, request_id=request
                )
            except DuplicateDocNumberError:
                # Taken: by this very order (the ledger was lost or restored) or by another document.
                if found := self._find_ours(doc, mapped.entity, [doc_number]):
                    return found
        detail = f"every DocNumber qbsps may use for this order ({', '.join(candidates)}) is taken"
        raise QboError(
            400, [FaultError("6140", "Duplicate Document Number Error", detail)], operation="create"
        )

    def _find_ours(self, doc: DocumentRecord, entity: str, numbers: list[str] | None = None) -> dict | None:
        numbers = numbers or doc_number_candidates(doc.trading_partner_id, doc.business_key)
        marker = order_marker(doc.trading_partner_id, doc.business_key)
        rows = self.qbo.query(select_in(entity, "DocNumber", numbers)).get(entity, [])
        return next((row for row in rows if marker in (row.get("PrivateNote") or "")), None)

    def _synced(
        self,
        doc: DocumentRecord,
        version_id: int,
        entity: str,
        row: dict[str, Any],
        intent_id: int,
        outcome: IntentOutcome,
        detail: str,
    ) -> None:
        """QBO holds ``row``: the document synced and its write's intent completed, at once."""
        self._written[doc.id] = row
        self.ledger.mark_synced(
            doc.id,
            str(row["Id"]),
            str(row["SyncToken"]),
            row.get("DocNumber"),
            qbo_entity=entity,
            version_id=version_id,
            intent_id=intent_id,
            intent_outcome=outcome,
            intent_detail=detail,
        )

    def _done(
        self, doc: DocumentRecord, outcome: str, base: dict, mapped: MappedOrder | None = None
    ) -> DocumentResult:
        return DocumentResult(
            outcome=outcome,
            qbo_entity=doc.qbo_entity,
            qbo_id=doc.qbo_id,
            sync_token=doc.qbo_sync_token,
            doc_number=doc.qbo_doc_number,
            line_count=mapped.line_count if mapped else None,
            total=mapped.total if mapped else None,
            warnings=tuple(mapped.warnings) if mapped else doc.warnings,
            qbo_row=_current(self._written.get(doc.id), doc.qbo_sync_token),
            **base,
        )


def _current(row: dict[str, Any] | None, sync_token: str | None) -> dict[str, Any] | None:
    return row if row is not None and str(row.get("SyncToken")) == sync_token else None


def sync_order_file(config: QbspsConfig, ledger: Ledger, qbo: QboClient, name: str) -> list[DocumentResult]:
    """Write every document of mailbox file ``name`` to QBO; raises if any of them failed."""
    path = config.sps.folders.orders + name
    known = ledger.file_documents(path)
    if not known:
        raise InboundDocumentError(
            f"{name}: never fetched from SPS (materialize sps_purchase_orders first)", []
        )
    sync = OrderSync(config, ledger, qbo)
    results = [sync.document(name, document_id, version_id) for document_id, version_id in known]
    problems = [r.reason or f"{name}: {r.outcome}" for r in results if r.failed or r.outcome == RETRYING]
    if problems:
        raise InboundDocumentError("; ".join(problems), results)
    return results
