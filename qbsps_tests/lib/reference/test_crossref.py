"""The cross-reference against the ledger: a mapped item missing or inactive in the QBO snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qbsps_orchestration.lib.items import unknown_order_items
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.reference import refresh_reference
from qbsps_tests.lib.items.test_unknown import _crossref, _sample_orders
from qbsps_tests.lib.qbo.conftest import QboEnv

pytestmark = pytest.mark.shared


def test_a_mapped_item_missing_or_inactive_in_the_qbo_snapshot_is_unknown(
    qbo_env: QboEnv, qbo: QboClient, ledger: Ledger
) -> None:
    realm = qbo_env.realm_id
    complete = _crossref(
        {"qbo_item": {"name": "HD-20 Sample Item 1"}, "buyer_part_number": "SPSBuyerItem1"},
        {"qbo_item": {"name": "hd-40 sample item 2"}, "buyer_part_number": "SPSBuyerItem2"},  # QBO: any case
        {"qbo_item": {"name": "HD-40 Sample Item 3"}, "buyer_part_number": "SPSBuyerItem3"},
    )
    orders = _sample_orders()
    refresh_reference(qbo, ledger, realm, "Item")
    assert unknown_order_items(orders, complete, qbo_items=ledger.reference.rows("Item", realm)) == []

    (item3,) = qbo_env.sandbox.find("Item", Name="HD-40 Sample Item 3")
    since = qbo_env.clock.now() - timedelta(seconds=1)
    qbo.sparse_update("Item", item3["Id"], {"Active": False}, request_id="retire-item-3")
    refresh_reference(qbo, ledger, realm, "Item", since=since, now=qbo_env.clock.now)

    unknown = unknown_order_items(orders, complete, qbo_items=ledger.reference.rows("Item", realm))
    assert [(u.trading_partner_id, u.buyer_part_number) for u in unknown] == [
        ("SPSALLTESTID", "SPSBuyerItem3"),
        ("SPSALLTESTID", "SPSBuyerItem3"),
        ("SPSALLTESTID", "SPSBuyerItem3"),
        ("525GROMM", "SPSBuyerItem3"),
    ]
    assert unknown[0].reason == (
        "the cross-reference (items[2], by buyer_part_number) names QBO Item "
        "name='HD-40 Sample Item 3', which is not an active Item in QBO"
    )
