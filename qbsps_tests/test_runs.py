from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg

from qbsps_orchestration.dagster_support.batch_failure import batch_failure
from qbsps_orchestration.dagster_support.retry_requests import contiguous_ranges
from qbsps_orchestration.lib.ledger import Action, Ledger
from qbsps_orchestration.operator_views import sync_table
from qbsps_orchestration.runs import INBOUND_JOB, SyncReport, sync_report


def test_selected_keys_group_into_contiguous_ranges() -> None:
    ordered = ["a", "b", "c", "d", "e", "f"]
    assert contiguous_ranges(ordered, {"a", "b", "d", "f"}) == [("a", "b"), ("d", "d"), ("f", "f")]
    assert contiguous_ranges(ordered, set()) == []
    assert contiguous_ranges(ordered, set(ordered)) == [("a", "f")]


def test_ranges_are_cut_at_the_run_size() -> None:
    ordered = [f"k{n}" for n in range(7)]
    selected = set(ordered) - {"k3"}
    assert contiguous_ranges(ordered, selected, 2) == [("k0", "k1"), ("k2", "k2"), ("k4", "k5"), ("k6", "k6")]
    assert contiguous_ranges(ordered, selected) == [("k0", "k2"), ("k4", "k6")]


# -- the sync report: documents from the ledger, run facts from a real Dagster instance -------------

FOLDER = "out/PO/"


def _run(instance: dg.DagsterInstance, work: Callable[[str], None]) -> str:
    """A real run on ``instance`` whose op does ``work(run_id)``; returns its run id."""

    @dg.op
    def process_files(context) -> None:  # noqa: ANN001 - Dagster reads the annotation; left blank
        work(context.run.run_id)

    @dg.job
    def files_job() -> None:
        process_files()

    return files_job.execute_in_process(instance=instance, raise_on_error=False).run_id


def _order(ledger: Ledger, name: str, po: str) -> int:
    path = FOLDER + name
    outcome = ledger.record_inbound(
        "Order", "ACME", po, po.encode(), tset_purpose_code="00", source_path=path
    )
    ledger.note_file(path, name, [(outcome.document_id, outcome.version_id)])
    return outcome.document_id


def _created(ledger: Ledger, name: str, po: str, qbo_id: str) -> int:
    document_id = _order(ledger, name, po)
    intent = ledger.begin_intent(document_id, Action.CREATE)
    ledger.mark_synced(document_id, qbo_id, "0", qbo_entity="PurchaseOrder", intent_id=intent.id)
    return document_id


def _rows(report: SyncReport) -> list[tuple[str, ...]]:
    columns = ["partition", "document", "number", "outcome", "state", "QBO id", "run", "detail"]
    return [tuple(row) for row in report.rows[columns].itertuples(index=False, name=None)]


def test_the_sync_report_reads_documents_from_the_ledger_and_failures_from_the_run(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.migrate()

    def work(run_id: str) -> None:  # what the inbound op does, through the Ledger API, as this run
        book = ledger.as_actor("inbound_purchase_orders", run_id)
        _created(book, "good.xml", "PO-1", "71")
        _created(book, "no-ack.xml", "PO-2", "72")  # landed in QBO; its 855 then failed to build
        book.mark_failed(_order(book, "refused.xml", "PO-3"), "refused.xml: QBO refused the PurchaseOrder")
        book.schedule_retry(_order(book, "storm.xml", "PO-4"), "storm.xml: QBO 503")
        book.quarantine("quarantined.xml: unknown item", document_id=_order(book, "quarantined.xml", "PO-5"))
        raise batch_failure(
            "purchase order files",
            [
                ("no-ack.xml", "no-ack.xml: order acknowledgment: KeyError: 'Vendor'"),
                ("refused.xml", "refused.xml: QBO refused the PurchaseOrder"),
                ("quarantined.xml", "quarantined.xml: unknown item"),
                ("gone.xml", "gone.xml: not in the SPS mailbox and never fetched"),
            ],
            6,
        )

    keys = ["good.xml", "no-ack.xml", "refused.xml", "storm.xml", "quarantined.xml", "gone.xml"]
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = _run(instance, work)
        assert instance.get_run_by_id(run_id).status is dg.DagsterRunStatus.FAILURE
        report = sync_report(instance, ledger, FOLDER, INBOUND_JOB, keys, dict.fromkeys(keys, run_id))
    run = run_id[:8]
    assert report.run_ids == [run_id]
    assert report.failed == [
        "no-ack.xml",
        "refused.xml",
        "quarantined.xml",
        "gone.xml",
    ]  # as the run named them
    assert _rows(report) == [
        ("good.xml", "Order", "PO-1", "created", "synced", "71", run, "-"),
        ("no-ack.xml", "Order", "PO-2", "created", "synced", "72", run, "-"),
        # The ledger shows nothing wrong with it: the run's own reason says what failed.
        (
            "no-ack.xml",
            "-",
            "-",
            "failed",
            "-",
            "-",
            run,
            "no-ack.xml: order acknowledgment: KeyError: 'Vendor'",
        ),
        (
            "refused.xml",
            "Order",
            "PO-3",
            "failed",
            "failed",
            "-",
            run,
            "refused.xml: QBO refused the PurchaseOrder",
        ),
        ("storm.xml", "Order", "PO-4", "will retry", "pending", "-", run, "storm.xml: QBO 503"),
        (
            "quarantined.xml",
            "Order",
            "PO-5",
            "quarantined",
            "quarantined",
            "-",
            run,
            "quarantined.xml: unknown item",
        ),
        ("gone.xml", "-", "-", "failed", "-", "-", "-", "gone.xml: not in the SPS mailbox and never fetched"),
    ]
    assert report.outcomes("no-ack.xml") == ["created", "failed"]
    assert {str(dtype) for dtype in report.rows.dtypes} == {"object"}  # text cells only, never a float
    table = sync_table(report)
    assert table.splitlines()[0].split() == [
        "partition",
        "document",
        "partner",
        "number",
        "outcome",
        "state",
        "QBO",
        "id",
        "run",
        "detail",
    ]
    ledger.close()


def test_a_run_that_died_fails_each_of_its_partitions_with_its_error(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.migrate()

    def work(run_id: str) -> None:
        _order(ledger.as_actor("inbound_purchase_orders", run_id), "stored.xml", "PO-9")
        raise ConnectionError("the ledger's database went away")

    with dg.DagsterInstance.ephemeral() as instance:
        died = _run(instance, work)
        fine = _run(instance, lambda run_id: None)
        keys = ["stored.xml", "later.xml", "other.xml"]
        report = sync_report(
            instance,
            ledger,
            FOLDER,
            INBOUND_JOB,
            keys,
            {"stored.xml": died, "later.xml": died, "other.xml": fine},
        )
    assert report.run_ids == [died, fine]
    assert report.failed == ["stored.xml", "later.xml"]
    rows = _rows(report)
    assert rows[0] == ("stored.xml", "Order", "PO-9", "stored", "pending", "-", died[:8], "-")
    assert rows[1][:4] == ("later.xml", "-", "-", "failed")
    assert "the ledger's database went away" in rows[1][-1]
    assert len(rows) == 2  # stored.xml's own row shows it is owed; other.xml's run passed and left nothing
    assert (
        sync_table(SyncReport([], report.rows.iloc[0:0])) == "nothing to do: the SPS orders folder is empty"
    )
    ledger.close()
