"""QBO reference data (Vendors, Customers, Items, Accounts): ledger snapshots kept current by query
and CDC, and the order lines whose items QBO does not know."""

from ..ledger import REFERENCE_ENTITIES, ChangedEntity, ReferenceDiff
from .snapshot import ReferenceRefreshError, full_query, refresh_reference
from .unknown_items import LineCode, UnknownItem, line_codes, unknown_order_items

__all__ = [
    "REFERENCE_ENTITIES",
    "ChangedEntity",
    "LineCode",
    "ReferenceDiff",
    "ReferenceRefreshError",
    "UnknownItem",
    "full_query",
    "line_codes",
    "refresh_reference",
    "unknown_order_items",
]
