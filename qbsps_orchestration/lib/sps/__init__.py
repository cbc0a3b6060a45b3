"""SPS Commerce client: client-credentials token and the Transaction API v5 file mailbox."""

from .client import ListingPage, MailboxEntry, SpsClient
from .errors import SpsError

__all__ = ["ListingPage", "MailboxEntry", "SpsClient", "SpsError"]
