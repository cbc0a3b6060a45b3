"""SPS Commerce client: client-credentials token and the Transaction API v5 file mailbox."""

from .client import HistoryItem, ListingLoopError, ListingPage, MailboxEntry, SpsClient
from .errors import SpsError, UploadUnconfirmedError

__all__ = [
    "HistoryItem",
    "ListingLoopError",
    "ListingPage",
    "MailboxEntry",
    "SpsClient",
    "SpsError",
    "UploadUnconfirmedError",
]
