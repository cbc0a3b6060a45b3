"""The inbound flow without Dagster: fetch + sync each mailbox file against the sandbox over HTTP."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.inbound import InboundDocumentError, fetch_order_file, sync_order_file
from qbsps_orchestration.lib.ledger import DocumentState
from qbsps_orchestration.sandbox.sps.seed import published_samples
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir


def _run(c: SandboxedConnector, names: list[str] | None = None) -> dict[str, list]:
    sps, qbo = c.sps(), c.qbo()
    results: dict[str, list] = {}
    for name in names if names is not None else c.order_files():
        try:
            fetch_order_file(c.config, c.ledger, sps, name)
            results[name] = sync_order_file(c.config, c.ledger, qbo, name)
        except InboundDocumentError as exc:
            results[name] = [exc]
    return results


def test_seeded_samples_land_as_purchase_orders_to_the_cent(connector: SandboxedConnector) -> None:
    files = connector.order_files()
    sources = {name: connector.box.sps.read_file(connector.orders_folder + name) for name in files}
    results = _run(connector)
    assert all(not isinstance(r[0], Exception) for r in results.values()), results
    assert connector.order_files() == []  # each file left the mailbox once stored
    pos = {(po["PrivateNote"].splitlines()[0]): po for po in connector.purchase_orders()}
    assert len(pos) == 5  # four JSON samples (distinct PO numbers) and the XML sample (525GROMM)
    for name, raw in sources.items():
        if not name.endswith(".json"):
            continue
        order = json.loads(raw.decode("utf-8-sig"))
        header = order["Header"]["OrderHeader"]
        po = pos[f"qbsps order {header['TradingPartnerId']}/{header['PurchaseOrderNumber']}"]
        item_lines = [line for line in po["Line"] if line["DetailType"] == "ItemBasedExpenseLineDetail"]
        for line, source in zip(item_lines, order["LineItem"], strict=True):
            qty, price = (
                Decimal(str(source["OrderLine"]["OrderQty"])),
                Decimal(str(source["OrderLine"]["PurchasePrice"])),
            )
            detail = line["ItemBasedExpenseLineDetail"]
            assert (detail["Qty"], detail["UnitPrice"], line["Amount"]) == (
                qty,
                price,
                (qty * price).quantize(Decimal("0.01")),
            )
        assert po["DocNumber"] == header["PurchaseOrderNumber"]
    warned = {r.source for rs in results.values() for r in rs if r.warnings}
    assert "PO112853-1-v7.7-CrossDock.json" in warned and "PO584615-1-v7.7-BulkImport.json" not in warned


def test_fetching_and_replaying_again_creates_nothing_new(connector: SandboxedConnector) -> None:
    files = connector.order_files()
    _run(connector)
    before = {po["Id"]: po["SyncToken"] for po in connector.purchase_orders()}
    for name in files:  # SPS delivers every file again
        connector.box.sps.put_file(
            connector.orders_folder + name,
            connector.ledger.version(
                connector.ledger.file_documents(connector.orders_folder + name)[0][1]
            ).payload,
        )
    again = _run(connector)
    replayed = _run(connector, files)  # re-materialize: files already gone from the mailbox
    assert {po["Id"]: po["SyncToken"] for po in connector.purchase_orders()} == before
    outcomes = {r.outcome for rs in [*again.values(), *replayed.values()] for r in rs}
    assert outcomes == {"up to date"}


def test_published_samples_give_one_document_and_three_conflicts(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    for name, raw in published_samples(shared_dir() / "sps_samples").items():
        c.box.sps.put_file(c.orders_folder + name, raw)
    results = _run(c)
    outcomes = sorted(r.outcome for rs in results.values() for r in rs)
    assert outcomes == ["conflict held"] * 3 + ["created"]
    assert len(c.purchase_orders()) == 1
    assert len(c.ledger.held_conflicts()) == 3
    # An operator accepts one conflict as a replacement: the same QBO document is updated.
    conflict = c.ledger.held_conflicts()[0]
    c.ledger.accept_conflict(conflict.id, actor="operator")
    name = conflict.source_path.rsplit("/", 1)[1]
    [result] = sync_order_file(c.config, c.ledger, c.qbo(), name)
    assert result.outcome == "updated" and len(c.purchase_orders()) == 1
    assert c.purchase_orders()[0]["SyncToken"] == "1"


def _order(po: str, lines: list[dict], purpose: str = "00") -> bytes:
    return json.dumps(
        {
            "Header": {
                "OrderHeader": {
                    "TradingPartnerId": "SPSALLTESTID",
                    "PurchaseOrderNumber": po,
                    "TsetPurposeCode": purpose,
                    "PurchaseOrderDate": "2026-11-20",
                    "Vendor": "VEND6174",
                }
            },
            "LineItem": [{"OrderLine": line} for line in lines],
            "Summary": {"TotalLineItemNumber": len(lines)},
        }
    ).encode()


GOOD_LINE = {
    "BuyerPartNumber": "SPSBuyerItem1",
    "ConsumerPackageCode": "859563003863",
    "OrderQty": 4,
    "PurchasePrice": "20.00",
}


def test_bad_documents_fail_alone_and_keep_their_bytes(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    bad = {
        "PO1-unknown-item.json": _order(
            "PO1", [{**GOOD_LINE, "BuyerPartNumber": "NOPE", "ConsumerPackageCode": None}]
        ),
        "PO2-no-number.json": _order("", [GOOD_LINE]),
        "PO3-broken.xml": b"<Order><Header><OrderHeader><TradingPartnerId>SPSALLTESTID</Trading",
    }
    for name, raw in {**bad, "PO4-good.json": _order("PO4", [GOOD_LINE])}.items():
        c.box.sps.put_file(c.orders_folder + name, raw)
    results = _run(c)
    assert [r.outcome for r in results["PO4-good.json"]] == ["created"]
    for name, raw in bad.items():
        [error] = results[name]
        assert isinstance(error, InboundDocumentError) and name in str(error)
        [(document_id, version_id)] = c.ledger.file_documents(c.orders_folder + name)
        assert c.ledger.version(version_id).payload == raw
        assert c.ledger.document(document_id).state is DocumentState.QUARANTINED
    assert "LineItem[0].OrderLine" in str(results["PO1-unknown-item.json"][0])
    assert "PurchaseOrderNumber" in str(results["PO2-no-number.json"][0])
    assert len(c.purchase_orders()) == 1


def test_a_fixed_mapping_lets_the_replay_land(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    line = {"BuyerPartNumber": "NEW-ITEM", "OrderQty": 2, "PurchasePrice": "5.00"}
    c.box.sps.put_file(c.orders_folder + "PO9.json", _order("PO9", [line]))
    [error] = _run(c)["PO9.json"]
    assert isinstance(error, InboundDocumentError) and "'NEW-ITEM'" in str(error)
    # The operator adds the missing cross-reference row and re-runs the document.
    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    data = yaml.safe_load(c.config_path.read_text())
    data["items"].append({"qbo_item": {"id": item["Id"]}, "buyer_part_number": "NEW-ITEM"})
    c.config_path.write_text(yaml.safe_dump(data))
    [result] = sync_order_file(load_config(c.config_path), c.ledger, c.qbo(), "PO9.json")
    assert result.outcome == "created"
    po = c.box.qbo.find("PurchaseOrder", Id=result.qbo_id)[0]
    assert po["Line"][0]["ItemBasedExpenseLineDetail"]["ItemRef"]["value"] == item["Id"]
    events = [e.event for e in c.ledger.audit_trail(result.document_id)]
    assert events.index("quarantined") < events.index("requeued") < events.index("synced")


def test_replacement_updates_and_cancellation_closes(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    c.box.sps.put_file(c.orders_folder + "PO5-a.json", _order("PO5", [GOOD_LINE]))
    _run(c)
    c.box.sps.put_file(c.orders_folder + "PO5-b.json", _order("PO5", [{**GOOD_LINE, "OrderQty": 7}], "05"))
    assert [r.outcome for r in _run(c)["PO5-b.json"]] == ["updated"]
    [po] = c.purchase_orders()
    assert po["Line"][0]["ItemBasedExpenseLineDetail"]["Qty"] == 7 and po["POStatus"] == "Open"
    c.box.sps.put_file(c.orders_folder + "PO5-c.json", _order("PO5", [GOOD_LINE], "01"))
    assert [r.outcome for r in _run(c)["PO5-c.json"]] == ["closed"]
    [po] = c.purchase_orders()
    assert po["POStatus"] == "Closed"


def test_a_crash_between_the_qbo_write_and_the_ledger_update_creates_one_document(
    empty_connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = empty_connector
    c.box.sps.put_file(c.orders_folder + "PO6.json", _order("PO6", [GOOD_LINE]))
    fetch_order_file(c.config, c.ledger, c.sps(), "PO6.json")

    def crash(*_: object, **__: object) -> None:
        raise SystemExit("killed after the QBO write")

    monkeypatch.setattr(type(c.ledger), "mark_synced", crash)
    with pytest.raises(SystemExit):
        sync_order_file(c.config, c.ledger, c.qbo(), "PO6.json")
    monkeypatch.undo()
    assert len(c.purchase_orders()) == 1 and c.ledger.open_intents()
    [result] = sync_order_file(c.config, c.ledger, c.qbo(), "PO6.json")
    assert result.outcome == "created" and len(c.purchase_orders()) == 1
    assert not c.ledger.open_intents()


def test_two_retailers_with_the_same_po_number_get_two_findable_documents(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    c.box.sps.put_file(c.orders_folder + "A.json", _order("PO-SAME-1", [GOOD_LINE]))
    other = json.loads(_order("PO-SAME-1", [GOOD_LINE]))
    other["Header"]["OrderHeader"]["TradingPartnerId"] = "525GROMM"
    c.box.sps.put_file(c.orders_folder + "B.json", json.dumps(other).encode())
    long_po = "1234567890123456789012"  # 22 characters
    c.box.sps.put_file(c.orders_folder + "C.json", _order(long_po, [GOOD_LINE]))
    results = _run(c)
    assert all(r.outcome == "created" for rs in results.values() for r in rs)
    numbers = sorted(po["DocNumber"] for po in c.purchase_orders())
    assert "PO-SAME-1" in numbers and len(set(numbers)) == 3 and all(len(n) <= 21 for n in numbers)
    for po_number in ("PO-SAME-1", long_po):
        assert sum(po_number in po.get("Memo", "") for po in c.purchase_orders()) == (
            2 if po_number == "PO-SAME-1" else 1
        )


def test_qbsps_own_demo_orders_land_on_a_machine_without_the_samples(
    empty_connector: SandboxedConnector,
) -> None:
    """A fresh machine has no ../shared: the sandbox seeds qbsps's own orders, and they must map."""
    from datetime import date

    from qbsps_orchestration.sandbox.sps.demo_orders import demo_order_files

    c = empty_connector
    for name, raw in demo_order_files(date(2026, 11, 27)).items():
        c.box.sps.put_file(c.orders_folder + name, raw)
    results = _run(c)
    assert all(r.outcome == "created" for rs in results.values() for r in rs), results
    assert len(c.purchase_orders()) == len(results) >= 3


