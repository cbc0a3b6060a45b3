"""Documents that wait for a person, as an operator needs them: the reason in plain words, the
field it names, what to do about it, and how to run the document again once that is done.

Pure: built from ledger records (failed and quarantined documents, held versions), so `qbsps
status`, the asset checks and the alerts all say the same thing about the same document. The
advice follows the kind of cause the reason states (the messages name their document and field,
see lib/mapping and lib/inbound); a cause qbsps has no advice for says to read the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...config.companies import qbsps_command
from ..records import DocumentRecord, VersionRecord
from ..vocabulary import Direction

# Where the reasons name their field: QBO's refusal "(field VendorRef)", a mapping error
# "FILE: LineItem[2].OrderQty: missing", a document check "Invoice field TxnDate: ...".
_FIELD_PATTERNS = (
    re.compile(r"\(field ([A-Za-z][\w.\[\]]*)\)"),
    re.compile(r": ((?:Header|LineItem|Summary|Meta|Shipment|Order|Pack|Item)\b[\w.\[\]=]*): "),
    re.compile(r"\bfield ([A-Za-z][\w.\[\]]*):"),
)

# (what the reason says, what to do): the first that matches is the advice.
_ADVICE = (
    (
        re.compile(r"unknown item|no QBO item|cross-reference", re.IGNORECASE),
        "map the retailer's item to a QBO Item: a row in `items` or the items CSV (`qbsps items` lists "
        "the unknown ones), or create the Item in QuickBooks",
    ),
    (
        re.compile(
            r"unknown trading partner|not mapped to a trading partner|no trading partner", re.IGNORECASE
        ),
        "add the trading partner (`qbsps partners add ID`) or map its QBO Customer/Vendor in the config",
    ),
    (
        re.compile(r"QBO refused|QuickBooks refused", re.IGNORECASE),
        "fix what QuickBooks names (in QuickBooks, or the config's accounts and items)",
    ),
    (
        re.compile(r"upload to SPS failed|SPS refused", re.IGNORECASE),
        "check the SPS connection and folder (`qbsps doctor`)",
    ),
    (
        re.compile(
            r"not valid|unreadable|cannot be read|schema|RSX|too large|nested|malformed", re.IGNORECASE
        ),
        "the file itself is wrong: ask the retailer (through SPS) to send it again; qbsps keeps the bytes "
        "as received",
    ),
)
_READ_THE_REASON = "read the reason, fix its cause"
# Documents a replay rebuilds (cli/replay.py): an order from its file, an 810/856 from its invoice.
_REPLAYED = frozenset({"Order", "Invoice", "Shipment"})


@dataclass(frozen=True)
class WaitingDocument:
    document_id: int
    direction: Direction
    doc_type: str
    trading_partner_id: str
    number: str
    state: str  # failed, quarantined, or held (a changed version waiting for acceptance)
    since: datetime
    reason: str
    field: str | None
    what_to_do: str
    rerun: str  # the command (or UI action) that runs it again once the cause is fixed
    version_id: int | None = None  # a held version's id


def waiting_documents(
    failed: Iterable[DocumentRecord], held: Iterable[tuple[VersionRecord, DocumentRecord]]
) -> list[WaitingDocument]:
    """Failed and quarantined documents, then held versions, each with its advice."""
    found = [_failed(doc) for doc in failed]
    found += [_held(version, doc) for version, doc in held]
    return found


def field_named(reason: str) -> str | None:
    """The document field a reason names, if it names one."""
    for pattern in _FIELD_PATTERNS:
        if match := pattern.search(reason):
            return match.group(1)
    return None


def advice_for(reason: str) -> str:
    """What to do about a document that failed or was quarantined for this reason."""
    advice = next((what for pattern, what in _ADVICE if pattern.search(reason)), _READ_THE_REASON)
    return f"{advice}; then run it again"


def _failed(doc: DocumentRecord) -> WaitingDocument:
    reason = doc.reason or "no reason recorded"
    return WaitingDocument(
        **_about(doc),
        state=doc.state.value,
        since=doc.updated_at,
        reason=reason,
        field=field_named(reason),
        what_to_do=advice_for(reason),
        rerun=_rerun(doc),
    )


def _held(version: VersionRecord, doc: DocumentRecord) -> WaitingDocument:
    return WaitingDocument(
        **_about(doc),
        state="held",
        since=version.received_at,
        reason=version.reason or "a changed version of a document already sent",
        field=None,
        what_to_do=f"compare the two versions (`{qbsps_command(f'diff {doc.id}')}`); accept the new one if "
        "it is right",
        rerun=qbsps_command(f"conflicts accept {version.id}"),
        version_id=version.id,
    )


def _about(doc: DocumentRecord) -> dict[str, Any]:
    return {
        "document_id": doc.id,
        "direction": doc.direction,
        "doc_type": doc.doc_type,
        "trading_partner_id": doc.trading_partner_id,
        "number": doc.business_key,
    }


def _rerun(doc: DocumentRecord) -> str:
    if doc.doc_type in _REPLAYED:
        return (
            qbsps_command(f'replay {doc.id} --reason "..."') + "  (or re-materialize its partition in the UI)"
        )
    if doc.direction is Direction.INBOUND:
        return qbsps_command("sync inbound") + " (the next sensor tick retries it)"
    return f"the next run of its job retries it ({qbsps_command('sync outbound')}, or the sensor's tick)"
