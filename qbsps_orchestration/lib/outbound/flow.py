"""One QBO Invoice → its 810 and, once shipping data exists, its 856, checked and sent once.

The invoice's Customer names the trading partner (no mapping is an error, never a guess); its
PONumber finds the retailer's original order in the ledger. Ship-notice carton serials are kept:
a rebuilt ship notice reuses the SSCCs it already had, so unchanged content stays unchanged and a
serial is never drawn twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from ..config import QbspsConfig, TradingPartner
from ..documents.document import OutboundDocument
from ..documents.invoice.invoice import build_invoice
from ..documents.rules import validate
from ..documents.schemas import RsxSchemas
from ..documents.shipment.ship_constraints import constraints_file_near
from ..documents.shipment.ship_notice import build_ship_notice, has_shipping_data, shipment_identification
from ..documents.shipment.shipment_rules import check_shipment
from ..ledger import Direction, Ledger
from ..qbo import QboClient, QboError
from ..qbo.query import select_in
from ..qbo.refs import QboRefResolver
from ..reference.profiles import load_profile, with_profile
from ..rsx import Order, element_values, read_rsx
from ..sps import SpsClient
from .send import SendResult, send_document, sync_token

READ_CHUNK = 100  # invoices per QBO query: QBO's default page, so no STARTPOSITION is needed


class OutboundError(Exception):
    """The invoice cannot be turned into documents at all (unmapped customer, missing order…)."""


@dataclass
class InvoiceOutcome:
    key: str  # the partition key
    qbo_id: str
    trading_partner_id: str | None = None
    invoice: SendResult | None = None
    ship_notice: SendResult | None = None
    note: str | None = None  # e.g. "no shipping data yet", "deleted in QBO"
    errors: list[str] = field(default_factory=list)
    retry: bool = False  # failed for a passing reason (an outage, a bug): ask again, no person needed
    # When the invoice was asked of QBO: changes received later are not answered by this outcome.
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def processed(self) -> bool:
        """Done with, as far as its QBO change goes: sent, unchanged, nothing to send, or parked
        for a person with its reason (held, invalid, unmappable). Not a transient failure or an
        upload SPS has not confirmed yet: their change stays pending, so the next pass asks again."""
        unsettled = ("failed", "unconfirmed")
        results = (self.invoice, self.ship_notice)
        return not self.retry and not any(r is not None and r.outcome in unsettled for r in results)


def invoice_key(qbo_id: str) -> str:
    return f"invoice-{qbo_id}"


def qbo_id_of(key: str) -> str:
    if not key.startswith("invoice-"):
        raise ValueError(f"{key!r} is not an invoice partition key (invoice-<QBO Id>)")
    return key.removeprefix("invoice-")


@dataclass
class OutboundContext:
    config: QbspsConfig
    ledger: Ledger
    qbo: QboClient
    sps: SpsClient | None  # None: build and check only (preview)
    schemas: RsxSchemas

    def __post_init__(self) -> None:
        self.resolve = QboRefResolver(self.qbo, self.ledger)


def partner_for_invoice(ctx: OutboundContext, invoice: dict[str, Any]) -> TradingPartner:
    """The trading partner whose QBO Customer the invoice is for: by the partner profile's pinned
    Customer id (a rename in QBO changes nothing), else by the configured reference."""
    customer = str((invoice.get("CustomerRef") or {}).get("value"))
    for partner in ctx.config.trading_partners:
        profile = load_profile(ctx.ledger, partner.trading_partner_id)
        pinned = profile.customer_id if profile and profile.customer_id else None
        if (pinned or ctx.resolve("Customer", partner.qbo_customer)) == customer:
            return with_profile(ctx.ledger, partner)
    name = (invoice.get("CustomerRef") or {}).get("name") or "?"
    raise OutboundError(
        f"QBO Invoice {invoice.get('DocNumber') or invoice.get('Id')}: CustomerRef: customer {name} "
        f"({customer}) is no trading partner's qbo_customer; map it under trading_partners in the config"
    )


def original_order(ctx: OutboundContext, partner: TradingPartner, invoice: dict[str, Any]) -> Order | None:
    po_number = str(invoice.get("PONumber") or "").strip()
    if not po_number:
        return None
    doc = ctx.ledger.find_document(Direction.INBOUND, "Order", partner.trading_partner_id, po_number)
    if doc is None or doc.current_version_id is None:
        return None
    payload = ctx.ledger.version(doc.current_version_id).payload
    return read_rsx(payload, source=f"order {partner.trading_partner_id}/{po_number}", doc_type="Order")[
        0
    ].order


def invoice_document(
    ctx: OutboundContext, invoice: dict, partner: TradingPartner, order: Order | None
) -> OutboundDocument:
    document = build_invoice(invoice, partner=partner, config=ctx.config, order=order)
    return validate(document, schemas=ctx.schemas, order=order)


def ship_notice_document(
    ctx: OutboundContext, invoice: dict, partner: TradingPartner, order: Order | None
) -> OutboundDocument:
    if order is None:
        raise OutboundError(
            f"QBO Invoice {invoice.get('DocNumber') or invoice.get('Id')}: PONumber: a ship notice needs the "
            f"retailer's original order, and none from {partner.trading_partner_id} has PO number "
            f"{invoice.get('PONumber')!r}"
        )
    serials = _serials(ctx, partner, shipment_identification(invoice))
    document = build_ship_notice(
        invoice, partner=partner, config=ctx.config, order=order, next_serial=serials
    )
    validate(document, schemas=ctx.schemas, order=order)
    constraints = constraints_file_near(ctx.schemas.folder)
    extra = [
        p
        for p in check_shipment(document, order=order, constraints_file=constraints)
        if p not in document.problems
    ]
    document.problems = [*document.problems, *extra]
    return document


Slot = Literal["invoice", "ship_notice"]  # the InvoiceOutcome field a document's result goes in


def planned_documents(
    ctx: OutboundContext,
    outcome: InvoiceOutcome,
    invoice: dict[str, Any],
    *,
    invoices: bool,
    ship_notices: bool,
) -> Iterator[tuple[Slot, OutboundDocument]]:
    """The invoice's documents, each built and checked only when the one before it was taken (its
    810 goes out even when its 856 cannot be built). Names the partner and notes what is not built."""
    partner = partner_for_invoice(ctx, invoice)
    outcome.trading_partner_id = partner.trading_partner_id
    order = original_order(ctx, partner, invoice)
    if invoices:
        yield "invoice", invoice_document(ctx, invoice, partner, order)
    if ship_notices:
        if not has_shipping_data(invoice):
            outcome.note = "no shipping data yet (ShipDate with TrackingNum or ShipMethodRef)"
        else:
            yield "ship_notice", ship_notice_document(ctx, invoice, partner, order)


def read_invoices(qbo: QboClient, qbo_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Up to READ_CHUNK invoices by Id in one metered read (a query answers each row as a read of it
    would). An Id the query does not answer is read on its own before it counts as deleted: a query
    is no promise that an invoice created a moment ago is already visible to it. Absent: deleted in
    QBO, or never there."""
    if len(qbo_ids) > READ_CHUNK:
        raise ValueError(f"read at most {READ_CHUNK} invoices at once, not {len(qbo_ids)}")
    statement = f"{select_in('Invoice', 'Id', qbo_ids)} MAXRESULTS {READ_CHUNK}"
    rows = {str(row["Id"]): row for row in qbo.query(statement).get("Invoice", [])}
    for qbo_id in qbo_ids:
        if qbo_id not in rows and (alone := read_invoice(qbo, qbo_id)) is not None:
            rows[qbo_id] = alone
    return rows


