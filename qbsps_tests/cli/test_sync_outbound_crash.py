"""Issue 9, change inbox, as an operator meets it: `qbsps sync outbound` SIGKILLed after it recorded
the changes loses none of them, and a run that failed leaves its change pending for the next sync.
Counted on the SPS sandbox's side (its history: every upload it received)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import wait_for

from .test_sync import _qbsps

QBSPS = str(Path(sys.executable).parent / "qbsps")  # the run it SIGKILLs is a process of its own

INVOICES = 60


def _uploads(c: SandboxedConnector) -> dict[str, int]:
    """Per file name: how many times SPS received it (order acks aside)."""
    counts: dict[str, int] = {}
    for entry in c.box.sps.history():
        name = entry["path"].rsplit("/", 1)[1]
        if entry["direction"] == "inbound" and not name.startswith("PR"):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _expected(numbers: list[str]) -> dict[str, int]:
    return {f"{kind}{n}-SPSALLTESTID-v7.7.json": 1 for n in numbers for kind in ("IN", "SH")}


@pytest.mark.long
def test_sigkill_after_the_changes_were_recorded_loses_nothing_and_sends_nothing_twice(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    c.without_history_lag()
    sps, qbo = c.sps(), c.qbo()
    numbers = [f"INV-K{i:02d}" for i in range(INVOICES)]
    # Made an hour ago: the first sync's CDC finds them, a later one (2 minutes' overlap) does not,
    # so after the kill only the inbox knows what is still owed.
    c.box.clock.advance(-3600)
    for i, number in enumerate(numbers):
        land_order(c, f"PO-K{i:02d}", sps=sps, qbo=qbo)
        c.create_invoice(number, f"PO-K{i:02d}")
    c.box.clock.advance(3600)  # back to the present: SPS's history and qbsps's clock agree again
    seed = int(os.environ.get("QBSPS_CHAOS_SEED", random.randrange(1 << 32)))
    # Uploads start only once the sync recorded the changes, so any count of them is a point after.
    kill_after = random.Random(seed).randint(1, 2 * INVOICES - 20)
    print(f"seed {seed}: SIGKILL once SPS holds {kill_after} uploads")

    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    sync = subprocess.Popen(
        [QBSPS, "sync", "outbound"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: sum(_uploads(c).values()) >= kill_after or sync.poll() is not None, 300, "uploads")
    finally:
        sync.send_signal(signal.SIGKILL)
        sync.wait(30)
    killed_at = sum(_uploads(c).values())
    assert killed_at < 2 * INVOICES, f"seed {seed}: the sync finished before the kill"

    second = _qbsps(c, home, "sync", "outbound")
    third = _qbsps(c, home, "sync", "outbound")
    assert third.returncode == 0, f"seed {seed}:\n{second.stdout}\n{third.stdout}{third.stderr}"
    assert _uploads(c) == _expected(numbers), f"seed {seed}, killed after {killed_at} uploads"
    assert c.ledger.pending_changes() == []


def test_a_change_survives_a_failed_run_and_the_next_sync_sends_it(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    land_order(c, "PO-F1")
    c.create_invoice("INV-F1", "PO-F1")
    with httpx.Client(base_url=c.box.sps_url, timeout=10) as http:  # SPS refuses the first upload
        rule = {"status": 400, "count": 1, "method": "POST", "path_prefix": "/transactions/v5/data/in/"}
        assert http.post("/_sandbox/faults", json=rule).status_code == 201

    failed = _qbsps(c, home, "sync", "outbound")
    assert failed.returncode == 1 and " failed" in failed.stdout, failed.stdout + failed.stderr
    assert len(_uploads(c)) == 1  # the other document went
    assert len(c.ledger.pending_changes(entity="Invoice")) == 1  # kept for the next sync

    sent = _qbsps(c, home, "sync", "outbound")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert _uploads(c) == _expected(["INV-F1"])
    assert c.ledger.pending_changes() == []
