"""Order acknowledgments (855) for partners that want them, once an order has landed in QBO.

The ack is dated the day qbsps received the order, so rebuilding it gives the same content and the
ledger never sends it twice.
"""

from __future__ import annotations

from ..config import QbspsConfig
from ..ledger import Disposition, Ledger
from ..outbound.ack_status import ack_line_status
from ..outbound.order_ack import build_order_ack
from ..outbound.rules import validate
from ..outbound.schemas import RsxSchemas
from ..outbound.send import SendResult, send_document
from ..qbo import QboClient
from ..reference.profiles import with_profile
from ..rsx import read_rsx
from ..sps import SpsClient
from .results import DocumentResult


def acknowledge(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    qbo: QboClient,
    schemas: RsxSchemas,
    results: list[DocumentResult],
    *,
    resend: bool = False,
) -> list[SendResult]:
    """Acks reflect the QBO document as it is now: a line whose quantity a bookkeeper changed is IQ,
    a line removed is IR; otherwise every line is accepted."""
    sent = []
    for result in results:
        if result.document_id is None or not result.qbo_id:
            continue  # not in QBO (conflict held, quarantined): nothing to acknowledge yet
        partner = with_profile(ledger, config.partner(result.trading_partner_id or ""))
        if not partner.send_order_acks:
            continue
        doc = ledger.document(result.document_id)
        payload = ledger.version(doc.current_version_id or result.version_id or 0).payload
        order = read_rsx(payload, source=result.source, doc_type="Order")[0].order
        assert order is not None
        in_qbo = qbo.read(doc.qbo_entity or "PurchaseOrder", result.qbo_id)
        document = build_order_ack(
            order,
            partner=partner,
            config=config,
            line_status=ack_line_status(order, in_qbo),
            ack_date=doc.created_at.date(),
        )
        if len([v for v in ledger.versions(doc.id) if v.disposition is Disposition.APPLIED]) > 1:
            # The order was replaced after it landed: acknowledge the new version as a replacement.
            document.data["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
        validate(document, schemas=schemas, order=order)
        sent.append(
            send_document(
                config,
                ledger,
                sps,
                document,
                qbo_entity=doc.qbo_entity or "PurchaseOrder",
                qbo_id=result.qbo_id,
                resend=resend,
            )
        )
    return sent