def test_a_bookkeepers_change_in_qbo_sends_the_updated_855_once(empty_connector: SandboxedConnector) -> None:
    from qbsps_orchestration.lib.documents.order_ack.ack_changes import LineChange
    from qbsps_orchestration.lib.documents.schemas import RsxSchemas
    from qbsps_orchestration.lib.inbound.batch import process_files

    c = empty_connector
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    c.box.sps.put_file(c.orders_folder + "PO7.json", _order("PO7", [GOOD_LINE]))
    [first] = process_files(c.config, c.ledger, c.sps(), c.qbo(), ["PO7.json"], acknowledge_with=schemas)
    assert [a.outcome for a in first.acks] == ["sent"] and first.acks[0].changes == ()
    sent = json.loads(c.ledger.version(first.acks[0].version_id).payload)
    assert sent["Header"]["OrderHeader"]["AcknowledgementType"] == "AD"

    po = c.purchase_orders()[0]  # the bookkeeper ships 3 of the 4 ordered, at another price
    line = po["Line"][0]
    detail = {**line["ItemBasedExpenseLineDetail"], "Qty": 3, "UnitPrice": Decimal("19.50")}
    c.qbo().sparse_update(
        "PurchaseOrder",
        po["Id"],
        {"Line": [{**line, "Amount": Decimal("58.50"), "ItemBasedExpenseLineDetail": detail}]},
        request_id="po7-qty",
    )
    acks_only = {"fetch": False, "sync": False, "acknowledge_with": schemas}
    [updated] = process_files(c.config, c.ledger, c.sps(), c.qbo(), ["PO7.json"], **acks_only)
    [ack_result] = updated.acks
    assert ack_result.outcome == "sent" and updated.ack_error is None, updated
    assert ack_result.path.endswith("PRPO7-SPSALLTESTID-v7.7-r2.json")  # its own path, never overwriting
    ack = json.loads(c.ledger.version(ack_result.version_id).payload)
    header = ack["Header"]["OrderHeader"]
    assert (header["TsetPurposeCode"], header["AcknowledgementType"]) == ("05", "AC")
    status = ack["LineItem"][0]["LineItemAcknowledgement"][0]
    assert (status["ItemStatusCode"], status["ItemScheduleQty"], status["PurchasePrice"]) == ("IC", 3, 19.5)
    assert ack["Summary"]["TotalAmount"] == 58.5
    item = GOOD_LINE["BuyerPartNumber"]
    assert [(ch.field, ch.before, ch.after) for ch in ack_result.changes] == [
        ("status", "IA", "IC"),
        ("quantity", "4", "3"),
        ("price", None, "19.5"),
        ("acknowledgement type", "AD", "AC"),
    ]
    assert ack_result.changes[0] == LineChange("1", item, "status", "IA", "IC")

    [again] = process_files(c.config, c.ledger, c.sps(), c.qbo(), ["PO7.json"], **acks_only)
    assert [a.outcome for a in again.acks] == ["unchanged"]
    acks = [h["path"] for h in c.box.sps.history() if h["direction"] == "inbound"]
    assert acks == ["/in/PRPO7-SPSALLTESTID-v7.7.json", "/in/PRPO7-SPSALLTESTID-v7.7-r2.json"]


