"""Which landed order the bookkeeper invoices: by PO number, the partner's when two retailers used
the same number, else the newest (the dev stack) or the smallest (the demo)."""

from __future__ import annotations

import pytest

from qbsps_orchestration.bookkeeper import LandedOrder, NothingToInvoiceError, newest, pick_order, smallest
from qbsps_orchestration.lib.config import TradingPartner


def _partner(partner_id: str) -> TradingPartner:
    return TradingPartner(
        trading_partner_id=partner_id,
        name=f"Retailer {partner_id}",
        vendor_number="VEND1",
        qbo_vendor={"id": "1"},
        qbo_customer={"id": "2"},
        rsx_format="json",
    )


def _landed(partner_id: str, po_number: str, created: str, lines: int = 1) -> LandedOrder:
    po = {
        "Id": po_number,
        "DocNumber": po_number,
        "Line": [{}] * lines,
        "MetaData": {"CreateTime": created},
    }
    return LandedOrder(_partner(partner_id), po_number, po)


ORDERS = [
    _landed("SPSALLTESTID", "PO1", "2026-12-01T10:00:00-08:00", lines=3),
    _landed("525GROMM", "PO1", "2026-12-01T10:05:00-08:00", lines=1),
    _landed("SPSALLTESTID", "PO2", "2026-12-01T18:01:00+00:00", lines=2),  # 10:01 in -08:00
]


def test_newest_compares_times_not_strings_and_smallest_counts_lines() -> None:
    assert (
        pick_order(ORDERS, None, newest)
        .purchase_order["MetaData"]["CreateTime"]
        .startswith("2026-12-01T10:05")
    )
    assert pick_order(ORDERS, None, smallest).partner.trading_partner_id == "525GROMM"
    assert pick_order(ORDERS, None, newest, partner_id="SPSALLTESTID").po_number == "PO2"


def test_a_po_number_two_partners_used_needs_the_partner() -> None:
    with pytest.raises(NothingToInvoiceError, match="PO PO1 came from SPSALLTESTID, 525GROMM: say which"):
        pick_order(ORDERS, "PO1", newest)
    assert pick_order(ORDERS, "PO1", newest, partner_id="525GROMM").partner.trading_partner_id == "525GROMM"


def test_nothing_to_pick_says_why() -> None:
    with pytest.raises(NothingToInvoiceError, match="no order from NOSUCH has landed"):
        pick_order(ORDERS, None, newest, partner_id="NOSUCH")
    with pytest.raises(
        NothingToInvoiceError, match=r"no landed order with PO number 'PO9' \(landed: PO1, PO2\)"
    ):
        pick_order(ORDERS, "PO9", newest)
