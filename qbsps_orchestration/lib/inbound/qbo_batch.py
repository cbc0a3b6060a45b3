"""New orders' QBO creates sent several to a ``/batch`` call (up to 30 items, qbo.md §5.2).

A batch is only a transport for documents whose intents are already recorded, one intent per
document exactly as for a single create; each item's answer completes its own intent. The call's
``requestid`` is derived from those intents, so a retry after a lost answer gets QBO's first answer
replayed instead of a second write. What can still go wrong, and what follows:

- the answer is lost for good (retries exhausted, or the run dies before the ledger write): every
  intent stays open, and the next pass looks each document up by DocNumber and marker before it
  creates anything (sync.OrderSync._claim), so nothing is created twice;
- one item's Fault fails only that document (a 6140 goes the single create's way: the next
  DocNumber candidate, or adopting our own document that holds it);
- QBO refuses the whole call (a 4xx): nothing of it landed, so each document is sent on its own.

Updates and closes of existing orders stay single calls: each reads the document's SyncToken
first, and they are rare beside new orders. So does a leftover intent's create (after its lookup).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from ..http import TRANSPORT_ERRORS
from ..mapping.doc_number import doc_number_candidates
from ..qbo import QboError
from ..qbo.errors import DUPLICATE_DOC_NUMBER, fault_errors
from ..transient import is_transient
from .results import DocumentResult
from .sync import Claim, OrderSync, PendingWrite

log = logging.getLogger(__name__)

MAX_ITEMS = 30
REQUEST_ID_LENGTH = 36  # QBO's limit for a batch's requestid (each bId then at most 10 characters)
Create = Callable[[], dict[str, Any]]


def batch_request_id(claims: list[Claim]) -> str:
    """The same intents give the same requestid, in any order."""
    digest = hashlib.sha256("\n".join(sorted(c.requestid for c in claims)).encode()).hexdigest()
    return "b" + digest[: REQUEST_ID_LENGTH - 1]


def create_in_batches(sync: OrderSync, creates: list[tuple[PendingWrite, Claim]]) -> list[DocumentResult]:
    """The results of ``creates``, in their order, sent up to MAX_ITEMS to a call."""
    results: list[DocumentResult] = []
    for start in range(0, len(creates), MAX_ITEMS):
        results += _one_batch(sync, creates[start : start + MAX_ITEMS])
    return results


def _one_batch(sync: OrderSync, chunk: list[tuple[PendingWrite, Claim]]) -> list[DocumentResult]:
    if len(chunk) == 1:  # a batch of one costs the same call as the create itself
        return [sync.complete(*chunk[0])]
    items = [
        {
            "bId": str(n),
            "operation": "create",
            p.mapped.entity: {**p.mapped.payload, "DocNumber": _doc_number(c)},
        }
        for n, (p, c) in enumerate(chunk)
    ]
    try:
        answers = sync.qbo.batch(items, request_id=batch_request_id([c for _, c in chunk]))
    except (QboError, *TRANSPORT_ERRORS) as exc:
        if is_transient(exc):  # may have landed: each intent stays open for the lookup first
            return [sync.complete(p, c, _raising(exc)) for p, c in chunk]
        log.warning("QBO refused a batch of %d creates (%s); sending them one at a time", len(chunk), exc)
        return [sync.complete(p, c) for p, c in chunk]
    by_bid = {str(a.get("bId")): a for a in answers if isinstance(a, dict)}
    return [sync.complete(p, c, _answered(p, by_bid.get(str(n)))) for n, (p, c) in enumerate(chunk)]


def _doc_number(claim: Claim) -> str:
    """The first candidate, as a single create tries first."""
    return doc_number_candidates(claim.doc.trading_partner_id, claim.doc.business_key)[0]


def _answered(pending: PendingWrite, answer: dict | None) -> Create | None:
    """This item's answer as a create; None sends the document the single create's way."""
    entity, po = pending.mapped.entity, pending.doc.business_key
    operation = f"batch create of order {po}"
    if answer is None:  # QBO answered the call but not this item: it may have landed
        missing = QboError(0, [], operation=f"{operation} (no answer for this item)")
        return _raising(missing)
    if isinstance(answer.get(entity), dict):
        row = answer[entity]
        return lambda: row
    fault_type, errors = fault_errors(answer.get("Fault") or {})
    if {e.code.lstrip("0") for e in errors} & DUPLICATE_DOC_NUMBER:
        return None  # the DocNumber is taken: perhaps by this very order; the single path finds out
    status = 500 if fault_type == "SystemFault" else 400
    return _raising(QboError(status, errors, fault_type=fault_type, operation=operation))


def _raising(exc: BaseException) -> Create:
    def create() -> dict[str, Any]:
        raise exc

    return create