def test_create_policy_makes_a_noninventory_item_once_and_reuses_it(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    data = yaml.safe_load(c.config_path.read_text())
    data["trading_partners"][0]["unknown_items"] = "create"
    c.config_path.write_text(yaml.safe_dump(data))
    config = load_config(c.config_path)
    line = {
        "BuyerPartNumber": "BRAND-NEW-7",
        "VendorPartNumber": "SUP-7",
        "OrderQty": 2,
        "PurchasePrice": "9.50",
    }
    for po in ("PO71", "PO72"):
        c.box.sps.put_file(c.orders_folder + f"{po}.json", _order(po, [line]))
        fetch_order_file(config, c.ledger, c.sps(), f"{po}.json")
        [result] = sync_order_file(config, c.ledger, c.qbo(), f"{po}.json")
        assert result.outcome == "created"
    [item] = c.box.qbo.find("Item", Sku="SUP-7")
    assert item["Type"] == "NonInventory" and item["Name"] == "SPSALLTESTID BRAND-NEW-7"
    accounts = {a["Id"]: a["AccountType"] for a in c.box.qbo.find("Account")}
    assert accounts[item["IncomeAccountRef"]["value"]] == "Income"
    refs = {po["Line"][0]["ItemBasedExpenseLineDetail"]["ItemRef"]["value"] for po in c.purchase_orders()}
    assert refs == {item["Id"]}  # the second order found the item the first one created


def test_a_new_orders_855_is_built_from_the_creates_answer(empty_connector: SandboxedConnector) -> None:
    """With the reference snapshots fresh, fetching, writing and acknowledging a new order reads
    nothing metered from QBO (counted by the sandbox): the 855 uses the PurchaseOrder the create
    returned instead of reading it back."""
    import httpx

    from qbsps_orchestration.lib.documents.schemas import RsxSchemas
    from qbsps_orchestration.lib.inbound.batch import process_files
    from qbsps_orchestration.lib.ledger import REFERENCE_ENTITIES
    from qbsps_orchestration.lib.reference.snapshot import refresh_reference

    c = empty_connector
    realm = c.config.qbo.realm_id
    for entity in REFERENCE_ENTITIES:
        refresh_reference(c.qbo(), c.ledger, realm, entity)

    def reads() -> int:
        usage = httpx.get(f"{c.box.qbo_url}/_sandbox/qbo/usage", trust_env=False).json()
        return usage.get(realm, {}).get("reads", 0)

    before = reads()
    c.box.sps.put_file(c.orders_folder + "PO9.json", _order("PO9", [GOOD_LINE]))
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    [outcome] = process_files(c.config, c.ledger, c.sps(), c.qbo(), ["PO9.json"], acknowledge_with=schemas)
    assert [a.outcome for a in outcome.acks] == ["sent"], outcome
    assert reads() - before == 0
    [po] = c.purchase_orders()
    built_from = outcome.acks[0].built_from  # the version QBO holds
    assert built_from is not None and built_from.sync_token == str(po["SyncToken"])
