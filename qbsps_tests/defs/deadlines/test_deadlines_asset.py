"""The deadlines asset as Dagster materializes it, against the sandbox: the same world as
`qbsps deadlines` (an order landed with no 855 and its invoice shipped with nothing sent; another
acknowledged, invoiced and sent). The UI's table names the missed 856 and 810 first, the counts
cover every row, and the check warns with the missed rows; with nothing missed it passes."""

from __future__ import annotations

import dagster as dg

from qbsps_orchestration.defs.deadlines.assets import DEADLINES, NO_MISSED, deadlines
from qbsps_tests.defs.inbound.helpers import resources
from qbsps_tests.lib.deadlines.partner_deadlines import acknowledge, land, ship_and_send, with_deadlines
from qbsps_tests.sandboxed import SandboxedConnector


def _materialize(instance: dg.DagsterInstance, c: SandboxedConnector) -> dg.AssetCheckEvaluation:
    result = dg.materialize([deadlines], instance=instance, resources=resources(c))
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == NO_MISSED
    return check


def test_missed_deadlines_show_in_the_table_and_warn_in_the_check(
    instance: dg.DagsterInstance, empty_connector: SandboxedConnector
) -> None:
    c = empty_connector
    with_deadlines(c)
    land(c, "PO-UI-1")  # no 855 sent
    c.create_invoice("INV-UI-1", "PO-UI-1")  # shipped a week ago, nothing sent: 856 and 810 missed
    acknowledge(c, "PO-UI-2", land(c, "PO-UI-2"))
    ship_and_send(c, "INV-UI-2", "PO-UI-2")

    check = _materialize(instance, c)

    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["missed"].value == 2 and check.description == "2 missed"
    rows = check.metadata["rows"].value
    assert rows.count("PO-UI-1") == 2 and "PO-UI-2" not in rows
    assert "| 2.50 " in rows  # the 856's chargeback as the partner's rule gives it, never the float 2.5
    event = instance.get_latest_materialization_event(DEADLINES)
    assert event is not None and event.asset_materialization is not None
    metadata = event.asset_materialization.metadata
    counts = {state: metadata[state].value for state in ("missed", "near", "open", "met")}
    assert counts == {"missed": 2, "near": 0, "open": 1, "met": 3} and metadata["watched"].value == 6
    table = metadata["table"].value
    assert table.index("ship notice (856)") < table.index("order acknowledgment (855)")  # missed first


def test_with_nothing_missed_the_check_passes(
    instance: dg.DagsterInstance, empty_connector: SandboxedConnector
) -> None:
    c = empty_connector
    with_deadlines(c)
    acknowledge(c, "PO-UI-3", land(c, "PO-UI-3"))
    check = _materialize(instance, c)
    assert check.passed and check.description == "none missed"


def test_without_a_deadlines_block_the_table_says_so(
    instance: dg.DagsterInstance, empty_connector: SandboxedConnector
) -> None:
    check = _materialize(instance, empty_connector)
    assert check.passed
    event = instance.get_latest_materialization_event(DEADLINES)
    assert event is not None and event.asset_materialization is not None
    assert "no trading partner has a deadlines: block" in event.asset_materialization.metadata["table"].value
