"""Sending one checked outbound document to SPS `in/`, exactly once.

The ledger decides (trading partner, document number) + content hash: unchanged content is never
sent again; content that changed after it was sent is held as a conflict for an operator, unless
the operator asked for an explicit resend.

Exactly once: an intent is recorded before the upload and completed after. Every upload is a
transaction SPS routes to the retailer, so one whose answer was lost (or whose run died before the
ledger heard of it) is never repeated blindly: SPS is asked first (landing.py: the version's own
path in `in/`, then the history) and what landed is adopted; what SPS does not show yet stays
"unconfirmed" until the history lag has passed, and only then is it sent again.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..config import QbspsConfig
from ..documents.document import OutboundDocument, revision_file_name
from ..documents.order_ack.ack_changes import LineChange
from ..http import TRANSPORT_ERRORS
from ..ledger import Action, EarlierIntentError, IntentOutcome, IntentRecord, Ledger, OpenIntentError
from ..sps import SpsClient, SpsError, UploadUnconfirmedError
from ..transient import is_transient
from .landing import Landing, find_landing
from .version_diff import VersionDiff, diff_against_sent

RETRYING = "will retry"  # a transient failure: owed still, driven on by the next sync or tick


@dataclass(frozen=True)
class QboVersion:
    """The version of the QBO document an outbound document was built from (QBO bumps the
    SyncToken on every change), so the audit trail shows which QuickBooks version produced it."""

    entity: str
    id: str
    sync_token: str


def sync_token(row: dict[str, Any]) -> str | None:
    """A QBO row's SyncToken (its version), as text."""
    token = row.get("SyncToken")
    return None if token is None else str(token)


@dataclass(frozen=True)
class SendResult:
    doc_type: str
    trading_partner_id: str
    business_key: str
    outcome: str  # sent | resent | unchanged | held | invalid | failed | unconfirmed | will retry
    path: str
    document_id: int | None = None
    version_id: int | None = None
    problems: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())
    adopted: bool = False  # an unconfirmed upload SPS turned out to hold: recorded, not sent again
    changes: tuple[LineChange, ...] = ()  # an updated 855: what changed against the one sent before
    content_hash: str = ""  # sha256 of the exact bytes uploaded (or, unchanged, sent before)
    built_from: QboVersion | None = None
    diff: VersionDiff | None = None  # new content of a document sent before: what changed since

    @property
    def failed(self) -> bool:
        return self.outcome in ("invalid", "failed", "held", "unconfirmed", RETRYING)


def purpose_code(document: OutboundDocument) -> str:
    """The document's own TsetPurposeCode (05 marks a replacement the partner expects)."""
    header = next(iter(document.data.get("Header", {}).values()), {})
    return str(header.get("TsetPurposeCode") or "00") if isinstance(header, dict) else "00"


def send_document(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    document: OutboundDocument,
    *,
    qbo_entity: str,
    qbo_id: str,
    qbo_sync_token: str | None = None,
    resend: bool = False,
) -> SendResult:
    """``qbo_sync_token``: the version of the QBO document it was built from, when it is one."""
    prepared = prepare_send(
        config,
        ledger,
        sps,
        document,
        qbo_entity=qbo_entity,
        qbo_id=qbo_id,
        qbo_sync_token=qbo_sync_token,
        resend=resend,
    )
    if isinstance(prepared, SendResult):
        return prepared
    return finish_send(config, ledger, sps, prepared, upload_prepared(sps, prepared))


@dataclass(frozen=True)
class PreparedUpload:
    """An upload whose intent is recorded: only the HTTP call is left, which may run on any thread
    (it touches no ledger); ``finish_send`` then records what came of it."""

    path: str
    content: bytes
    meta: dict[str, str]
    intent: IntentRecord
    file_name: str
    label: str
    base: dict[str, Any]
    changes: tuple[LineChange, ...] = ()  # an updated 855's, carried to its result


def prepare_send(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    document: OutboundDocument,
    *,
    qbo_entity: str,
    qbo_id: str,
    qbo_sync_token: str | None = None,
    resend: bool = False,
) -> SendResult | PreparedUpload:
    """Everything before the upload: the ledger's decision, and the intent begun. A SendResult when
    nothing is to be uploaded (unchanged, held, invalid, adopted, unconfirmed)."""
    prepared = _prepare(config, ledger, sps, document, qbo_entity, qbo_id, qbo_sync_token, resend)
    return with_diff(ledger, prepared) if isinstance(prepared, SendResult) else prepared


