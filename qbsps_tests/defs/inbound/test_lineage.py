"""Lineage of an inbound order through real Dagster runs against the sandbox: the order's content
hash versions sps_purchase_orders, the QBO PurchaseOrder's Id and SyncToken version
qbo_purchase_orders (built from that order), the 855's data version is the sha256 of the bytes the
SPS sandbox accepted (built from the QBO version read for it); a re-run keeps every version, a
bookkeeper's change in QBO gives the 855 a new one, built from the QBO version qbsps did not write."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg

from qbsps_orchestration.dagster_support.lineage import (
    DATA_VERSION_TAG,
    INPUT_POINTER_PREFIX,
    INPUT_VERSION_PREFIX,
)
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.lib.inbound.fetch import content_hash
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import ACK_KEY, QBO_KEY, SPS_KEY, order, tick

FILE = "PO-LN1.json"


def _latest(instance: dg.DagsterInstance, asset: dg.AssetKey) -> tuple[int, dg.AssetMaterialization]:
    record = instance.get_latest_data_version_record(asset, False, FILE)
    assert record is not None and record.asset_materialization is not None
    return record.storage_id, record.asset_materialization


def _run(instance: dg.DagsterInstance, job: str) -> None:
    result = defs().resolve_job_def(job).execute_in_process(instance=instance, partition_key=FILE)
    assert result.success


def _versions(instance: dg.DagsterInstance) -> list[str]:
    return [_latest(instance, key)[1].tags[DATA_VERSION_TAG] for key in (SPS_KEY, QBO_KEY, ACK_KEY)]


def test_order_po_and_855_versions_and_what_each_was_built_from(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    raw = order("PO-LN1")
    c.box.sps.put_file(c.orders_folder + FILE, raw)
    tick(instance, c, None)  # adds the file's partition
    _run(instance, "inbound_purchase_orders_job")

    order_id, fetched = _latest(instance, SPS_KEY)
    order_version = content_hash(read_rsx(raw, source=FILE, doc_type="Order")[0])
    assert fetched.tags[DATA_VERSION_TAG] == order_version
    po_id, synced = _latest(instance, QBO_KEY)
    [po] = c.purchase_orders()
    qbo_version = f"PurchaseOrder {po['Id']} SyncToken {po['SyncToken']}"
    assert synced.tags[DATA_VERSION_TAG] == qbo_version
    assert synced.tags[INPUT_VERSION_PREFIX + "sps_purchase_orders"] == order_version
    assert synced.tags[INPUT_POINTER_PREFIX + "sps_purchase_orders"] == str(order_id)
    _, ack = _latest(instance, ACK_KEY)
    assert (
        ack.tags[DATA_VERSION_TAG]
        == c.accepted_sha(ack.metadata["sps_path"].value)
        == ack.metadata["content_sha256"].value
    )
    assert ack.tags[INPUT_VERSION_PREFIX + "qbo_purchase_orders"] == qbo_version
    assert ack.tags[INPUT_POINTER_PREFIX + "qbo_purchase_orders"] == str(po_id)
    first, uploads = _versions(instance), len(c.box.sps.history())

    # Replaying the file: nothing written or sent again, every version the same.
    _run(instance, "inbound_purchase_orders_job")
    assert _versions(instance) == first and len(c.box.sps.history()) == uploads

    # A bookkeeper halves the quantity in QBO: a new 855 version, built from QBO's new version.
    line = po["Line"][0]
    detail = {**line["ItemBasedExpenseLineDetail"], "Qty": 2}
    change = {"Line": [{**line, "Amount": Decimal("40.00"), "ItemBasedExpenseLineDetail": detail}]}
    changed = c.qbo().sparse_update("PurchaseOrder", po["Id"], change, request_id="bk-lineage")
    _run(instance, "order_acks_job")
    _, updated = _latest(instance, ACK_KEY)
    assert updated.tags[DATA_VERSION_TAG] != first[2]
    assert updated.tags[DATA_VERSION_TAG] == c.accepted_sha(updated.metadata["sps_path"].value)
    new_version = f"PurchaseOrder {po['Id']} SyncToken {changed['SyncToken']}"
    assert updated.tags[INPUT_VERSION_PREFIX + "qbo_purchase_orders"] == new_version != qbo_version
    assert _versions(instance)[:2] == first[:2]  # the order and qbsps's own write are unchanged
