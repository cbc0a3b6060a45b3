"""Inbound purchase orders: SPS mailbox file → ledger → QBO PurchaseOrder (or Estimate).

Plain Python; the Dagster assets in defs/inbound call these two steps per partition (file).
"""

from .fetch import fetch_order_file
from .order_writes import sync_order_file
from .results import DocumentResult, InboundDocumentError

__all__ = ["DocumentResult", "InboundDocumentError", "fetch_order_file", "sync_order_file"]
