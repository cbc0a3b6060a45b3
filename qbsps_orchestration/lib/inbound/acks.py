"""Order acknowledgments (855) for partners that want them, once an order has landed in QBO.

The ack reflects the QBO document as it is now, and is dated the day qbsps received the order, so
rebuilding it gives the same content and the ledger never sends it twice. When it differs from the
855 sent before (the order was replaced, or a bookkeeper changed a quantity, a price, the expected
date or removed a line in QuickBooks), it goes out once more as a replacement (TsetPurposeCode 05),
with the per-line changes on the result.
"""

from __future__ import annotations

import dataclasses
import hashlib

from ..config import QbspsConfig
from ..documents.document import OutboundDocument
from ..documents.order_ack.ack_changes import LineChange, ack_changes
from ..documents.order_ack.ack_status import ack_line_status
from ..documents.order_ack.order_ack import build_order_ack
from ..documents.rules import validate
from ..documents.schemas import RsxSchemas
from ..ledger import Direction, Disposition, Ledger, VersionRecord
from ..outbound.send import PreparedUpload, SendResult, prepare_send, sync_token
from ..outbound.uploads import Recorded, UploadPipeline
from ..qbo import QboClient
from ..reference.profiles import with_profile
from ..rsx import read_rsx
from ..sps import SpsClient
from .results import DocumentResult

ORIGINAL, REPLACEMENT = "00", "05"


def acknowledge_files(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    qbo: QboClient,
    schemas: RsxSchemas,
    files: dict[str, list[DocumentResult]],
    *,
    resend: bool = False,
) -> dict[str, list[SendResult] | Exception]:
    """Per file: its acks, or what it raised. The acks are built, decided and their intents begun
    one after the other on this thread, which alone writes the ledger; only the uploads run on the
    UploadPipeline's threads, each as soon as its intent is committed, and what came of each is
    recorded here. An order met twice (its replacement in the same group) waits for its first 855 to be
    recorded, so its second never finds the first one's intent open."""
    sent: dict[str, list[SendResult | None]] = {name: [] for name in files}
    failures: dict[str, Exception] = {}

    def recorder(name: str, index: int, changes: tuple[LineChange, ...]) -> Recorded:
        def recorded(result: SendResult | Exception) -> None:
            if isinstance(result, Exception):  # its intent stays open: the next pass asks SPS first
                failures.setdefault(name, result)
            else:
                sent[name][index] = dataclasses.replace(result, changes=changes)

        return recorded

    with UploadPipeline(config, ledger, sps, name="sps-ack") as uploads:
        for name, results in files.items():
            try:
                for result in results:
                    if uploads.holds(result.document_id):
                        uploads.finish_all()
                    ack = _prepare(config, ledger, sps, qbo, schemas, result, resend)
                    if isinstance(ack, PreparedUpload):
                        sent[name].append(None)  # its place, filled once it is recorded
                        uploads.submit(
                            ack, recorder(name, len(sent[name]) - 1, ack.changes), key=result.document_id
                        )
                    elif ack is not None:
                        sent[name].append(ack)
            except Exception as exc:  # one file's ack must not stop the others
                failures[name] = exc
            uploads.finish_answered()
    return {name: failures.get(name) or [r for r in sent[name] if r is not None] for name in files}


def _prepare(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    qbo: QboClient,
    schemas: RsxSchemas,
    result: DocumentResult,
    resend: bool,
) -> SendResult | PreparedUpload | None:
    """Acks reflect the QBO document as it is now: a line whose quantity a bookkeeper changed is IQ,
    its price IP, the expected date DR, more than one IC, a line removed IR; otherwise IA."""
    if result.document_id is None or not result.qbo_id:
        return None  # not in QBO (conflict held, quarantined): nothing to acknowledge yet
    partner = with_profile(ledger, config.partner(result.trading_partner_id or ""))
    if not partner.send_order_acks:
        return None
    doc = ledger.document(result.document_id)
    payload = ledger.version(doc.current_version_id or result.version_id or 0).payload
    order = read_rsx(payload, source=result.source, doc_type="Order")[0].order
    assert order is not None
    in_qbo = result.qbo_row if result.sync_token == doc.qbo_sync_token else None
    if in_qbo is None:  # not written by this pass (a replay, a bookkeeper's change): as QBO has it now
        in_qbo = qbo.read(doc.qbo_entity or "PurchaseOrder", result.qbo_id)
    document = build_order_ack(
        order,
        partner=partner,
        config=config,
        line_status=ack_line_status(order, in_qbo),
        ack_date=doc.created_at.date(),
    )
    replaced = len([v for v in ledger.versions(doc.id) if v.disposition is Disposition.APPLIED]) > 1
    earlier = _earlier_acks(ledger, document)
    changes = tuple(_mark_purpose(document, earlier, replaced))
    validate(document, schemas=schemas, order=order)
    outcome = prepare_send(
        config,
        ledger,
        sps,
        document,
        qbo_entity=doc.qbo_entity or "PurchaseOrder",
        qbo_id=result.qbo_id,
        qbo_sync_token=sync_token(in_qbo),
        resend=resend,
    )
    return dataclasses.replace(outcome, changes=changes)


def _earlier_acks(ledger: Ledger, document: OutboundDocument) -> list[VersionRecord]:
    found = ledger.find_document(
        Direction.OUTBOUND, document.doc_type, document.trading_partner_id, document.business_key
    )
    return ledger.versions(found.id) if found is not None else []


def _mark_purpose(
    document: OutboundDocument, earlier: list[VersionRecord], replaced: bool
) -> list[LineChange]:
    """Set the ack's TsetPurposeCode; returns its line changes against the last 855 sent.

    The same content as the latest recorded version keeps that version's purpose (a rebuild, or a
    send a crash interrupted, resumes it). New content is a replacement (05) once an 855 reached
    SPS, or when the order itself was replaced; else the original (00)."""
    header = document.data["Header"]["OrderHeader"]
    applied = [v for v in earlier if v.disposition is Disposition.APPLIED]
    if earlier:
        latest = earlier[-1]
        header["TsetPurposeCode"] = latest.tset_purpose_code or ORIGINAL
        if hashlib.sha256(document.content()).hexdigest() == latest.content_hash:
            return _changes(applied[-1], document) if applied and applied[-1].id != latest.id else []
    header["TsetPurposeCode"] = REPLACEMENT if applied or replaced else ORIGINAL
    return _changes(applied[-1], document) if applied else []


def _changes(sent: VersionRecord, document: OutboundDocument) -> list[LineChange]:
    before = read_rsx(sent.payload, source=f"ledger version {sent.id}", doc_type="OrderAck")[0].data
    return ack_changes(before, document.data)
