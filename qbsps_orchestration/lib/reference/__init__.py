"""QBO reference data (Vendors, Customers, Items, Accounts): ledger snapshots kept current by query
and CDC, and the item cross-reference against them (`crossref`: the operator's table, the open
orders' lines whose items QBO does not know; the matching itself is `lib.items`')."""

from ..ledger import REFERENCE_ENTITIES, ChangedEntity, ReferenceDiff
from .snapshot import ReferenceRefreshError, full_query, refresh_reference

__all__ = [
    "REFERENCE_ENTITIES",
    "ChangedEntity",
    "ReferenceDiff",
    "ReferenceRefreshError",
    "full_query",
    "refresh_reference",
]
