"""One pass over a batch of QBO invoices (partitions): each invoice on its own, so one bad
invoice never stops the others.

Invoices are read READ_CHUNK at a time in one QBO query (one metered read, not one per invoice);
their documents are built, decided and their intents begun on this thread, and uploaded by the
UploadPipeline while the next invoice is built. Outcomes come back in the order of the keys, each
as soon as its uploads are recorded.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..documents.document import OutboundDocument
from .flow import (
    DELETED,
    READ_CHUNK,
    InvoiceOutcome,
    OutboundContext,
    OutboundError,
    Slot,
    planned_documents,
    qbo_id_of,
    read_invoices,
)
from .send import PreparedUpload, SendResult, prepare_send, sync_token
from .uploads import Recorded, UploadPipeline

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    outcome: InvoiceOutcome
    unrecorded: int = 0  # its uploads in flight


class _Waiting:
    """Outcomes in key order; the leading ones whose uploads are all recorded are ready."""

    def __init__(self) -> None:
        self._queue: deque[_Entry] = deque()

    def add(self, outcome: InvoiceOutcome) -> _Entry:
        self._queue.append(entry := _Entry(outcome))
        return entry

    def ready(self) -> Iterator[InvoiceOutcome]:
        while self._queue and self._queue[0].unrecorded == 0:
            yield _settled(self._queue.popleft().outcome)


def process_invoices(
    ctx: OutboundContext, keys: Iterable[str], *, invoices: bool, ship_notices: bool, resend: bool = False
) -> Iterator[InvoiceOutcome]:
    """Each key's outcome, in order; an outcome's ``read_at`` is when its invoice was asked of QBO
    (changes received after that are not answered by it)."""
    assert ctx.sps is not None, "process_invoices sends; use the flow's *_document functions to preview"
    ordered = list(dict.fromkeys(keys))
    waiting = _Waiting()
    with UploadPipeline(ctx.config, ctx.ledger, ctx.sps, name="sps-outbound") as uploads:
        for start in range(0, len(ordered), READ_CHUNK):
            chunk = ordered[start : start + READ_CHUNK]
            read_at = datetime.now(UTC)
            try:
                rows: dict[str, dict[str, Any]] | Exception = read_invoices(
                    ctx.qbo, [qbo_id_of(k) for k in chunk]
                )
            except Exception as exc:  # an outage: every invoice of the chunk is asked again later
                rows = exc
            for key in chunk:
                outcome = InvoiceOutcome(key, qbo_id_of(key), read_at=read_at)
                entry = waiting.add(outcome)
                if isinstance(rows, Exception):
                    _failed(outcome, rows)
                elif outcome.qbo_id not in rows:
                    outcome.note = DELETED
                else:
                    _send_all(ctx, uploads, entry, rows[outcome.qbo_id], invoices, ship_notices, resend)
                uploads.finish_answered()
                yield from waiting.ready()
        uploads.finish_all()
        yield from waiting.ready()


def _send_all(
    ctx: OutboundContext,
    uploads: UploadPipeline,
    entry: _Entry,
    invoice: dict[str, Any],
    invoices: bool,
    ship_notices: bool,
    resend: bool,
) -> None:
    assert ctx.sps is not None
    outcome = entry.outcome
    try:
        for slot, document in planned_documents(
            ctx, outcome, invoice, invoices=invoices, ship_notices=ship_notices
        ):
            if uploads.holds(_identity(document)):  # the same document twice (a shared DocNumber)
                uploads.finish_all()
            prepared = prepare_send(
                ctx.config,
                ctx.ledger,
                ctx.sps,
                document,
                qbo_entity="Invoice",
                qbo_id=outcome.qbo_id,
                qbo_sync_token=sync_token(invoice),
                resend=resend,
            )
            if isinstance(prepared, PreparedUpload):
                entry.unrecorded += 1
                uploads.submit(prepared, _recorder(entry, slot), key=_identity(document))
            else:
                setattr(outcome, slot, prepared)
    except Exception as exc:  # its uploads already begun are still recorded
        _failed(outcome, exc)


def _recorder(entry: _Entry, slot: Slot) -> Recorded:
    def recorded(result: SendResult | Exception) -> None:
        entry.unrecorded -= 1
        if isinstance(result, Exception):  # its intent stays open: the next pass asks SPS first
            _failed(entry.outcome, result)
        else:
            setattr(entry.outcome, slot, result)

    return recorded


def _identity(document: OutboundDocument) -> tuple[str, str, str]:
    return document.doc_type, document.trading_partner_id, document.business_key


def _failed(outcome: InvoiceOutcome, exc: Exception) -> None:
    if isinstance(exc, OutboundError):
        outcome.errors.append(str(exc))
        return
    log.error("outbound %s failed", outcome.key, exc_info=exc)  # an outage or a bug on one invoice
    outcome.errors.append(f"{outcome.key}: {type(exc).__name__}: {exc}")
    outcome.retry = True


def _settled(outcome: InvoiceOutcome) -> InvoiceOutcome:
    for result in (outcome.invoice, outcome.ship_notice):
        if result is not None and result.failed:
            outcome.errors += list(result.problems) or [f"{outcome.key}: {result.doc_type} {result.outcome}"]
    return outcome
