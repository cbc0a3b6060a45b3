"""`qbsps sync inbound` and `qbsps status` with hostile files beside a good order, as an operator
runs them: the good order lands once, every hostile file is named with its reason, and neither the
mailbox nor a second sync re-drives them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from qbsps_orchestration.sandbox.sps.demo_orders import order_file
from qbsps_tests.hostile_files import GOOD, GOOD_NAME, HOSTILE, SMALL_LIMIT, TODAY
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector


def _qbsps(c: SandboxedConnector, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    return run_qbsps(list(args), env=env, cwd=home.parent)


def test_hostile_files_are_quarantined_and_named_in_status(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    config = yaml.safe_load(c.config_path.read_text())
    config["sps"]["max_file_bytes"] = SMALL_LIMIT  # the key an operator sets
    c.config_path.write_text(yaml.safe_dump(config))
    c.box.sps.put_file(c.orders_folder + GOOD_NAME, order_file(GOOD, TODAY))
    for hostile in HOSTILE:
        c.box.sps.put_file(c.orders_folder + hostile.name, hostile.content)

    first = _qbsps(c, home, "sync", "inbound")
    assert first.returncode == 1, first.stdout + first.stderr  # the quarantined files are reported
    assert "Traceback" not in first.stdout + first.stderr
    assert c.order_files() == []  # every file left the mailbox: none is re-driven
    marker = f"qbsps order {GOOD.partner.trading_partner_id}/{GOOD.po_number}"
    assert [po for po in c.purchase_orders() if marker in (po.get("PrivateNote") or "")] != []

    status = _qbsps(c, home, "status")
    assert status.returncode == 0, status.stderr
    for hostile in HOSTILE:
        [row] = [line for line in status.stdout.splitlines() if hostile.name in line]
        assert "quarantined" in row and hostile.reason in row, row

    again = _qbsps(c, home, "sync", "inbound")
    assert "nothing to do" in again.stdout, again.stdout + again.stderr
    landed = [po for po in c.purchase_orders() if marker in (po.get("PrivateNote") or "")]
    assert len(landed) == 1 and len(c.purchase_orders()) == 1  # counted in the sandbox company
    assert _qbsps(c, home, "status").stdout == status.stdout  # the second sync changed nothing
