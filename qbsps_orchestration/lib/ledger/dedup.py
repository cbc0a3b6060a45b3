"""The dedup and change rules, as pure decisions (no I/O), so they read like the specification.

One document per dedup key. The same content again is a duplicate. TsetPurposeCode 05 replaces,
01 cancels, and a second original (00/07) with different content is held as a conflict: it never
overwrites silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import (
    FINISHED_STATES,
    OPEN_WORK_STATES,
    Action,
    Direction,
    Disposition,
    DocumentState,
    TsetPurposeCode,
)

ORIGINAL_CODES = frozenset({None, TsetPurposeCode.ORIGINAL, TsetPurposeCode.DUPLICATE})
NEVER_SENT_STATES = frozenset({DocumentState.PENDING, DocumentState.FAILED, DocumentState.QUARANTINED})
KNOWN_CODES = ORIGINAL_CODES | {TsetPurposeCode.REPLACE, TsetPurposeCode.CANCELLATION}


@dataclass(frozen=True)
class DocumentFacts:
    """What the rules need to know about the stored document."""

    direction: Direction
    state: DocumentState
    qbo_id: str | None
    current_disposition: Disposition | None


@dataclass(frozen=True)
class Decision:
    event: str  # the audit event name
    action: Action
    disposition: Disposition  # of the new version (for a duplicate: of the matching stored one)
    new_state: DocumentState | None  # None: unchanged
    becomes_current: bool
    reason: str


def pending_action(facts: DocumentFacts) -> Action:
    """The remote write a document still owes, derived from stored facts (so a re-run can resume)."""
    if facts.state not in OPEN_WORK_STATES:
        return Action.SKIP
    if facts.direction is Direction.OUTBOUND:
        return Action.SEND
    if facts.qbo_id is None:
        return Action.CREATE
    if facts.current_disposition is Disposition.CANCELLATION:
        return Action.CLOSE
    return Action.UPDATE


def _unknown_code(code: str | None, new: bool) -> Decision | None:
    if code in KNOWN_CODES:
        return None
    return Decision(
        "quarantined",
        Action.SKIP,
        Disposition.QUARANTINED,
        DocumentState.QUARANTINED if new else None,
        becomes_current=new,
        reason=f"TsetPurposeCode {code!r} is not supported (expected 00, 01, 05 or 07)",
    )


def decide_first(code: str | None, direction: Direction) -> Decision:
    """The first version of a document with this dedup key."""
    if unknown := _unknown_code(code, new=True):
        return unknown
    if code == TsetPurposeCode.CANCELLATION:
        return Decision(
            "cancellation_received",
            Action.SKIP,
            Disposition.CANCELLATION,
            DocumentState.CANCELLED,
            True,
            "cancelled before an original was seen: nothing exists remotely to close",
        )
    create = Action.SEND if direction is Direction.OUTBOUND else Action.CREATE
    if code == TsetPurposeCode.REPLACE:
        return Decision(
            "document_received",
            create,
            Disposition.REPLACEMENT,
            DocumentState.PENDING,
            True,
            "a replacement arrived before any original: created from the replacement",
        )
    return Decision(
        "document_received", create, Disposition.PENDING, DocumentState.PENDING, True, "new document"
    )


def decide_duplicate(facts: DocumentFacts, matched: Disposition) -> Decision:
    """Same content as a stored version: no new version, but still-owed work is still owed."""
    if matched is Disposition.CONFLICT:
        action, reason = Action.HOLD, "same content as a conflict already held for an operator"
    else:
        action = pending_action(facts)
        reason = (
            "duplicate content: skipped"
            if action is Action.SKIP
            else (f"duplicate content, but the document still awaits {action.value}: resume it")
        )
    return Decision("duplicate_skipped", action, matched, None, False, reason)


def decide_next(facts: DocumentFacts, code: str | None) -> Decision:
    """A version with new content for an existing document."""
    if unknown := _unknown_code(code, new=False):
        return unknown
    if code == TsetPurposeCode.CANCELLATION:
        if facts.state in FINISHED_STATES:
            return Decision(
                "cancellation_received",
                Action.SKIP,
                Disposition.CANCELLATION,
                None,
                False,
                f"already {facts.state.value}: nothing more to cancel",
            )
        if facts.qbo_id is None and facts.direction is Direction.INBOUND:
            return Decision(
                "cancellation_received",
                Action.SKIP,
                Disposition.CANCELLATION,
                DocumentState.CANCELLED,
                True,
                "cancelled before it reached QBO: nothing to close",
            )
        after = DocumentFacts(facts.direction, DocumentState.PENDING, facts.qbo_id, Disposition.CANCELLATION)
        return Decision(
            "cancellation_received",
            pending_action(after),
            Disposition.CANCELLATION,
            DocumentState.PENDING,
            True,
            "cancellation: close the existing document",
        )
    if code == TsetPurposeCode.REPLACE:
        if facts.state in FINISHED_STATES:
            return Decision(
                "conflict_held",
                Action.HOLD,
                Disposition.CONFLICT,
                None,
                False,
                f"a replacement for a {facts.state.value} document: held for an operator",
            )
        after = DocumentFacts(facts.direction, DocumentState.PENDING, facts.qbo_id, Disposition.REPLACEMENT)
        return Decision(
            "replacement_received",
            pending_action(after),
            Disposition.REPLACEMENT,
            DocumentState.PENDING,
            True,
            "replacement (TsetPurposeCode 05)",
        )
    if facts.direction is Direction.OUTBOUND and facts.state in NEVER_SENT_STATES:
        # Nothing reached the trading partner yet: the corrected document simply takes its place.
        return Decision(
            "replacement_received",
            Action.SEND,
            Disposition.REPLACEMENT,
            DocumentState.PENDING,
            True,
            "changed before it was ever sent: the new content replaces it",
        )
    return Decision(
        "conflict_held",
        Action.HOLD,
        Disposition.CONFLICT,
        None,
        False,
        "a second original with different content: held for an operator, never applied silently",
    )
