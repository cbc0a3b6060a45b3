"""sps_purchase_order_sensor against the SPS sandbox: cursor, partitions added, one run requested."""

from __future__ import annotations

import dagster as dg

from qbsps_orchestration.dagster_support.names import RANGE_END, RANGE_START
from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import launch, order, tick


def test_new_files_become_partitions_and_one_run(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    names = [f"PO{n}-v7.7.json" for n in range(1, 13)]
    for name in names:
        inbound.box.sps.put_file(inbound.orders_folder + name, order(name.split("-")[0]))
    first = tick(instance, inbound, None)
    assert instance.get_dynamic_partitions(purchase_order_files.name) == sorted(names)
    [request] = first.run_requests or []
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (sorted(names)[0], sorted(names)[-1])
    result = launch(instance, request)
    assert result.success and len(inbound.purchase_orders()) == 12
    assert inbound.order_files() == []

    again = tick(instance, inbound, first.cursor)
    assert not again.run_requests and not again.dynamic_partitions_requests


def test_cursor_sees_later_files_and_redelivered_names(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    inbound.box.sps.put_file(inbound.orders_folder + "PO1.json", order("PO1"))
    first = tick(instance, inbound, None)
    launch(instance, first.run_requests[0])
    # SPS later delivers a new file and, again, a file under a name already fetched once.
    inbound.box.sps.put_file(inbound.orders_folder + "PO2.json", order("PO2"))
    inbound.box.sps.put_file(
        inbound.orders_folder + "PO1.json",
        order("PO1", [{"BuyerPartNumber": "SPSBuyerItem2", "OrderQty": 1, "PurchasePrice": 10}]),
    )
    second = tick(instance, inbound, first.cursor)
    requests = second.run_requests or []
    assert [r.tags.get(RANGE_START) for r in requests] == ["PO2.json", None]
    assert requests[1].partition_key == "PO1.json"
    assert len({r.run_key for r in [*first.run_requests, *requests]}) == 3  # never collide
    results = [launch(instance, r) for r in requests]
    assert all(r.success for r in results)
    held = inbound.ledger.held_conflicts()  # the second PO1 original differs: held, not overwritten
    assert len(held) == 1 and len(inbound.purchase_orders()) == 2


def test_a_file_that_stays_is_not_requested_everytick(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    inbound.box.sps.put_file(inbound.orders_folder + "PO1.json", order("PO1"))
    first = tick(instance, inbound, None)  # not launched: the file stays in the mailbox
    second = tick(instance, inbound, first.cursor)
    assert len(first.run_requests) == 1 and not second.run_requests