def with_diff(ledger: Ledger, result: SendResult) -> SendResult:
    """A held or (re-)sent version of a document sent before carries what changed since."""
    if result.outcome not in ("sent", "resent", "held") or not (result.document_id and result.version_id):
        return result
    try:
        diff = diff_against_sent(ledger, result.document_id, result.version_id)
    except ValueError:  # a stored version that is no RSX: the send stands, only the diff is missing
        return result
    return dataclasses.replace(result, diff=diff) if diff is not None else result


def _prepare(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    document: OutboundDocument,
    qbo_entity: str,
    qbo_id: str,
    qbo_sync_token: str | None,
    resend: bool,
) -> SendResult | PreparedUpload:
    if not document.validated:
        raise ValueError(f"{document.file_name}: validate the document before sending it")
    content = document.content()
    content_hash = hashlib.sha256(content).hexdigest()
    outcome = ledger.record_outbound(
        document.doc_type,
        document.trading_partner_id,
        document.business_key,
        content,
        tset_purpose_code=purpose_code(document),
        format=document.format,
        qbo_entity=qbo_entity,
        qbo_id=qbo_id,
        content_hash=content_hash,
    )
    path = upload_path(config, ledger, document, outcome.version_id)
    base = {
        "doc_type": document.doc_type,
        "trading_partner_id": document.trading_partner_id,
        "business_key": document.business_key,
        "path": path,
        "document_id": outcome.document_id,
        "version_id": outcome.version_id,
        "warnings": tuple(document.warnings),
        "content_hash": content_hash,
        "built_from": None if qbo_sync_token is None else QboVersion(qbo_entity, qbo_id, qbo_sync_token),
    }
    if document.problems:  # an invalid document is kept, never sent
        ledger.quarantine("; ".join(document.problems), version_id=outcome.version_id)
        return SendResult(outcome="invalid", problems=tuple(document.problems), **base)
    action, label = outcome.action, "sent"
    if action is Action.HOLD:
        if not resend:
            reason = (
                f"{document.file_name}: changed after it was sent; held for an operator (what "
                f"changed: qbsps diff {outcome.document_id}; replay with resend to send the new content)"
            )
            return SendResult(outcome="held", problems=(reason,), **base)
        outcome = ledger.accept_conflict(outcome.version_id, actor=ledger.context.actor)
        action, label = outcome.action, "resent"
    if action is not Action.SEND:
        return SendResult(outcome="unchanged", **base)
    try:
        intent = ledger.begin_intent(outcome.document_id, Action.SEND, version_id=outcome.version_id)
    except (OpenIntentError, EarlierIntentError) as unsettled:
        earlier = unsettled.intent
        assert earlier is not None  # begin_intent always names the open intent
        superseding = earlier.version_id != outcome.version_id
        earlier_path = upload_path(config, ledger, document, earlier.version_id)
        landing, why = _settle(config, ledger, sps, earlier_path, earlier)
        if landing is Landing.UNKNOWN:
            ledger.schedule_retry(outcome.document_id, why)  # asked again after the backoff
            return SendResult(outcome="unconfirmed", problems=(why,), **base)
        if landing is Landing.LANDED and superseding and not resend:
            # The content changed while its first upload was unconfirmed, and that upload did reach
            # SPS: the change came after it was sent, so it waits for an operator like any other.
            reason = (
                f"{document.file_name}: an earlier version reached SPS after all ({why}); this "
                "content changed after it was sent: held for an operator (replay with resend to send it)"
            )
            return SendResult(outcome="held", problems=(reason,), **base)
        if landing is Landing.LANDED and earlier.version_id == outcome.version_id:
            _adopt(ledger, outcome.document_id, outcome.version_id, earlier.id, why)
            return SendResult(outcome=label, adopted=True, **base)
        if landing is Landing.LANDED:  # an earlier version reached SPS; this one is sent after it
            ledger.complete_intent(earlier.id, IntentOutcome.RECONCILED, why)
        # An earlier version settled (landed or not), or this one never landed: send this version.
        intent = ledger.begin_intent(outcome.document_id, Action.SEND, version_id=outcome.version_id)
    meta = {"qbo-entity": qbo_entity, "qbo-id": qbo_id}
    return PreparedUpload(path, content, meta, intent, document.file_name, label, base)


