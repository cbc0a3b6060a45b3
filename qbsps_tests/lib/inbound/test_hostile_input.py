"""Hostile files beside a good order, through the real inbound path (sandbox over HTTP, real
ledger): the good order lands once, each hostile document is quarantined with its reason and its
bytes, leaves the mailbox, and a second pass changes nothing."""

from __future__ import annotations

import json

import pytest

from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.ledger import DocumentState
from qbsps_orchestration.sandbox.sps.demo_orders import order_file
from qbsps_tests.hostile_files import GOOD, GOOD_NAME, HOSTILE, SMALL_LIMIT, TODAY, Hostile, order_json
from qbsps_tests.sandboxed import SandboxedConnector


def _sync(c: SandboxedConnector, config: object) -> list:
    sps, qbo = c.sps(), c.qbo()
    names = [entry.name for entry in sps.iter_files(c.orders_folder)]
    return process_files(config, c.ledger, sps, qbo, names)  # type: ignore[arg-type]


def _ours(c: SandboxedConnector, po_number: str) -> list[dict]:
    marker = f"qbsps order {GOOD.partner.trading_partner_id}/{po_number}"
    return [po for po in c.purchase_orders() if marker in (po.get("PrivateNote") or "")]


def _limited(c: SandboxedConnector):  # noqa: ANN202 - a QbspsConfig
    sps = c.config.sps.model_copy(update={"max_file_bytes": SMALL_LIMIT})
    return c.config.model_copy(update={"sps": sps})


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_file_is_quarantined_and_the_good_order_lands_once(
    empty_connector: SandboxedConnector, hostile: Hostile
) -> None:
    c, config = empty_connector, _limited(empty_connector)
    c.box.sps.put_file(c.orders_folder + GOOD_NAME, order_file(GOOD, TODAY))
    c.box.sps.put_file(c.orders_folder + hostile.name, hostile.content)

    first = {o.name: o for o in _sync(c, config)}
    assert first[GOOD_NAME].error is None, first[GOOD_NAME].error
    assert hostile.reason in (first[hostile.name].error or ""), first[hostile.name].error
    assert c.order_files() == []  # the mailbox does not re-drive the hostile file

    [doc] = [d for d in c.ledger.failed_documents() if d.state is DocumentState.QUARANTINED]
    assert hostile.reason in (doc.reason or "") and hostile.name in (doc.reason or "")
    [(doc_id, version_id)] = c.ledger.file_documents(c.orders_folder + hostile.name)
    assert doc_id == doc.id and c.ledger.version(version_id).payload == hostile.content  # raw bytes kept

    assert _sync(c, config) == []  # a second pass finds nothing to do ...
    replayed = {
        o.name: o for o in process_files(config, c.ledger, c.sps(), c.qbo(), [GOOD_NAME, hostile.name])
    }
    assert replayed[GOOD_NAME].error is None and replayed[hostile.name].error  # ... and a replay adds nothing
    assert len(_ours(c, GOOD.po_number)) == 1  # counted in the sandbox company
    assert [d.id for d in c.ledger.failed_documents()] == [doc.id]


def test_one_bad_document_of_a_plural_file_never_holds_back_its_siblings(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    good = json.loads(order_json("PO-SIBLING-1"))
    bad = json.loads(order_json("PO-SIBLING-2", PurchasePrice='"@@BIG@@"').decode())
    text = json.dumps({"Orders": [good, bad]}).replace('"@@BIG@@"', "1E+30")
    c.box.sps.put_file(c.orders_folder + "PO-plural.json", text.encode())

    [outcome] = _sync(c, c.config)
    assert "document #2" in (outcome.error or "") and "PurchasePrice" in (outcome.error or "")
    assert len(_ours(c, "PO-SIBLING-1")) == 1 and _ours(c, "PO-SIBLING-2") == []
    [doc] = c.ledger.failed_documents()
    assert doc.state is DocumentState.QUARANTINED and "document #2" in (doc.reason or "")
    assert b"1E+30" in c.ledger.version(doc.current_version_id).payload  # its own bytes kept

    assert _sync(c, c.config) == [] and len(_ours(c, "PO-SIBLING-1")) == 1
