"""The webhook path, timed per invoice with the daemon running: M orders landed, then a real
`dagster-daemon` (the repo's dagster.yaml: queued runs, each launched in its own process) and the
webhook receiver; the sandbox's QBO posts signed change events to it. Invoices are changed one at a
time, each after the last one's 810 was accepted: QBO change → webhook → ledger inbox →
qbo_webhook_sensor → run → 810 accepted in SPS, timed on the sandbox's one clock (the change's
time, the history's acceptance timestamp). The first change is reported apart: it meets a daemon
whose code location and sensors have just started."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import requests

from qbsps_orchestration.dagster_support.names import RANGE_START
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.outbound.flow import invoice_key
from qbsps_orchestration.lib.webhooks.receiver import webhook_app
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_tests.support import REPO

from .invoices import create_invoice, customer_id, unthrottled
from .orders import PARTNER, bench_orders
from .qbsps_run import prepare_workdir, run_qbsps_sync
from .stage import bench_sandbox

DAEMON = str(Path(sys.executable).parent / "dagster-daemon")
ARRIVAL_TIMEOUT_SECONDS = 120


def run_webhook_latency(changes: int, latency_ms: int, seed: int, *, spacing_seconds: float = 1.0) -> dict:
    """Latency of ``changes`` invoice changes plus one warm-up, one at a time."""
    workdir = Path(tempfile.mkdtemp(prefix="qbsps-bench-hook-"))
    try:
        with bench_sandbox(latency_ms, bench_orders(changes + 1, seed)) as box:
            env = prepare_workdir(box, workdir)
            with unthrottled(box):
                landing = run_qbsps_sync(env, workdir, "inbound")
            if landing.returncode != 0:
                raise RuntimeError(f"landing the orders failed:\n{landing.output_tail}")
            pos = sorted(box.qbo.find("PurchaseOrder"), key=lambda po: po["DocNumber"])
            timings = _measure(box, env, workdir, pos, spacing_seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    first, warm = timings[0], timings[1:]
    seconds = [float(t["accepted_810"] or 0) for t in warm]
    return {
        "changes": len(warm),
        "latency_ms": latency_ms,
        "spacing_seconds": spacing_seconds,
        "first_change": first,
        "p50_seconds": round(percentile(seconds, 50), 2),
        "p95_seconds": round(percentile(seconds, 95), 2),
        "max_seconds": round(max(seconds), 2),
        "p50_stages": {
            stage: round(percentile([float(t[stage]) for t in warm if t[stage] is not None], 50), 2)
            for stage in ("run_queued", "run_started", "accepted_810")
            if any(t[stage] is not None for t in warm)
        },
        "per_change": warm,
        "target_p95_seconds": 10,
    }


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _measure(
    box: Sandbox, env: dict[str, str], workdir: Path, pos: list[dict], spacing: float
) -> list[float]:
    config = load_config(Path(env["QBSPS_CONFIG"]))
    home = Path(env["DAGSTER_HOME"])
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")  # queued runs, as `make dev` runs them
    receiver = ServedApp(
        webhook_app(
            lambda: open_ledger(config, actor="webhooks"),
            config.qbo.webhook_verifier_token.resolve(),
            [config.qbo.realm_id],
        )
    ).start()
    log = (workdir / "daemon.log").open("wb")
    daemon = subprocess.Popen(
        [DAEMON, "run", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its run workers are in its process group: stopped with it
    )
    try:
        requests.post(
            f"{box.qbo_url}/_sandbox/qbo/webhooks",
            json={"url": f"{receiver.base_url}/webhooks/qbo", "format": "cloudevents"},
            timeout=10,
        ).raise_for_status()
        with dg.DagsterInstance.from_config(str(home)) as instance:
            _wait(lambda: len(instance.get_daemon_heartbeats()) >= 2, 120, "the Dagster daemon to start")
            customer = customer_id(env["QBSPS_CONFIG"])
            timings = []
            for po in pos:
                changed = box.clock.now()
                number = create_invoice(box, po, customer, changed.date())
                accepted = _wait(
                    lambda n=number: _accepted_810(box, n), ARRIVAL_TIMEOUT_SECONDS, f"{number}'s 810"
                )
                timings.append(_stages(instance, box, number, changed, accepted))
                time.sleep(spacing)
            return timings
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        log.close()
        receiver.stop()


def _stages(
    instance: dg.DagsterInstance, box: Sandbox, number: str, changed: datetime, accepted: datetime
) -> dict[str, float | None]:
    """Seconds after the change: the sensor's run queued, its worker started, the 810 accepted (the
    run's own records; the sandbox clock is the wall clock here, so both are on one time line)."""
    key = invoice_key(str(box.qbo.find("Invoice", DocNumber=number)[0]["Id"]))
    records = instance.get_run_records(filters=dg.RunsFilter(tags={RANGE_START: key}))
    run = min(records, key=lambda r: r.create_timestamp.timestamp(), default=None)
    at = changed.timestamp()
    started = run.start_time if run is not None else None
    return {
        "run_queued": round(run.create_timestamp.timestamp() - at, 2) if run is not None else None,
        "run_started": round(started - at, 2) if started is not None else None,
        "accepted_810": round((accepted - changed).total_seconds(), 2),
    }


def _accepted_810(box: Sandbox, number: str) -> datetime | None:
    name = f"IN{number}-{PARTNER.trading_partner_id}-v7.7.json"
    for entry in box.sps.history():
        status = entry["status_log"][-1]
        ours = entry["direction"] == "inbound" and entry["path"].endswith("/" + name)
        if ours and status["status"] == "accepted":
            return datetime.fromisoformat(status["timestamp"].replace("Z", "+00:00"))
    return None


def _wait(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
