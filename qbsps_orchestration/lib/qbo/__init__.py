"""QuickBooks Online client: OAuth refresh with rotation, Accounting API v3 calls."""

from .client import QboClient
from .errors import DuplicateDocNumberError, QboAuthError, QboError, StaleObjectError
from .tokens import QboOAuthError, QboReconnectNeededError, QboTokens, QboTokenSource, TokenVault

__all__ = [
    "DuplicateDocNumberError",
    "QboAuthError",
    "QboClient",
    "QboError",
    "QboOAuthError",
    "QboReconnectNeededError",
    "QboTokenSource",
    "QboTokens",
    "StaleObjectError",
    "TokenVault",
]
