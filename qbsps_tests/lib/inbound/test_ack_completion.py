"""An order that reached QBO but whose 855 was never sent (the run died between the QBO write and
the ack, or the upload kept failing) is unfinished work: the next pass sends the ack, once."""

from __future__ import annotations

import json

import httpx
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.inbound.completion import unfinished_order_files, unfinished_orders
from qbsps_orchestration.lib.ledger.completion import ACK_OWED
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector

ACK = "PRPO-ACK-1-SPSALLTESTID-v7.7.json"
ACK_05 = "PRPO-ACK-1-SPSALLTESTID-v7.7-r2.json"  # the replacement's 855: its own path


def _acks_held_by_sps(c: SandboxedConnector) -> list[str]:
    return [
        e["path"].rsplit("/", 1)[1]
        for e in c.box.sps.history()
        if e["direction"] == "inbound" and e["path"].rsplit("/", 1)[1].startswith("PR")
    ]


def _landed_without_ack(c: SandboxedConnector, po: str) -> str:
    name = f"{po}.json"
    c.box.sps.put_file(c.orders_folder + name, order_bytes(po, ship_to=False))
    fetch_order_file(c.config, c.ledger, c.sps(), name)
    sync_order_file(c.config, c.ledger, c.qbo(), name)  # ... and the run died here
    return name


def test_an_order_in_qbo_without_its_ack_is_owed_and_the_next_pass_sends_it_once(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    assert c.config.partner("SPSALLTESTID").send_order_acks
    name = _landed_without_ack(c, "PO-ACK-1")
    assert c.order_files() == [] and len(c.purchase_orders()) == 1 and _acks_held_by_sps(c) == []
    [owed] = unfinished_orders(c.ledger, c.config)
    assert owed.business_key == "PO-ACK-1" and owed.reason == ACK_OWED
    assert unfinished_order_files(c.ledger, c.config) == [name]

    schemas = RsxSchemas(None)
    [outcome] = process_files(c.config, c.ledger, c.sps(), c.qbo(), [name], acknowledge_with=schemas)
    assert [a.outcome for a in outcome.acks] == ["sent"], outcome
    assert _acks_held_by_sps(c) == [ACK]
    assert unfinished_order_files(c.ledger, c.config) == []

    [again] = process_files(c.config, c.ledger, c.sps(), c.qbo(), [name], acknowledge_with=schemas)
    assert [a.outcome for a in again.acks] == ["unchanged"]
    assert _acks_held_by_sps(c) == [ACK] and len(c.purchase_orders()) == 1


def test_an_ack_whose_upload_keeps_failing_stays_owed_with_its_reason(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    name = _landed_without_ack(c, "PO-ACK-1")
    rule = {
        "status": 429,
        "count": 10,
        "retry_after": 0,
        "method": "POST",
        "path_prefix": "/transactions/v5/data/in/",
    }
    with httpx.Client(base_url=c.box.sps_url, timeout=10) as http:
        assert http.post("/_sandbox/faults", json=rule).status_code == 201
    process_files(c.config, c.ledger, c.sps(), c.qbo(), [name], acknowledge_with=RsxSchemas(None))
    [owed] = unfinished_orders(c.ledger, c.config)
    assert owed.business_key == "PO-ACK-1" and owed.reason != ACK_OWED and "429" in (owed.reason or "")
    assert owed.attempts == 1 and _acks_held_by_sps(c) == []

    c.box.sps_faults.clear()
    [outcome] = process_files(c.config, c.ledger, c.sps(), c.qbo(), [name], acknowledge_with=RsxSchemas(None))
    assert [a.outcome for a in outcome.acks] == ["sent"]
    assert _acks_held_by_sps(c) == [ACK] and unfinished_orders(c.ledger, c.config) == []


def test_a_partner_without_acks_owes_none(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    data = yaml.safe_load(c.config_path.read_text())
    data["trading_partners"][0]["send_order_acks"] = False
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    c.config = load_config(c.config_path)
    _landed_without_ack(c, "PO-ACK-1")
    assert unfinished_orders(c.ledger, c.config) == []


def test_a_replacement_applied_without_its_ack_owes_a_new_855_once(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    schemas = RsxSchemas(None)
    c.box.sps.put_file(c.orders_folder + "PO-ACK-1.json", order_bytes("PO-ACK-1", ship_to=False))
    process_files(c.config, c.ledger, c.sps(), c.qbo(), ["PO-ACK-1.json"], acknowledge_with=schemas)
    assert _acks_held_by_sps(c) == [ACK] and unfinished_orders(c.ledger, c.config) == []

    replacement = json.loads(order_bytes("PO-ACK-1", ship_to=False))
    replacement["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
    replacement["LineItem"][0]["OrderLine"]["OrderQty"] = 6
    c.box.sps.put_file(c.orders_folder + "PO-ACK-1-05.json", json.dumps(replacement).encode())
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-ACK-1-05.json")
    sync_order_file(c.config, c.ledger, c.qbo(), "PO-ACK-1-05.json")  # ... and the run died here
    [owed] = unfinished_orders(c.ledger, c.config)
    assert owed.business_key == "PO-ACK-1" and owed.reason == ACK_OWED

    names = unfinished_order_files(c.ledger, c.config)
    assert names == ["PO-ACK-1-05.json"]
    [outcome] = process_files(c.config, c.ledger, c.sps(), c.qbo(), names, acknowledge_with=schemas)
    assert [a.outcome for a in outcome.acks] == ["sent"], outcome
    assert _acks_held_by_sps(c) == [ACK, ACK_05] and unfinished_orders(c.ledger, c.config) == []
    [again] = process_files(c.config, c.ledger, c.sps(), c.qbo(), names, acknowledge_with=schemas)
    assert [a.outcome for a in again.acks] == ["unchanged"]
    assert _acks_held_by_sps(c) == [ACK, ACK_05] and unfinished_orders(c.ledger, c.config) == []
