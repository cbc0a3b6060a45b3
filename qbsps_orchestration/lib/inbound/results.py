"""What happened to each document of a mailbox file, for metadata, the CLI table and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class DocumentResult:
    source: str  # the mailbox file name (the partition key)
    outcome: str  # stored | duplicate | created | updated | closed | up to date | conflict held | ...
    trading_partner_id: str | None = None
    po_number: str | None = None
    document_id: int | None = None
    version_id: int | None = None
    content_hash: str | None = None  # the ledger's hash of the order's content (its version)
    qbo_entity: str | None = None
    qbo_id: str | None = None
    sync_token: str | None = None
    doc_number: str | None = None
    line_count: int | None = None
    total: Decimal | None = None
    warnings: tuple[str, ...] = field(default=())
    reason: str | None = None
    # The QBO document as this sync's write answered it (its SyncToken is `sync_token`): the 855
    # is built from it without reading it back. None when this pass wrote nothing.
    qbo_row: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        return self.outcome in ("quarantined", "failed")


class InboundDocumentError(Exception):
    """A document of this file failed; the message names the document and field. ``results`` holds
    what happened to every document of the file, the failed ones included."""

    def __init__(self, message: str, results: list[DocumentResult]) -> None:
        super().__init__(message)
        self.results = results


def outcome_of(outcomes: dict[str, list[DocumentResult] | Exception], name: str) -> list[DocumentResult]:
    """One file's results from a group's outcomes; raises what that file raised."""
    outcome = outcomes[name]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
