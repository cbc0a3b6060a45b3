"""RSX 7.7 (SPS Commerce) documents: models, reading and writing XML and JSON. No I/O here."""

from .element_kinds import DOC_TYPES, PLURAL_ROOTS, RSX_NAMESPACE
from .errors import RsxError
from .order import Order, OrderHeader, OrderHeaderGroup, OrderLine, OrderLineItem, OrderSummary
from .order_totals import OrderTotals, order_totals
from .reader import RsxDocument, read_rsx
from .writer import to_json, to_xml

__all__ = [
    "DOC_TYPES",
    "PLURAL_ROOTS",
    "RSX_NAMESPACE",
    "Order",
    "OrderHeader",
    "OrderHeaderGroup",
    "OrderLine",
    "OrderLineItem",
    "OrderSummary",
    "OrderTotals",
    "RsxDocument",
    "RsxError",
    "order_totals",
    "read_rsx",
    "to_json",
    "to_xml",
]
