"""One pass over a batch of mailbox files: fetch, then sync, each file on its own.

A file that fails (bad input, a QBO refusal, an SPS outage) is reported and the rest proceed:
one document never stops the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..config import QbspsConfig
from ..documents.schemas import RsxSchemas
from ..ledger import Ledger
from ..outbound.send import SendResult
from ..qbo import QboClient
from ..sps import SpsClient
from .acks import acknowledge
from .fetch import fetch_order_file
from .results import DocumentResult, InboundDocumentError
from .sync import sync_order_file

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    name: str
    fetched: list[DocumentResult] = field(default_factory=list)
    synced: list[DocumentResult] = field(default_factory=list)
    acks: list[SendResult] = field(default_factory=list)
    fetch_error: str | None = None
    sync_error: str | None = None
    ack_error: str | None = None

    @property
    def fetch_ok(self) -> bool:
        return self.fetch_error is None

    @property
    def sync_ok(self) -> bool:
        return self.fetch_error is None and self.sync_error is None

    @property
    def acks_ok(self) -> bool:
        return self.sync_ok and self.ack_error is None

    @property
    def error(self) -> str | None:
        return self.fetch_error or self.sync_error or self.ack_error


def process_files(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient | None,
    qbo: QboClient | None,
    names: Iterable[str],
    *,
    fetch: bool = True,
    sync: bool = True,
    acknowledge_with: RsxSchemas | None = None,
    resend: bool = False,
) -> list[FileOutcome]:
    """``acknowledge_with``: send order acks (855) for landed orders, checked against these schemas."""
    outcomes = []
    for name in names:
        outcome = FileOutcome(name)
        outcomes.append(outcome)
        if fetch:
            assert sps is not None
            outcome.fetched, outcome.fetch_error = _step(
                lambda n=name: fetch_order_file(config, ledger, sps, n), name
            )
            # A file whose every document failed stops here; good siblings of a bad one go on.
            if outcome.fetch_error and not any(not r.failed for r in outcome.fetched):
                continue
        if sync:
            assert qbo is not None
            outcome.synced, outcome.sync_error = _step(
                lambda n=name: sync_order_file(config, ledger, qbo, n), name
            )
        if acknowledge_with is not None and outcome.sync_ok:
            assert sps is not None
            outcome.acks, outcome.ack_error = _acks(
                config, ledger, sps, qbo, acknowledge_with, outcome, resend
            )
    return outcomes


def _acks(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    qbo: QboClient | None,
    schemas: RsxSchemas,
    outcome: FileOutcome,
    resend: bool,
) -> tuple[list[SendResult], str | None]:
    synced = outcome.synced or [
        DocumentResult(outcome.name, "up to date", document_id=d, version_id=v, **_landed(ledger, d))
        for d, v in ledger.file_documents(config.sps.folders.orders + outcome.name)
    ]
    try:
        assert qbo is not None
        sent = acknowledge(config, ledger, sps, qbo, schemas, synced, resend=resend)
    except Exception as exc:  # one file's ack must not stop the others
        log.exception("order ack for %s failed", outcome.name)
        return [], f"{outcome.name}: order acknowledgment: {type(exc).__name__}: {exc}"
    problems = [p for result in sent if result.failed for p in result.problems]
    return sent, "; ".join(problems) or None


def _landed(ledger: Ledger, document_id: int) -> dict[str, str | None]:
    doc = ledger.document(document_id)
    return {"trading_partner_id": doc.trading_partner_id, "po_number": doc.business_key, "qbo_id": doc.qbo_id}


def _step(work: Callable[[], list[DocumentResult]], name: str) -> tuple[list[DocumentResult], str | None]:
    try:
        return work(), None
    except InboundDocumentError as exc:
        return exc.results, str(exc)
    except Exception as exc:  # an outage or a bug on one file must not stop the others
        log.exception("inbound file %s failed", name)
        message = str(exc) if name in str(exc) else f"{name}: {type(exc).__name__}: {exc}"
        return [], message
