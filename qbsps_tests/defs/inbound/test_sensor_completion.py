"""sps_purchase_order_sensor drives unfinished orders on: a file whose orders were stored but never
written to QBO (the run died) is requested again once its backoff passed, although the file left
the mailbox; before that, and once written, it is not requested."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from qbsps_orchestration.dagster_support.names import RANGE_END, RANGE_START
from qbsps_orchestration.lib.inbound import fetch_order_file
from qbsps_orchestration.lib.ledger import completion
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import launch, order, tick


def test_stored_orders_whose_run_died_are_requested_once_due(
    instance: dg.DagsterInstance, inbound: SandboxedConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["PO1.json", "PO2.json"]
    for name in names:
        inbound.box.sps.put_file(inbound.orders_folder + name, order(name.removesuffix(".json")))
    first = tick(instance, inbound, None)
    assert len(first.run_requests or []) == 1
    sps = inbound.sps()
    for name in names:  # the requested run stored both files, then died before writing to QBO
        fetch_order_file(inbound.config, inbound.ledger, sps, name)
    assert inbound.order_files() == [] and inbound.purchase_orders() == []

    soon = tick(instance, inbound, first.cursor)  # a live run may still be on them: not yet
    assert not soon.run_requests

    monkeypatch.setattr(completion, "IN_FLIGHT_GRACE", timedelta(0))  # as if two minutes passed
    due = tick(instance, inbound, soon.cursor)
    [request] = due.run_requests or []
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("PO1.json", "PO2.json")
    assert launch(instance, request).success
    assert len(inbound.purchase_orders()) == 2

    done = tick(instance, inbound, due.cursor)
    assert not done.run_requests
    assert inbound.ledger.unfinished_documents() == []
