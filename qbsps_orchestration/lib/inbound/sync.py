"""Step 2 (asset ``qbo_purchase_orders``): map each stored order and write it to QBO, once.

Crash safety: an intent is recorded before the QBO write and completed after. A re-run that finds
an open intent first looks for the document in QBO (by its DocNumber candidates and the order
marker in PrivateNote) and adopts it; otherwise it repeats the write with the same ``requestid``,
which QBO answers with the first response if the first write did land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

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
from .results import DocumentResult

CLOSED_STATUS = {"PurchaseOrder": {"POStatus": "Closed"}, "Estimate": {"TxnStatus": "Closed"}}
T = TypeVar("T")
RETRYING = "will retry"  # a transient failure: owed still, driven on by the next sync or tick


@dataclass(frozen=True)
class PendingWrite:
    """A mapped document whose QBO write is still to be made."""

    name: str  # the mailbox file
    doc: DocumentRecord
    version: VersionRecord
    mapped: MappedOrder
    action: Action
    base: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """The intent of a write, recorded before the call. ``fresh``: begun by this pass, so nothing
    of it can be in QBO yet (a crash's leftover intent was looked up in QBO first and then is not)."""

    action: Action
    intent_id: int
    requestid: str
    doc: DocumentRecord
    fresh: bool


class OrderSync:
    def __init__(self, config: QbspsConfig, ledger: Ledger, qbo: QboClient) -> None:
        self._written: dict[int, dict[str, Any]] = {}  # document id -> the QBO row its write returned
        self.config, self.ledger, self.qbo = config, ledger, qbo
        self.resolve = QboRefResolver(qbo, ledger)

    def document(self, name: str, document_id: int, version_id: int) -> DocumentResult:
        pending = self.prepare(name, document_id, version_id)
        return pending if isinstance(pending, DocumentResult) else self.write(pending)

    def prepare(self, name: str, document_id: int, version_id: int) -> DocumentResult | PendingWrite:
        """Everything before the QBO write: a result when there is nothing to write, else the write."""
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
        return PendingWrite(name, doc, current, mapped, action, base)

    def write(self, pending: PendingWrite) -> DocumentResult:
        """The write as one call of its own (an update, a close, or a create not sent in a batch)."""
        claim = self.claim(pending)
        return claim if isinstance(claim, DocumentResult) else self.complete(pending, claim)

    def claim(self, pending: PendingWrite) -> Claim | DocumentResult:
        """The write's intent, recorded before any call; a result when nothing is left to send."""
        got = self._guarded(pending, lambda: self._claim(pending))
        return self._finished(pending, got) if isinstance(got, str) else got

    def complete(
        self, pending: PendingWrite, claim: Claim, create: Callable[[], dict[str, Any]] | None = None
    ) -> DocumentResult:
        """Send the claimed write and record its result. ``create``: the row a batch answered for
        this create (or raises its item's Fault) instead of a single create call."""
        got = self._guarded(pending, lambda: self._send(pending, claim, create))
        return got if isinstance(got, DocumentResult) else self._finished(pending, got)

    def _guarded(self, pending: PendingWrite, work: Callable[[], T]) -> T | DocumentResult:
        name, doc, entity = pending.name, pending.doc, pending.mapped.entity
        try:
            return work()
        except (QboError, *TRANSPORT_ERRORS) as exc:
            if is_transient(exc):
                return self._retry_later(
                    doc, f"{name}: QBO could not take the {entity} ({exc})", pending.base
                )
            reason = f"{name}: QBO refused the {entity}: {exc}{_field(exc)}"
            self.ledger.mark_failed(doc.id, reason)
            return DocumentResult(outcome="failed", reason=reason, **pending.base)

    def _finished(self, pending: PendingWrite, outcome: str) -> DocumentResult:
        return self._done(self.ledger.document(pending.doc.id), outcome, pending.base, pending.mapped)

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

    def _claim(self, pending: PendingWrite) -> Claim | str:
        action, doc, version, mapped = pending.action, pending.doc, pending.version, pending.mapped
        try:
            intent = self.ledger.begin_intent(doc.id, action, version_id=version.id)
            return Claim(action, intent.id, intent.requestid, doc, fresh=True)
        except EarlierIntentError as earlier:  # e.g. a 05 arrived while the 00's create is unconfirmed
            doc = self._settle_earlier(doc, earlier.intent, mapped.entity)
            action = self.ledger.pending_action(doc.id)
            if action is Action.SKIP:
                return "up to date"
            intent = self.ledger.begin_intent(doc.id, action, version_id=version.id)
            return Claim(action, intent.id, intent.requestid, doc, fresh=True)
        except OpenIntentError as open_intent:  # a crash left the last write unconfirmed
            intent_id, requestid = open_intent.intent_id, open_intent.requestid
            if action is Action.CREATE and (found := self._find_ours(doc, mapped.entity)):
                detail = f"found QBO {found['Id']}"
                self._synced(
                    doc, version.id, mapped.entity, found, intent_id, IntentOutcome.RECONCILED, detail
                )
                return "created"
            return Claim(action, intent_id, requestid, doc, fresh=False)

    def _send(self, pending: PendingWrite, claim: Claim, create: Callable[[], dict[str, Any]] | None) -> str:
        action, doc, mapped = claim.action, claim.doc, pending.mapped
        try:
            if action is Action.CREATE:
                row = create() if create is not None else self._create(doc, mapped, claim.requestid)
            else:
                fields = mapped.payload if action is Action.UPDATE else CLOSED_STATUS[mapped.entity]
                row = self.qbo.sparse_update(
                    mapped.entity, doc.qbo_id or "", fields, request_id=claim.requestid
                )
        except (QboError, *TRANSPORT_ERRORS) as exc:
            # A refusal did not land, nor did a 5010 (QBO refused a stale SyncToken: someone saved
            # first), which is retried with a new requestid, since QBO replays an answer for a used
            # one. A 429/5xx/timeout may have landed: its intent stays open, so the next try looks
            # the document up first and repeats the write with the same requestid.
            if not is_transient(exc) or isinstance(exc, StaleObjectError):
                self.ledger.complete_intent(claim.intent_id, IntentOutcome.FAILED, str(exc))
            raise
        self._synced(
            doc,
            pending.version.id,
            mapped.entity,
            row,
            claim.intent_id,
            IntentOutcome.SUCCEEDED,
            f"QBO {row['Id']}",
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


def _field(exc: Exception) -> str:
    """The field QBO named in its refusal, if it named one."""
    errors = getattr(exc, "errors", None) or []
    element = errors[0].element if errors else None
    return f" (field {element})" if element else ""


def _current(row: dict[str, Any] | None, sync_token: str | None) -> dict[str, Any] | None:
    return row if row is not None and str(row.get("SyncToken")) == sync_token else None
