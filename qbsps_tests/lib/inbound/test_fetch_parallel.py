"""Files are downloaded and deleted several at a time, yet recorded in the ledger in the order they
were named, and each leaves the mailbox only once its bytes are committed: a delete SPS refuses
leaves the file stored and in the mailbox, and the next pass keeps it once. Real HTTP to the
sandbox's SPS, real SQLite ledger."""

from __future__ import annotations

from urllib.parse import quote

from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.inbound.fetch import fetch_order_files
from qbsps_orchestration.lib.sps.client import DATA
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.faults.world import orders_in_qbo
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector


def deliver(c: SandboxedConnector, count: int) -> list[str]:
    names = [f"PO-F-{n:03d}.json" for n in range(count)]
    for name in names:
        c.box.sps.put_file(c.orders_folder + name, order_bytes(name.removesuffix(".json"), ship_to=False))
    return names


def test_files_fetched_in_parallel_are_recorded_in_the_order_named(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    names = deliver(c, 12)
    named = list(reversed(names))  # an order that is not the mailbox's
    fetched = fetch_order_files(c.config, c.ledger, c.sps(), named)
    assert list(fetched) == named
    assert all(
        isinstance(results, list) and [r.outcome for r in results] == ["stored"]
        for results in fetched.values()
    )
    ids = [c.ledger.file_documents(c.orders_folder + name)[0][0] for name in named]
    assert ids == sorted(ids)  # recorded one after the other, in the order named
    assert c.order_files() == []


def test_a_refused_delete_leaves_the_file_stored_and_the_next_pass_keeps_it_once(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    names = deliver(c, 6)
    refused = names[3]
    path = c.orders_folder + refused
    c.box.sps_faults.add(
        FaultRule(status=503, count=10, method="DELETE", path_prefix=DATA + quote(path.lstrip("/")))
    )
    first = process_files(c.config, c.ledger, c.sps(), c.qbo(), names)
    failed = {o.name: o.error for o in first if o.error}
    assert list(failed) == [refused], failed
    assert c.ledger.file_documents(path) != []  # its bytes were committed before the delete
    assert c.order_files() == [refused]
    c.box.sps_faults.clear()
    again = process_files(c.config, c.ledger, c.sps(), c.qbo(), [refused])
    assert [o.error for o in again] == [None]
    assert orders_in_qbo(c) == {name.removesuffix(".json"): 1 for name in names}
    assert c.order_files() == []
