"""Errors raised by the ledger. Messages name the document or secret, never a secret's value."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import IntentRecord


class LedgerError(Exception):
    pass


class LedgerNotUpgradedError(LedgerError):
    """The database is not at this qbsps's migrations: `qbsps db upgrade` applies them (qbsps never
    migrates on open; a run or a sensor tick must not take the schema lock)."""


class DocumentNotFoundError(LedgerError, LookupError):
    pass


class InvalidTransitionError(LedgerError):
    """An operation that does not fit the document's or version's current state."""


class OpenIntentError(LedgerError):
    """This very write (same operation, same version) is still open: reconcile it before writing
    again; repeating it with the same ``requestid`` is safe."""

    def __init__(
        self, message: str, intent_id: int, requestid: str, intent: IntentRecord | None = None
    ) -> None:
        super().__init__(message)
        self.intent_id = intent_id
        self.requestid = requestid
        self.intent = intent


class EarlierIntentError(LedgerError):
    """Another write (an earlier version, or another operation) is still unconfirmed. Settle that
    one first (did it land?) and complete its intent; never reuse its ``requestid``."""

    def __init__(self, message: str, intent: IntentRecord) -> None:
        super().__init__(message)
        self.intent = intent


class SecretNotFoundError(LedgerError, LookupError):
    pass


class SecretLockTimeoutError(LedgerError, TimeoutError):
    pass


class LedgerInputError(LedgerError, ValueError):
    """A document handed to the ledger is missing a field the dedup key needs."""
