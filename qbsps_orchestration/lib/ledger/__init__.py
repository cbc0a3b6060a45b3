"""The sync ledger: source of truth for dedup, crash safety, audit, cursors, the QBO change inbox,
sequences and encrypted credentials."""

from .audit import AuditContext
from .credentials.encrypted import LockedSecret, NeedsReconnect, SecretLease, SecretState
from .documents import ReceivedDocument
from .errors import (
    DocumentNotFoundError,
    EarlierIntentError,
    InvalidTransitionError,
    LedgerError,
    LedgerInputError,
    LedgerNotUpgradedError,
    OpenIntentError,
    SecretLockTimeoutError,
    SecretNotFoundError,
)
from .inbox.changes import InboxRecord
from .ledger import Ledger
from .records import AuditRecord, DocumentRecord, IntentRecord, RecordOutcome, VersionRecord
from .reference.diff import ChangedEntity, ReferenceDiff
from .reference.rows import REFERENCE_ENTITIES
from .storage.store import LEDGER_URL_ENV, default_ledger_url
from .vocabulary import Action, Direction, Disposition, DocumentState, IntentOutcome, TsetPurposeCode

__all__ = [
    "LEDGER_URL_ENV",
    "REFERENCE_ENTITIES",
    "Action",
    "AuditContext",
    "AuditRecord",
    "ChangedEntity",
    "Direction",
    "Disposition",
    "DocumentNotFoundError",
    "DocumentRecord",
    "DocumentState",
    "IntentOutcome",
    "InboxRecord",
    "IntentRecord",
    "InvalidTransitionError",
    "Ledger",
    "LedgerError",
    "LedgerInputError",
    "LedgerNotUpgradedError",
    "LockedSecret",
    "NeedsReconnect",
    "SecretLease",
    "SecretState",
    "EarlierIntentError",
    "OpenIntentError",
    "ReceivedDocument",
    "RecordOutcome",
    "ReferenceDiff",
    "SecretLockTimeoutError",
    "SecretNotFoundError",
    "TsetPurposeCode",
    "VersionRecord",
    "default_ledger_url",
]
