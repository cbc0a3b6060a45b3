"""Lineage through real Dagster runs against the sandbox: an 810's and an 856's data version is the
sha256 of the bytes the SPS sandbox accepted, each records the QBO Invoice version (observed on
qbo_invoices) it was built from; unchanged content keeps its version, a changed invoice gets a new one."""

from __future__ import annotations

import dagster as dg

from qbsps_orchestration.dagster_support.lineage import (
    DATA_VERSION_TAG,
    INPUT_POINTER_PREFIX,
    INPUT_VERSION_PREFIX,
)
from qbsps_orchestration.dagster_support.names import TAG_RESEND
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.outbound.partitions import qbo_invoices
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import order

SOURCE = dg.AssetKey("qbo_invoices")
INVOICES, SHIP_NOTICES = dg.AssetKey("sps_invoices"), dg.AssetKey("sps_ship_notices")


def _run(instance: dg.DagsterInstance, key: str, tags: dict[str, str] | None = None) -> None:
    job = defs().resolve_job_def("outbound_documents_job")
    assert job.execute_in_process(instance=instance, partition_key=key, tags=tags or {}).success


def _latest(instance: dg.DagsterInstance, asset: dg.AssetKey, key: str, *, observed: bool = False):
    record = instance.get_latest_data_version_record(asset, observed, key)
    assert record is not None
    event = record.asset_observation if observed else record.asset_materialization
    return record.storage_id, event


def _versions(instance: dg.DagsterInstance, key: str) -> dict[dg.AssetKey, str]:
    return {
        asset: _latest(instance, asset, key)[1].tags[DATA_VERSION_TAG] for asset in (INVOICES, SHIP_NOTICES)
    }


def test_each_document_version_is_the_accepted_bytes_and_names_its_qbo_version(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-L1.json", order("PO-L1"))
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-L1.json")
    sync_order_file(c.config, c.ledger, c.qbo(), "PO-L1.json")
    invoice = c.create_invoice("INV-L1", "PO-L1")
    key = f"invoice-{invoice['Id']}"
    instance.add_dynamic_partitions(qbo_invoices.name, [key])
    _run(instance, key)

    observed_id, observation = _latest(instance, SOURCE, key, observed=True)
    qbo_version = f"Invoice {invoice['Id']} SyncToken {invoice['SyncToken']}"
    assert observation.tags[DATA_VERSION_TAG] == qbo_version
    invoice_id, sent_invoice = _latest(instance, INVOICES, key)
    _, ship_notice = _latest(instance, SHIP_NOTICES, key)
    for event in (sent_invoice, ship_notice):
        assert event.tags[DATA_VERSION_TAG] == c.accepted_sha(event.metadata["sps_path"].value)
        assert event.metadata["content_sha256"].value == event.tags[DATA_VERSION_TAG]
        assert event.metadata["built_from"].value == qbo_version
        assert event.tags[INPUT_VERSION_PREFIX + "qbo_invoices"] == qbo_version
        assert event.tags[INPUT_POINTER_PREFIX + "qbo_invoices"] == str(observed_id)
    assert ship_notice.tags[INPUT_VERSION_PREFIX + "sps_invoices"] == sent_invoice.tags[DATA_VERSION_TAG]
    provenance = dg.DataProvenance.from_tags(ship_notice.tags)  # as Dagster reads it back
    assert provenance is not None and provenance.is_user_provided
    assert provenance.input_data_versions == {
        SOURCE: dg.DataVersion(qbo_version),
        INVOICES: dg.DataVersion(sent_invoice.tags[DATA_VERSION_TAG]),
    }
    assert provenance.input_storage_ids == {SOURCE: observed_id, INVOICES: invoice_id}
    assert ship_notice.tags[INPUT_POINTER_PREFIX + "sps_invoices"] == str(invoice_id)
    first = _versions(instance, key)
    uploads = len(c.box.sps.history())

    # The same invoice again: nothing sent, the same versions, the QBO version not observed twice.
    _run(instance, key)
    assert _versions(instance, key) == first and len(c.box.sps.history()) == uploads
    assert _latest(instance, SOURCE, key, observed=True)[0] == observed_id

    # A bookkeeper changes the invoice in QBO: a new QBO version, a new 810 and 856, each accepted.
    changed = c.qbo().sparse_update("Invoice", invoice["Id"], {"TxnDate": "2026-11-27"}, request_id="redate")
    assert changed["SyncToken"] != invoice["SyncToken"]
    _run(instance, key, {TAG_RESEND: "true"})
    new_version = f"Invoice {invoice['Id']} SyncToken {changed['SyncToken']}"
    assert _latest(instance, SOURCE, key, observed=True)[1].tags[DATA_VERSION_TAG] == new_version
    for asset in (INVOICES, SHIP_NOTICES):
        _, event = _latest(instance, asset, key)
        assert event.tags[DATA_VERSION_TAG] != first[asset]
        assert event.tags[DATA_VERSION_TAG] == c.accepted_sha(event.metadata["sps_path"].value)
        assert event.tags[INPUT_VERSION_PREFIX + "qbo_invoices"] == new_version