def upload_prepared(sps: SpsClient, prepared: PreparedUpload) -> Exception | None:
    """The upload alone: what it raised, for ``finish_send`` (None: SPS took it)."""
    try:
        sps.upload(prepared.path, prepared.content, meta=prepared.meta)
    except (SpsError, *TRANSPORT_ERRORS) as exc:  # UploadUnconfirmedError is an SpsError
        return exc
    return None


def finish_send(
    config: QbspsConfig, ledger: Ledger, sps: SpsClient, prepared: PreparedUpload, error: Exception | None
) -> SendResult:
    """Record what came of the upload: synced, adopted after a lost answer, retried later, failed."""
    return with_diff(ledger, _finish(config, ledger, sps, prepared, error))


def _finish(
    config: QbspsConfig, ledger: Ledger, sps: SpsClient, prepared: PreparedUpload, error: Exception | None
) -> SendResult:
    base, path, intent = prepared.base, prepared.path, prepared.intent
    document_id, version_id = base["document_id"], base["version_id"]
    if isinstance(error, UploadUnconfirmedError):  # it may have landed: ask at once, else next pass
        landing, why = _settle(config, ledger, sps, path, intent)
        if landing is not Landing.LANDED:
            ledger.schedule_retry(document_id, f"{error}; {why}")
            return SendResult(outcome="unconfirmed", problems=(f"{error}; {why}",), **base)
        _adopt(ledger, document_id, version_id, intent.id, why)
        return SendResult(outcome=prepared.label, adopted=True, **base)
    if error is not None:  # refused (4xx, 429) or never sent: not landed
        ledger.complete_intent(intent.id, IntentOutcome.FAILED, str(error))
        if is_transient(error):  # a 429 after every retry, or no connection: try again later
            reason = f"{prepared.file_name}: SPS could not take the upload now: {error}"
            ledger.schedule_retry(document_id, reason)
            return SendResult(outcome=RETRYING, problems=(reason,), **base)
        ledger.mark_failed(document_id, f"{prepared.file_name}: upload to SPS failed: {error}")
        return SendResult(outcome="failed", problems=(str(error),), **base)
    ledger.mark_synced(document_id, version_id=version_id, intent_id=intent.id, intent_detail=path)
    return SendResult(outcome=prepared.label, **base)


def upload_path(config: QbspsConfig, ledger: Ledger, document: OutboundDocument, version_id: int) -> str:
    """Where this version of the document goes in SPS `in/`: its own path, the same on every retry."""
    name = revision_file_name(document.file_name, ledger.revision(version_id))
    return config.sps.folders.outbound + name


def _adopt(ledger: Ledger, document_id: int, version_id: int, intent_id: int, why: str) -> None:
    """SPS holds this version after all: synced, its intent reconciled, in one transaction."""
    ledger.mark_synced(
        document_id,
        version_id=version_id,
        intent_id=intent_id,
        intent_outcome=IntentOutcome.RECONCILED,
        intent_detail=why,
    )


def _settle(
    config: QbspsConfig, ledger: Ledger, sps: SpsClient, path: str, intent: IntentRecord
) -> tuple[Landing, str]:
    """Ask SPS whether the upload behind an open intent landed. Absent after the history lag: the
    intent fails here. Landed: the caller completes it (with the document synced, or held for an
    operator); unknown leaves it open."""
    content = ledger.version(intent.version_id).payload
    lag = timedelta(seconds=config.sps.history_lag_seconds)
    try:
        landing, why = find_landing(sps, path, content, sent_at=intent.started_at, lag=lag)
    except SpsError as exc:  # SPS cannot answer now: the upload stays unconfirmed
        return Landing.UNKNOWN, f"{path}: could not ask SPS whether the last upload landed: {exc}"
    if landing is Landing.ABSENT:
        ledger.complete_intent(intent.id, IntentOutcome.FAILED, why)
    return landing, why
