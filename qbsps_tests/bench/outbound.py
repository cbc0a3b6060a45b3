"""One outbound bench run: N bench orders landed, N shipped invoices made in QBO for them, then a
real `qbsps sync outbound` (CDC, Dagster runs, 810 and 856 uploads) with the throttles on and the
latency back. Timed from the moment the last change was recorded in QBO to the last upload SPS
accepted (its own history's timestamps); the calls are the sandboxes' meters over the measured run
only; completeness is counted in SPS's history, never from qbsps's report."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

from qbsps_orchestration.sandbox.runtime import Sandbox

from .invoices import create_invoice, customer_id, expected_uploads, unthrottled
from .orders import LINES_PER_ORDER, bench_orders
from .qbsps_run import prepare_workdir, run_qbsps_sync
from .stage import bench_sandbox, usage, usage_since

KINDS = ("IN", "SH")  # 810, 856


def run_outbound_bench(invoices: int, latency_ms: int, seed: int, *, keep_workdir: bool = False) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="qbsps-bench-out-"))
    try:
        with bench_sandbox(latency_ms, bench_orders(invoices, seed)) as box:
            env = prepare_workdir(box, workdir)
            with unthrottled(box):
                landing = run_qbsps_sync(env, workdir, "inbound")
                if landing.returncode != 0:
                    raise RuntimeError(f"landing the orders failed:\n{landing.output_tail}")
                pos = sorted(box.qbo.find("PurchaseOrder"), key=lambda po: po["DocNumber"])
                if len(pos) != invoices:
                    raise RuntimeError(f"{len(pos)} of {invoices} orders landed in QBO")
            before = usage(box)
            first_change = box.clock.now()
            customer, today = customer_id(env["QBSPS_CONFIG"]), first_change.date()
            numbers = [create_invoice(box, po, customer, today) for po in pos]
            recorded = box.clock.now()  # every change is in QBO: the clock starts
            sync = run_qbsps_sync(env, workdir, "outbound")
            qbo, sps = usage_since(box, before)
            accepted, last = accepted_outbound(box)
    finally:
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    expected = expected_uploads(numbers)
    documents = len(expected)
    wall = (last - recorded).total_seconds() if last else sync.seconds
    per_doc = (lambda count: round(count / documents, 3)) if documents else (lambda count: 0.0)
    figures = {
        "wall_seconds": round(wall, 2),
        "from_first_change_seconds": round((last - first_change).total_seconds(), 2) if last else None,
        "sync_process_seconds": round(sync.seconds, 2),
        "documents_per_minute": round(documents / wall * 60, 1) if wall > 0 else 0.0,
        "invoices_per_minute": round(invoices / wall * 60, 1) if wall > 0 else 0.0,
        "accepted_810": sum(n for name, n in accepted.items() if name.startswith("IN")),
        "accepted_856": sum(n for name, n in accepted.items() if name.startswith("SH")),
        "missing": sorted(set(expected) - set(accepted)),
        "duplicated": sorted(name for name, n in accepted.items() if n > 1),
        "unexpected": sorted(set(accepted) - set(expected)),
        "qbo_calls": qbo,
        "qbo_per_document": {name: per_doc(count) for name, count in qbo.items()},
        "sps_calls": sps,
        "sps_per_document": per_doc(sps["total"]),
        "exit_code": sync.returncode,
        "peak_rss_mb": round(sync.peak_rss_mb, 1),
    }
    if sync.returncode != 0:
        figures["output_tail"] = sync.output_tail
    figures["complete"] = accepted == Counter(expected)
    return {
        "invoices": invoices,
        "documents": documents,
        "lines_per_invoice": LINES_PER_ORDER,
        "latency_ms": latency_ms,
        "seed": seed,
        "throttles": {"requests_per_minute": 500, "requests_per_second": 10, "batch_calls_per_minute": 40},
        "target": {"invoices": 1000, "seconds": 180},
        "qbsps": figures,
    }


def accepted_outbound(box: Sandbox) -> tuple[Counter[str], datetime | None]:
    """Accepted 810 and 856 uploads in SPS's history by file name, and when the last was accepted."""
    names: Counter[str] = Counter()
    last: datetime | None = None
    for entry in box.sps.history():
        name = entry["path"].rsplit("/", 1)[1]
        status = entry["status_log"][-1]
        if entry["direction"] == "inbound" and name.startswith(KINDS) and status["status"] == "accepted":
            names[name] += 1
            at = datetime.fromisoformat(status["timestamp"].replace("Z", "+00:00"))
            last = at if last is None or at > last else last
    return names, last
