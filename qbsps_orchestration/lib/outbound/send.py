"""Sending one checked outbound document to SPS `in/`, exactly once.

The ledger decides (trading partner, document number) + content hash: unchanged content is never
sent again; content that changed after it was sent is held as a conflict for an operator, unless
the operator asked for an explicit resend. An intent is recorded before the upload; the file name
is deterministic, so an upload repeated after a crash overwrites itself rather than sending twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..config import QbspsConfig
from ..ledger import Action, IntentOutcome, Ledger, OpenIntentError
from ..sps import SpsClient, SpsError
from .document import OutboundDocument


@dataclass(frozen=True)
class SendResult:
    doc_type: str
    trading_partner_id: str
    business_key: str
    outcome: str  # sent | resent | unchanged | held | invalid | failed
    path: str
    document_id: int | None = None
    version_id: int | None = None
    problems: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return self.outcome in ("invalid", "failed", "held")


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
    resend: bool = False,
) -> SendResult:
    if not document.validated:
        raise ValueError(f"{document.file_name}: validate the document before sending it")
    path = config.sps.folders.outbound + document.file_name
    content = document.content()
    outcome = ledger.record_outbound(
        document.doc_type,
        document.trading_partner_id,
        document.business_key,
        content,
        tset_purpose_code=purpose_code(document),
        format=document.format,
        qbo_entity=qbo_entity,
        qbo_id=qbo_id,
        content_hash=hashlib.sha256(content).hexdigest(),
    )
    base = {
        "doc_type": document.doc_type,
        "trading_partner_id": document.trading_partner_id,
        "business_key": document.business_key,
        "path": path,
        "document_id": outcome.document_id,
        "version_id": outcome.version_id,
        "warnings": tuple(document.warnings),
    }
    if document.problems:  # an invalid document is kept, never sent
        ledger.quarantine("; ".join(document.problems), version_id=outcome.version_id)
        return SendResult(outcome="invalid", problems=tuple(document.problems), **base)
    action, label = outcome.action, "sent"
    if action is Action.HOLD:
        if not resend:
            reason = (
                f"{document.file_name}: changed after it was sent; held for an operator "
                "(replay with resend to send the new content)"
            )
            return SendResult(outcome="held", problems=(reason,), **base)
        outcome = ledger.accept_conflict(outcome.version_id, actor=ledger.context.actor)
        action, label = outcome.action, "resent"
    if action is not Action.SEND:
        return SendResult(outcome="unchanged", **base)
    try:
        intent_id = ledger.begin_intent(outcome.document_id, Action.SEND, version_id=outcome.version_id).id
    except OpenIntentError as open_intent:  # the last upload was never confirmed: repeat it
        intent_id = open_intent.intent_id
    try:
        sps.upload(path, content, meta={"qbo-entity": qbo_entity, "qbo-id": qbo_id})
    except SpsError as exc:
        ledger.complete_intent(intent_id, IntentOutcome.FAILED, str(exc))
        ledger.mark_failed(outcome.document_id, f"{document.file_name}: upload to SPS failed: {exc}")
        return SendResult(outcome="failed", problems=(str(exc),), **base)
    ledger.complete_intent(intent_id, IntentOutcome.SUCCEEDED, path)
    ledger.mark_synced(outcome.document_id, version_id=outcome.version_id)
    return SendResult(outcome=label, **base)
