"""Hostile inbound files of our own, each beside a good order: the table the inbound tests and the
CLI test share. Built from the sandbox's demo order so the good parts are valid RSX."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from qbsps_orchestration.sandbox.sps.demo_orders import DEMO_ORDERS, order_document, to_xml

GOOD = DEMO_ORDERS[0]  # SPSALLTESTID, JSON
GOOD_NAME = GOOD.file_name
TODAY = date(2026, 11, 30)
SMALL_LIMIT = 256 * 1024  # sps.max_file_bytes for these tests: above the deep files, below the oversize one


def order_json(po_number: str, **line: object) -> bytes:
    """The good order under another PO number, with its first line's fields replaced verbatim
    (values are JSON text, so 1E+30 or NaN stay exactly as a hostile sender wrote them)."""
    document = order_document(GOOD, TODAY)
    document["Header"]["OrderHeader"]["PurchaseOrderNumber"] = po_number
    for key in line:
        document["LineItem"][0]["OrderLine"][key] = f"@@{key}@@"
    text = json.dumps(document, indent=2)
    for key, value in line.items():
        text = text.replace(f'"@@{key}@@"', str(value))
    return text.encode()


def order_xml(po_number: str, **line: object) -> bytes:
    document = order_document(GOOD, TODAY)
    document["Header"]["OrderHeader"]["PurchaseOrderNumber"] = po_number
    document["LineItem"][0]["OrderLine"].update(line)
    return to_xml("Order", "Orders", document)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Order><Header><OrderHeader><TradingPartnerId>&lol3;</TradingPartnerId></OrderHeader></Header></Order>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Order><Header><OrderHeader><TradingPartnerId>&x;</TradingPartnerId></OrderHeader></Header></Order>"""


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes
    reason: str  # part of the quarantine reason


HOSTILE = [
    # Measured on main before this change: RecursionError / InvalidOperation, never quarantined.
    Hostile("PO-deep-array.json", b"[" * 20_000 + b"]" * 20_000, "nested more than 64 levels"),
    Hostile(
        "PO-deep.xml", b"<Order>" + b"<a>" * 20_000 + b"</a>" * 20_000 + b"</Order>", "nested more than 64"
    ),
    Hostile(
        "PO-huge-price.json",
        order_json("PO-H1", PurchasePrice="1E+30"),
        "LineItem[0].OrderLine.PurchasePrice",
    ),
    Hostile("PO-huge-price.xml", order_xml("PO-H2", PurchasePrice="1E+30"), "OrderLine.PurchasePrice"),
    Hostile("PO-absurd-qty.json", order_json("PO-H3", OrderQty="1E+13"), "LineItem[0].OrderLine.OrderQty"),
    Hostile("PO-infinite-price.xml", order_xml("PO-H4", PurchasePrice="Infinity"), "PurchasePrice"),
    Hostile("PO-nan-price.json", order_json("PO-H5", PurchasePrice="NaN"), "NaN"),
    Hostile("PO-oversize.json", b'{"Header": "' + b"x" * (SMALL_LIMIT + 1) + b'"}', "sps.max_file_bytes"),
    # Already held back on main: a regression table.
    Hostile("PO-laughs.xml", BILLION_LAUGHS, "refused for safety"),
    Hostile("PO-xxe.xml", XXE, "refused for safety"),
    Hostile("PO-negative-qty.json", order_json("PO-H6", OrderQty="-5"), "OrderQty"),
    Hostile("PO-text-qty.json", order_json("PO-H7", OrderQty='"twelve"'), "OrderQty"),
    Hostile("PO-empty.json", b"", "empty document"),
    Hostile("PO-latin1.json", '{"Header": "caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
    Hostile("PO-not-rsx.json", b'{"hello": "world"}', "Header"),
]