def read_invoice(qbo: QboClient, qbo_id: str) -> dict[str, Any] | None:
    """The invoice as QBO has it now; None when it is deleted (or never existed)."""
    try:
        return qbo.read("Invoice", qbo_id)
    except QboError as exc:
        if exc.code == "610":
            return None
        raise


DELETED = "deleted in QBO: nothing to send"


def process_invoice(
    ctx: OutboundContext, key: str, *, invoices: bool = True, ship_notices: bool = True, resend: bool = False
) -> InvoiceOutcome:
    """One invoice, read and sent on this thread (replays, tests); batches use batch.process_invoices."""
    qbo_id = qbo_id_of(key)
    outcome = InvoiceOutcome(key, qbo_id)
    invoice = read_invoice(ctx.qbo, qbo_id)
    if invoice is None:
        outcome.note = DELETED
        return outcome
    assert ctx.sps is not None, "process_invoice sends; use the *_document functions to preview"
    version = sync_token(invoice)  # the QBO version both documents are built from
    for slot, document in planned_documents(
        ctx, outcome, invoice, invoices=invoices, ship_notices=ship_notices
    ):
        sent = send_document(
            ctx.config,
            ctx.ledger,
            ctx.sps,
            document,
            qbo_entity="Invoice",
            qbo_id=qbo_id,
            qbo_sync_token=version,
            resend=resend,
        )
        setattr(outcome, slot, sent)
    return outcome


def mark_processed_changes(
    ledger: Ledger,
    outcomes: Iterable[InvoiceOutcome],
    received_before: datetime,
    *,
    invoices: bool = True,
    ship_notices: bool = True,
) -> int:
    """Mark handled the inbox changes of the invoices this run processed (changes received before
    `received_before`, when it started reading them); the rest stay pending. A run that built only
    one of the two documents leaves them pending: the other one is still owed."""
    if not (invoices and ship_notices):
        return 0
    done = [outcome.qbo_id for outcome in outcomes if outcome.processed]
    return ledger.mark_entity_changes_handled("Invoice", done, received_before)


def _serials(ctx: OutboundContext, partner: TradingPartner, shipment_id: str) -> Callable[[], int]:
    """Serials this shipment already carries first (rebuilds keep their SSCCs), then new ones."""
    prefix = partner.gs1_company_prefix or ""
    reused = iter(_stored_serials(ctx.ledger, partner.trading_partner_id, shipment_id, prefix))

    def next_serial() -> int:
        for serial in reused:
            return serial
        return ctx.ledger.next_value(f"sscc:{prefix}")

    return next_serial


def _stored_serials(ledger: Ledger, trading_partner_id: str, shipment_id: str, prefix: str) -> list[int]:
    doc = ledger.find_document(Direction.OUTBOUND, "Shipment", trading_partner_id, shipment_id)
    if doc is None or doc.current_version_id is None or not prefix:
        return []
    version = ledger.version(doc.current_version_id)
    data = read_rsx(version.payload, source=shipment_id, doc_type="Shipment")[0].data
    serials = []
    for value in element_values(data, "ShippingSerialID"):
        sscc = str(value)[-18:]  # "00" application identifier + SSCC-18
        if sscc[1 : 1 + len(prefix)] == prefix:
            serials.append(int(sscc[1 + len(prefix) : 17]))
    return serials


def describe(document: OutboundDocument) -> str:
    """The exact bytes that would be uploaded, and the verdict (for `qbsps preview`)."""
    verdict = "valid: would be uploaded" if document.ready else "INVALID: would not be sent"
    lines = [f"{document.file_name} ({document.doc_type} for {document.trading_partner_id}): {verdict}"]
    lines += [f"  problem: {p}" for p in document.problems]
    lines += [f"  warning: {w}" for w in document.warnings]
    lines += ["", document.content().decode("utf-8")]
    return "\n".join(lines)
