"""The ledger's closed vocabularies. Stored as plain strings so adding a value needs no migration."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"  # SPS -> QBO (orders)
    OUTBOUND = "outbound"  # QBO -> SPS (invoices, ship notices, order acks)


class DocumentState(StrEnum):
    PENDING = "pending"  # a remote write is owed (create, update, close or send: see pending_action)
    SYNCED = "synced"  # the remote side holds the current version
    CLOSED = "closed"  # cancelled after it reached QBO, and closed there
    CANCELLED = "cancelled"  # cancelled before it ever reached the remote side: nothing to do
    QUARANTINED = "quarantined"  # bad input, kept with its reason for an operator
    FAILED = "failed"  # the remote write failed for good; re-running the partition retries it


# The states in which a document waits for a person.
NEEDS_OPERATOR = frozenset({DocumentState.FAILED, DocumentState.QUARANTINED})


class Disposition(StrEnum):
    """What became of one received version of a document."""

    PENDING = "pending"  # an original, not yet written remotely
    APPLIED = "applied"  # written remotely
    REPLACEMENT = "replacement"  # TsetPurposeCode 05 (or an accepted conflict), not yet written
    CANCELLATION = "cancellation"  # TsetPurposeCode 01
    CONFLICT = "conflict"  # a second original with different content, held for an operator
    REJECTED = "rejected"  # a held conflict the operator dismissed
    QUARANTINED = "quarantined"  # unreadable or unmappable


class Action(StrEnum):
    """What the caller must do after recording a document."""

    CREATE = "create"  # create the QBO document
    UPDATE = "update"  # sparse-update the QBO document with its SyncToken
    CLOSE = "close"  # close the QBO document (cancellation)
    SEND = "send"  # upload the outbound document to SPS
    SKIP = "skip"  # nothing to do (duplicate, or nothing remote to change)
    HOLD = "hold"  # held as a conflict until an operator decides


class TsetPurposeCode(StrEnum):
    """X12 BEG01/BIG07 purpose codes the dedup rules understand."""

    ORIGINAL = "00"
    CANCELLATION = "01"
    REPLACE = "05"
    DUPLICATE = "07"  # a re-send of an original: dedup by content like 00


class IntentOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RECONCILED = "reconciled"  # found already applied remotely after a crash


OPEN_WORK_STATES = frozenset({DocumentState.PENDING, DocumentState.FAILED})
FINISHED_STATES = frozenset({DocumentState.CLOSED, DocumentState.CANCELLED})
