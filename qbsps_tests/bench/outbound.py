"""One outbound bench run: N shipped invoices changed in QBO, moved into SPS as an 810 and an 856
each, by qbsps (a real `qbsps sync outbound`: CDC, Dagster runs, the ledger) and by the naive
client, each against a fresh sandbox with the throttles on and the same latency. On the qbsps side
the invoices bill orders that landed through `qbsps sync inbound` (unthrottled, no latency: not
what is measured). Each side is timed from the moment the last change was recorded in QBO to the
last upload SPS accepted (its history's timestamps); calls are the sandboxes' meters over that span;
completeness is counted in SPS's history, never from either client's own report."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.sandbox.runtime import Sandbox

from .invoices import (
    create_invoice,
    create_invoice_of,
    customer_id,
    expected_uploads,
    order_lines,
    unthrottled,
)
from .naive import NaiveOutbound
from .orders import LINES_PER_ORDER, BenchOrder, bench_orders
from .qbsps_run import prepare_workdir, run_qbsps_sync
from .stage import bench_sandbox, usage, usage_since

KINDS = ("IN", "SH")  # 810, 856


def run_outbound_bench(
    invoices: int, latency_ms: int, seed: int, *, naive: bool = True, keep_workdir: bool = False
) -> dict:
    orders = bench_orders(invoices, seed)
    workdir = Path(tempfile.mkdtemp(prefix="qbsps-bench-out-"))
    try:
        qbsps = _qbsps_side(orders, latency_ms, workdir / "qbsps")
        baseline = _naive_side(orders, latency_ms, workdir / "naive") if naive else None
    finally:
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = None
    if baseline is not None and baseline["documents_per_minute"]:
        ratio = round(qbsps["documents_per_minute"] / baseline["documents_per_minute"], 2)
    return {
        "invoices": invoices,
        "documents": 2 * invoices,
        "lines_per_invoice": LINES_PER_ORDER,
        "latency_ms": latency_ms,
        "seed": seed,
        "throttles": {"requests_per_minute": 500, "requests_per_second": 10, "batch_calls_per_minute": 40},
        "target": {"invoices": 1000, "seconds": 180},
        "qbsps": qbsps,
        "naive": baseline,
        "qbsps_over_naive": ratio,
    }


def _qbsps_side(orders: list[BenchOrder], latency_ms: int, workdir: Path) -> dict:
    with bench_sandbox(latency_ms, orders) as box:
        env = prepare_workdir(box, workdir)
        with unthrottled(box):
            landing = run_qbsps_sync(env, workdir, "inbound")
            pos = sorted(box.qbo.find("PurchaseOrder"), key=lambda po: po["DocNumber"])
        if landing.returncode != 0 or len(pos) != len(orders):
            raise RuntimeError(f"{len(pos)} of {len(orders)} orders landed:\n{landing.output_tail}")
        before, first_change = usage(box), box.clock.now()
        customer, today = customer_id(env["QBSPS_CONFIG"]), first_change.date()
        numbers = [create_invoice(box, po, customer, today) for po in pos]
        recorded = box.clock.now()  # every change is in QBO: the clock starts
        sync = run_qbsps_sync(env, workdir, "outbound")
        figures = _figures(box, before, numbers, first_change, recorded, sync.seconds)
    figures |= {"exit_code": sync.returncode, "peak_rss_mb": round(sync.peak_rss_mb, 1)}
    if sync.returncode != 0:
        figures["output_tail"] = sync.output_tail
    return figures


def _naive_side(orders: list[BenchOrder], latency_ms: int, workdir: Path) -> dict:
    with bench_sandbox(latency_ms, []) as box:
        env = prepare_workdir(box, workdir)  # its config: the items' cross-reference for the 810
        config = load_config(Path(env["QBSPS_CONFIG"]))
        before, first_change = usage(box), box.clock.now()
        client = NaiveOutbound(box.info(), config, {o.number: o.content for o in orders})  # its tokens
        customer, today = customer_id(env["QBSPS_CONFIG"]), first_change.date()
        numbers = [create_invoice_of(box, o.number, order_lines(box, o), customer, today) for o in orders]
        ids = [str(box.qbo.find("Invoice", DocNumber=n)[0]["Id"]) for n in numbers]
        recorded = box.clock.now()
        started = time.monotonic()
        client.send_all(ids)
        return _figures(box, before, numbers, first_change, recorded, time.monotonic() - started)


def _figures(
    box: Sandbox,
    before: tuple[dict[str, int], dict[str, int]],
    numbers: list[str],
    first_change: datetime,
    recorded: datetime,
    process_seconds: float,
) -> dict:
    qbo, sps = usage_since(box, before)
    accepted, last = accepted_outbound(box)
    expected = expected_uploads(numbers)
    documents = len(expected)
    wall = (last - recorded).total_seconds() if last else process_seconds
    per_doc = (lambda count: round(count / documents, 3)) if documents else (lambda count: 0.0)
    return {
        "wall_seconds": round(wall, 3),
        "from_first_change_seconds": round((last - first_change).total_seconds(), 2) if last else None,
        "process_seconds": round(process_seconds, 2),
        "documents_per_minute": round(documents / wall * 60, 1) if wall > 0 else 0.0,
        "invoices_per_minute": round(len(numbers) / wall * 60, 1) if wall > 0 else 0.0,
        "accepted_810": sum(n for name, n in accepted.items() if name.startswith("IN")),
        "accepted_856": sum(n for name, n in accepted.items() if name.startswith("SH")),
        "missing": sorted(set(expected) - set(accepted)),
        "duplicated": sorted(name for name, n in accepted.items() if n > 1),
        "unexpected": sorted(set(accepted) - set(expected)),
        "complete": accepted == Counter(expected),
        "qbo_calls": qbo,
        "qbo_per_document": {name: per_doc(count) for name, count in qbo.items()},
        "sps_calls": sps,
        "sps_per_document": per_doc(sps["total"]),
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
