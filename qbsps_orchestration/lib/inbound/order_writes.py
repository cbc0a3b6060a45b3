"""Step 2 for a group of mailbox files: every document written to QBO, new orders' creates in
``/batch`` calls (qbo_batch), every other write one call of its own (sync.OrderSync)."""

from __future__ import annotations

from ..config import QbspsConfig
from ..ledger import Action, Ledger
from ..qbo import QboClient
from .qbo_batch import create_in_batches
from .results import DocumentResult, InboundDocumentError, outcome_of
from .sync import RETRYING, Claim, OrderSync, PendingWrite


def sync_order_file(config: QbspsConfig, ledger: Ledger, qbo: QboClient, name: str) -> list[DocumentResult]:
    """Write every document of mailbox file ``name`` to QBO; raises if any of them failed."""
    return outcome_of(sync_order_files(config, ledger, qbo, [name]), name)


def sync_order_files(
    config: QbspsConfig, ledger: Ledger, qbo: QboClient, names: list[str]
) -> dict[str, list[DocumentResult] | Exception]:
    """Every document of these files written to QBO: new orders' creates in batches (qbo_batch),
    other writes one call each. Per file: its results, or what it raised (an InboundDocumentError
    with the results when a document failed); one file's failure never stops the others."""
    sync = OrderSync(config, ledger, qbo)
    outcomes: dict[str, list[DocumentResult] | Exception] = {}
    for wave in _waves(ledger, config.sps.folders.orders, names, outcomes):
        _sync_wave(sync, wave, outcomes)
    return {name: outcomes[name] for name in names}


def _waves(
    ledger: Ledger, folder: str, names: list[str], outcomes: dict[str, list[DocumentResult] | Exception]
) -> list[list[tuple[str, list[tuple[int, int]]]]]:
    """Consecutive files, split where a document comes again (e.g. an order and its replacement):
    its second file is written after the first one's write, as one file after the other."""
    waves: list[list[tuple[str, list[tuple[int, int]]]]] = [[]]
    seen: set[int] = set()
    for name in names:
        known = ledger.file_documents(folder + name)
        if not known:
            outcomes[name] = InboundDocumentError(
                f"{name}: never fetched from SPS (materialize sps_purchase_orders first)", []
            )
            continue
        ids = {document_id for document_id, _ in known}
        if ids & seen:
            waves.append([])
            seen = set()
        seen |= ids
        waves[-1].append((name, known))
    return [wave for wave in waves if wave]


def _sync_wave(
    sync: OrderSync,
    wave: list[tuple[str, list[tuple[int, int]]]],
    outcomes: dict[str, list[DocumentResult] | Exception],
) -> None:
    """Prepare and claim every document in file order; fresh creates wait for the batch (a slot
    holds their place by index), every other write is sent at once, one call each."""
    slots: dict[str, list[DocumentResult | int]] = {}
    creates: list[tuple[PendingWrite, Claim]] = []
    for name, known in wave:
        try:
            slots[name] = [_claimed(sync, sync.prepare(name, d, v), creates) for d, v in known]
        except Exception as exc:  # an outage or a bug on one file must not stop the others
            outcomes[name] = exc
    try:
        written = create_in_batches(sync, creates)
    except Exception as exc:  # e.g. the ledger went away: every file waiting on the batch failed
        for name in [n for n, held in slots.items() if any(isinstance(s, int) for s in held)]:
            outcomes[name], _ = exc, slots.pop(name)
        written = []
    for name, held in slots.items():
        results = [written[s] if isinstance(s, int) else s for s in held]
        problems = [r.reason or f"{name}: {r.outcome}" for r in results if r.failed or r.outcome == RETRYING]
        outcomes[name] = InboundDocumentError("; ".join(problems), results) if problems else results


def _claimed(
    sync: OrderSync, prepared: DocumentResult | PendingWrite, creates: list[tuple[PendingWrite, Claim]]
) -> DocumentResult | int:
    if isinstance(prepared, DocumentResult):
        return prepared
    claim = sync.claim(prepared)
    if isinstance(claim, DocumentResult):
        return claim
    if claim.fresh and claim.action is Action.CREATE:  # nothing of it in QBO yet: it may go in a batch
        creates.append((prepared, claim))
        return len(creates) - 1
    return sync.complete(prepared, claim)  # an update, a close, or a crash's create not found in QBO
