"""A failed order file's reason on its own partition page (dagster_support/waiting_partitions.py):
each asset a file failed to materialize gets an observation of that partition with the reason, the
field, what to do and how to re-run it; no other partition gets one, and none is taken for a
data version."""

from __future__ import annotations

import dagster as dg

from qbsps_orchestration.dagster_support.lineage import latest
from qbsps_orchestration.dagster_support.names import RANGE_END, RANGE_START
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import ACK_KEY, GOOD_LINE, QBO_KEY, SPS_KEY, order, statuses

FILES = {
    "PO1-good.json": order("PO1"),
    "PO2-unknown-item.json": order(
        "PO2", [{**GOOD_LINE, "BuyerPartNumber": "NOPE", "ConsumerPackageCode": None}]
    ),
    "PO3-broken.xml": b"<Order><Header>",
    "PO4-good.json": order("PO4"),
}


def _observed(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, dict[str, object]]:
    """Partition -> the metadata of its latest observation of ``key``."""
    records = instance.fetch_observations(dg.AssetRecordsFilter(asset_key=key), limit=100).records
    found: dict[str, dict[str, object]] = {}
    for record in records:  # newest first
        event = record.asset_observation
        assert event is not None and event.partition is not None
        found.setdefault(event.partition, {k: v.value for k, v in event.metadata.items()})
    return found


def test_each_failed_partition_and_only_it_is_observed_with_its_reason(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    for name, raw in FILES.items():
        c.box.sps.put_file(c.orders_folder + name, raw)
    keys = list(FILES)
    instance.add_dynamic_partitions(purchase_order_files.name, keys)
    run = (
        defs()
        .resolve_job_def("inbound_purchase_orders_job")
        .execute_in_process(
            instance=instance, tags={RANGE_START: keys[0], RANGE_END: keys[-1]}, raise_on_error=False
        )
    )
    assert not run.success
    for key in (SPS_KEY, QBO_KEY, ACK_KEY):  # observed exactly where Dagster shows a failed partition
        failed = {p for p, status in statuses(instance, key, keys).items() if status == "FAILED"}
        assert set(_observed(instance, key)) == failed, key
    assert set(_observed(instance, QBO_KEY)) == {"PO2-unknown-item.json", "PO3-broken.xml"}
    assert set(_observed(instance, SPS_KEY)) == {"PO3-broken.xml"}  # the other one was fetched

    # The unknown item: the same words as the step failure, and the ledger's advice and command.
    [failure] = [e for e in run.all_events if e.is_step_failure]
    entries = {e["file"]: e for e in failure.step_failure_data.user_failure_data.metadata["failed"].value}
    unknown = _observed(instance, QBO_KEY)["PO2-unknown-item.json"]
    assert unknown["reason"] == entries["PO2-unknown-item.json"]["reason"]
    assert "LineItem[0].OrderLine: unknown item" in str(unknown["reason"])
    assert unknown["field"] == "LineItem[0].OrderLine"
    assert str(unknown["what_to_do"]).startswith("map the retailer's item to a QBO Item")
    assert unknown["outcome"] == "waiting for a person"
    [doc] = [d for d in c.ledger.failed_documents() if d.business_key == "PO2"]
    assert f"qbsps replay {doc.id} --reason" in str(unknown["rerun"])
    assert "**Materialize…** this partition (`PO2-unknown-item.json`)" in str(unknown["rerun"])
    assert f"Order SPSALLTESTID/PO2 (ledger document {doc.id}, quarantined;" in str(unknown["document"])
    # The unreadable file: its own reason, on both assets it left failed.
    broken = _observed(instance, SPS_KEY)["PO3-broken.xml"]
    assert (
        broken["reason"]
        == entries["PO3-broken.xml"]["reason"]
        == _observed(instance, QBO_KEY)["PO3-broken.xml"]["reason"]
    )
    assert "the file itself is wrong" in str(broken["what_to_do"])

    # No version comes of them: lineage reads materializations (and tagged source observations).
    for key in (SPS_KEY, QBO_KEY):
        for partition in ("PO2-unknown-item.json", "PO3-broken.xml"):
            assert latest(instance, key, partition, observed=True) is None
            if key == QBO_KEY or partition == "PO3-broken.xml":
                assert latest(instance, key, partition, observed=False) is None
