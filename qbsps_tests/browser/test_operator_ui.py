"""The Dagster UI as an operator uses it, in a real Chromium driven by Playwright, after the demo's
flows ran on the embedded default (stack.py): the asset graph and its lineage; a failed order's
partition and its reason, on that partition's page and in its run; the cause fixed and that one
partition re-run from the UI, checked in the sandbox's QuickBooks; a missed window of
`qbo_invoice_changes` (three hours) backfilled from the UI, the backfill run by the daemon; and,
after a bookkeeper deleted an order's PurchaseOrder in QuickBooks, the reconciliation materialized
from the UI and its table naming that order.
Every action is a click or a typed value in the UI; state is confirmed on the far side (the
sandbox) or in the Dagster instance. Screenshots of each step: browser.ARTIFACTS."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger, qbo_client
from qbsps_orchestration.lib.ledger import Direction
from qbsps_tests.browser.browser import ARTIFACTS, chromium_or_skip, chromium_page, dismiss_community_dialog
from qbsps_tests.browser.stack import UNMAPPED_PART, WAITING_FILE, OperatorStack, operator_stack
from qbsps_tests.support import wait_for

INVOICE_CHANGES = dg.AssetKey("qbo_invoice_changes")
RECONCILIATION = dg.AssetKey("reconciliation")
RUN_TIMEOUT = 240  # seconds for a run launched from the UI to finish (the daemon queues it first)


@pytest.mark.long
@pytest.mark.timeout(900)
def test_an_operator_sees_fixes_reruns_and_backfills_in_the_dagster_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_measurement
) -> None:
    started = time.monotonic()
    chromium = chromium_or_skip()
    shots = _fresh(ARTIFACTS)
    with operator_stack(tmp_path, monkeypatch) as stack, chromium_page(chromium) as page:
        assert stack.inbound.failed == [WAITING_FILE] and not stack.outbound.failed
        shot = _shooter(page, shots)
        page.goto(stack.ui)
        dismiss_community_dialog(page, wait=15)
        _asset_graph_with_lineage(page, stack, shot)
        _failed_partition_and_its_reason(page, stack, shot)
        _fix_and_rerun_the_partition(page, stack, shot)
        _backfill_a_missed_window(page, stack, shot)
        _reconciliation_table(page, stack, shot)
    print(f"browser test screenshots: {shots}")
    report_measurement(f"{time.monotonic() - started:.0f} s, screenshots in {shots}")


def _asset_graph_with_lineage(page, stack: OperatorStack, shot) -> None:  # noqa: ANN001
    page.goto(f"{stack.ui}/locations/qbsps/asset-groups/sps_inbound")
    chain = ("sps_purchase_orders", "qbo_purchase_orders", "sps_order_acks")
    nodes = [page.get_by_text(asset, exact=True).first for asset in chain]
    for node in nodes:
        node.wait_for()
    # The graph lays each asset out to the right of what it is built from: the chain in that order.
    lefts = [node.bounding_box()["x"] for node in nodes]
    assert lefts == sorted(lefts) and len(set(lefts)) == 3, dict(zip(chain, lefts, strict=True))
    shot("1-asset-graph")
    page.goto(f"{stack.ui}/assets/qbo_purchase_orders")  # the middle asset's own page
    page.get_by_text("Upstream assets").wait_for()
    body = page.inner_text("body")
    lineage = body[body.index("Upstream assets") :]
    upstream, downstream = lineage.split("Downstream assets", 1)
    assert "sps_purchase_orders" in upstream and "sps_order_acks" not in upstream
    assert "sps_order_acks" in downstream.split("Definition", 1)[0]
    shot("1-asset-lineage")


def _failed_partition_and_its_reason(page, stack: OperatorStack, shot) -> None:  # noqa: ANN001
    page.goto(f"{stack.ui}/assets/qbo_purchase_orders?view=partitions&partition={WAITING_FILE}")
    page.get_by_text("did not materialize this asset").wait_for()
    shot("2-failed-partition")
    # On the partition's own page: the observation logged for it (dagster_support/waiting_partitions.py),
    # under "View all historical events": a partition never materialized has no latest
    # materialization whose metadata the page would show.
    page.get_by_role("button", name=re.compile(r"^View all historical events")).click()
    events = page.get_by_role("dialog")
    events.get_by_text(f"Historical events for {WAITING_FILE}").wait_for()
    events.get_by_role("row").filter(has_text="Observation").get_by_role("button").first.click()
    events.get_by_text("waiting for a person", exact=True).wait_for()
    shown = events.inner_text()
    assert f"no QBO item for BuyerPartNumber '{UNMAPPED_PART}'" in shown, shown  # the reason
    assert "LineItem[0].OrderLine" in shown, shown  # the field
    assert "map the retailer's item to a QBO Item" in shown, shown  # what to do
    assert re.search(r"qbsps replay \d+ --reason", shown), shown  # the command that re-runs it
    shot("2-failed-partition-reason")
    events.get_by_role("button", name="OK").click()
    events.wait_for(state="hidden")
    # Also in the run's failure metadata (dagster_support/batch_failure.py): the run, its step
    # failure, the `reasons` entry.
    banner = page.get_by_text("did not materialize this asset")
    banner.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"))
    page.goto(page.url.split("?")[0] + "?logs=type:STEP_FAILURE")
    page.get_by_text("purchase order files failed").first.wait_for()
    page.get_by_text("[Show Markdown]").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(WAITING_FILE).first.wait_for()
    reason = dialog.inner_text()
    assert f"no QBO item for BuyerPartNumber '{UNMAPPED_PART}'" in reason, reason
    assert "What to do: map the retailer's item to a QBO Item" in reason, reason
    shot("2-failure-reason")
    page.keyboard.press("Escape")


def _fix_and_rerun_the_partition(page, stack: OperatorStack, shot) -> None:  # noqa: ANN001
    assert not stack.box.qbo.find("PurchaseOrder", DocNumber="PO-BROWSER-1")
    _map_the_item(stack)  # the operator's fix: the cross-reference row the reason asks for
    page.goto(f"{stack.ui}/assets/qbo_purchase_orders?view=partitions&partition={WAITING_FILE}")
    page.get_by_text("did not materialize this asset").wait_for()
    page.get_by_role("button", name="Materialize…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("1 partition", exact=True).wait_for()  # this partition only
    shot("3-rerun-one-partition")
    dialog.get_by_role("button", name="Launch 1 run").click()
    # The far side: the sandbox's QuickBooks now holds the purchase order, with the mapped item.
    [po] = wait_for(
        lambda: stack.box.qbo.find("PurchaseOrder", DocNumber="PO-BROWSER-1"), RUN_TIMEOUT, "the PO in QBO"
    )
    assert len(po["Line"]) == 1
    page.goto(f"{stack.ui}/assets/qbo_purchase_orders?view=partitions&partition={WAITING_FILE}")
    page.get_by_text("Latest materialization").wait_for()
    wait_for(
        lambda: _reloaded_without(page, "did not materialize this asset"), 60, "the partition materialized"
    )
    page.get_by_text("PurchaseOrder", exact=True).first.wait_for()  # its metadata: qbo_entity
    shot("3-partition-materialized")


def _backfill_a_missed_window(page, stack: OperatorStack, shot) -> None:  # noqa: ANN001
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [(now - timedelta(hours=h)).strftime("%Y-%m-%d-%H:00") for h in (4, 3, 2)]  # a few missed hours
    page.goto(f"{stack.ui}/assets/qbo_invoice_changes?view=partitions")
    page.get_by_text(hours[-1], exact=True).first.wait_for()
    page.get_by_role("button", name="Materialize…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Custom", exact=True).click()
    selection = dialog.get_by_role("textbox").first  # the partition selection, e.g. "[A...B]"
    selection.fill(f"[{hours[0]}...{hours[-1]}]")
    selection.press("Enter")
    dialog.get_by_text(f"{len(hours)} partitions", exact=True).wait_for()
    shot("4-backfill-missed-hours")
    # More than one partition: the dialog launches a backfill (the daemon of `dagster dev` runs it).
    dialog.get_by_role("button", name="Launch backfill", exact=True).click()
    with dg.DagsterInstance.get() as instance:
        [backfill] = wait_for(lambda: _backfills_of(instance, INVOICE_CHANGES), 60, "the backfill record")
        targets = backfill.asset_backfill_data.target_subset.iterate_asset_partitions()
        assert sorted((t.asset_key, t.partition_key) for t in targets) == [
            (INVOICE_CHANGES, h) for h in hours
        ]
        done = wait_for(lambda: _backfill_done(instance, backfill.backfill_id), RUN_TIMEOUT, "the backfill")
        assert done == "COMPLETED_SUCCESS", done
        assert set(hours) <= instance.get_materialized_partitions(INVOICE_CHANGES)
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
        assert sorted(r.tags["dagster/partition"] for r in runs) == hours  # one run per hour
        assert all(
            r.status is dg.DagsterRunStatus.SUCCESS and r.asset_selection == {INVOICE_CHANGES} for r in runs
        )
    page.goto(f"{stack.ui}/runs/b/{backfill.backfill_id}")  # the backfill's own page in the UI
    page.get_by_text(f"{hours[0]}...{hours[-1]}", exact=True).wait_for()  # its partition selection
    page.get_by_text("Succeeded", exact=True).first.wait_for()
    shot("4-backfill-completed")
    page.goto(f"{stack.ui}/assets/qbo_invoice_changes?view=partitions&partition={hours[1]}")
    page.get_by_text("Latest materialization").wait_for()
    wait_for(lambda: _reloaded_without(page, "No partition selected"), 30, "the hour's partition page")
    shot("4-hour-materialized")


def _reconciliation_table(page, stack: OperatorStack, shot) -> None:  # noqa: ANN001
    deleted = _delete_one_landed_order(stack)  # QuickBooks and SPS now disagree about this order
    page.goto(f"{stack.ui}/assets/reconciliation")
    page.get_by_text("Does QuickBooks agree with SPS?").first.wait_for()  # its description
    shot("5-reconciliation-asset")
    page.get_by_role("button", name=re.compile(r"Materialize")).first.click()
    with dg.DagsterInstance.get() as instance:
        wait_for(
            lambda: instance.get_latest_materialization_event(RECONCILIATION),
            RUN_TIMEOUT,
            "the reconciliation",
        )
    page.goto(f"{stack.ui}/assets/reconciliation")
    page.get_by_text("Latest materialization").wait_for()
    page.get_by_text("missing_in_qbo", exact=True).first.wait_for()  # the count per kind
    shot("5-reconciliation")
    shown = page.inner_text("body")
    if deleted not in shown:  # a long markdown table is one click away
        page.get_by_text("[Show Markdown]").first.click()
        shown = page.get_by_role("dialog").inner_text()
    assert deleted in shown and "missing_in_qbo" in shown, shown
    shot("5-reconciliation-table")


def _delete_one_landed_order(stack: OperatorStack) -> str:
    """A bookkeeper deletes one of the orders qbsps wrote (through the QBO API); its PO number."""
    config = load_config(stack.config_path)
    ledger = open_ledger(config, actor="browser test bookkeeper")
    try:
        client = qbo_client(config, ledger)
        try:
            partners = [partner.trading_partner_id for partner in config.trading_partners]
            po = next(
                p
                for p in stack.box.qbo.find("PurchaseOrder")
                if any(
                    (doc := ledger.find_document(Direction.INBOUND, "Order", partner, p.get("DocNumber", "")))
                    and doc.qbo_id == p["Id"]
                    for partner in partners
                )
            )
            client.delete("PurchaseOrder", po["Id"], po["SyncToken"], request_id="browser-delete-1")
        finally:
            client.close()
    finally:
        ledger.close()
    return po["DocNumber"]


def _backfills_of(instance: dg.DagsterInstance, key: dg.AssetKey) -> list:
    return [b for b in instance.get_backfills() if b.asset_selection and key in b.asset_selection]


def _backfill_done(instance: dg.DagsterInstance, backfill_id: str) -> str | None:
    backfill = instance.get_backfill(backfill_id)
    status = backfill.status.value if backfill is not None else None
    return status if status not in (None, "REQUESTED", "CANCELING", "FAILING") else None


def _finished(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus | None:
    run = instance.get_run_by_id(run_id)
    return run.status if run is not None and run.is_finished else None


def _map_the_item(stack: OperatorStack) -> None:
    data = yaml.safe_load(stack.config_path.read_text())
    [item] = stack.box.qbo.find("Item", Name="HD-20 Sample Item 1")
    data["items"].append({"qbo_item": {"id": str(item["Id"])}, "buyer_part_number": UNMAPPED_PART})
    stack.config_path.write_text(yaml.safe_dump(data, sort_keys=False))


def _reloaded_without(page, text: str) -> bool:  # noqa: ANN001
    page.reload()
    page.wait_for_load_state("networkidle")
    return page.get_by_text(text).count() == 0


def _shooter(page, folder: Path):  # noqa: ANN001, ANN202
    def shot(name: str) -> None:
        page.wait_for_load_state("networkidle")
        dismiss_community_dialog(page, wait=0)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


def _fresh(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder
