"""Errors raised by the ledger. Messages name the document or secret, never a secret's value."""

from __future__ import annotations


class LedgerError(Exception):
    pass


class DocumentNotFoundError(LedgerError, LookupError):
    pass


class InvalidTransitionError(LedgerError):
    """An operation that does not fit the document's or version's current state."""


class OpenIntentError(LedgerError):
    """A remote write for this document is still open: reconcile it before writing again."""

    def __init__(self, message: str, intent_id: int, requestid: str) -> None:
        super().__init__(message)
        self.intent_id = intent_id
        self.requestid = requestid


class SecretNotFoundError(LedgerError, LookupError):
    pass


class SecretLockTimeoutError(LedgerError, TimeoutError):
    pass


class LedgerInputError(LedgerError, ValueError):
    """A document handed to the ledger is missing a field the dedup key needs."""
