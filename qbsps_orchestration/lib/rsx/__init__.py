"""RSX 7.7 (SPS Commerce) documents: models, reading and writing XML and JSON. No I/O here."""

from .element_kinds import DOC_TYPES, PLURAL_ROOTS, RSX_NAMESPACE
from .errors import RsxError
from .limits import DEFAULT_MAX_DEPTH
from .order import Order, OrderHeader, OrderHeaderGroup, OrderLine, OrderLineItem, OrderSummary
from .order_totals import OrderTotals, order_totals
from .reader import RsxDocument, UnreadableDocument, element_values, read_rsx, read_rsx_each
from .writer import to_json, to_xml

__all__ = [
    "element_values",
    "DEFAULT_MAX_DEPTH",
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
    "UnreadableDocument",
    "order_totals",
    "read_rsx",
    "read_rsx_each",
    "to_json",
    "to_xml",
]
