"""Retailer orders delivered to the sandbox's SPS `out/PO/` and landed in its QuickBooks through
the real inbound path, so outbound tests invoice orders qbsps actually received."""

from __future__ import annotations

import json

from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_tests.sandboxed import SandboxedConnector

LINE = {
    "BuyerPartNumber": "SPSBuyerItem1",
    "ConsumerPackageCode": "859563003863",
    "OrderQty": 4,
    "PurchasePrice": "20.00",
    "OrderQtyUOM": "EA",
}
SHIP_TO = {
    "AddressTypeCode": "ST",
    "AddressName": "DC 42",
    "Address1": "1 Dock Rd",
    "City": "Dallas",
    "State": "TX",
    "PostalCode": "75201",
    "Country": "US",
}


def order_bytes(po: str, *, ship_to: bool = True) -> bytes:
    """The RSX JSON of one order of 4 × SPSBuyerItem1 for SPSALLTESTID."""
    header = {
        "TradingPartnerId": "SPSALLTESTID",
        "PurchaseOrderNumber": po,
        "TsetPurposeCode": "00",
        "PurchaseOrderDate": "2026-11-20",
        "Vendor": "VEND6174",
    }
    order = {
        "Header": {"OrderHeader": header, **({"Address": [SHIP_TO]} if ship_to else {})},
        "LineItem": [{"OrderLine": LINE}],
    }
    return json.dumps(order).encode()


def land_order(
    c: SandboxedConnector,
    po: str,
    *,
    ship_to: bool = True,
    sps: SpsClient | None = None,
    qbo: QboClient | None = None,
) -> None:
    """One order of 4 × SPSBuyerItem1 for SPSALLTESTID, fetched and written to QBO. Pass clients
    when landing many: each new client asks for a token (SPS rate-limits its token endpoint)."""
    name = f"{po}.json"
    c.box.sps.put_file(c.orders_folder + name, order_bytes(po, ship_to=ship_to))
    fetch_order_file(c.config, c.ledger, sps or c.sps(), name)
    sync_order_file(c.config, c.ledger, qbo or c.qbo(), name)
