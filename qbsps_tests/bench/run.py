"""One bench run: the same N orders through qbsps (a real `qbsps sync inbound`, Dagster and all)
and through the naive client, each against a fresh sandbox company with the same throttles and
latency; the figures of both, counted by the sandbox."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from qbsps_orchestration.sandbox.seed_catalog import PARTNERS

from .limits import THROTTLE_BOUND_PER_MINUTE, formula, throttle_bound_seconds
from .naive import NaiveClient
from .orders import LINES_PER_ORDER, BenchOrder, bench_orders
from .qbsps_run import run_qbsps_inbound
from .stage import bench_sandbox, purchase_orders_in_qbo, usage


def run_bench(
    orders: int, latency_ms: int, seed: int, *, naive: bool = True, keep_workdir: bool = False
) -> dict:
    documents = bench_orders(orders, seed)
    workdir = Path(tempfile.mkdtemp(prefix="qbsps-bench-"))
    try:
        with bench_sandbox(latency_ms, documents) as box:
            sync = run_qbsps_inbound(box, workdir)
            qbsps = _figures(orders, sync.seconds, *usage(box), purchase_orders_in_qbo(box))
            qbsps |= {"exit_code": sync.returncode, "peak_rss_mb": round(sync.peak_rss_mb, 1)}
            if sync.returncode != 0:
                qbsps["output_tail"] = sync.output_tail
        naive_figures = _naive(orders, latency_ms, documents) if naive else None
    finally:
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return {
        "orders": orders,
        "lines_per_order": LINES_PER_ORDER,
        "latency_ms": latency_ms,
        "seed": seed,
        "throttles": {"requests_per_minute": 500, "requests_per_second": 10, "batch_calls_per_minute": 40},
        "throttle_bound": {
            "documents_per_minute": THROTTLE_BOUND_PER_MINUTE,
            "seconds": round(throttle_bound_seconds(orders), 2),
            "formula": formula(),
        },
        "qbsps": qbsps,
        "naive": naive_figures,
        "qbsps_over_naive": round(qbsps["documents_per_minute"] / naive_figures["documents_per_minute"], 2)
        if naive_figures and naive_figures["documents_per_minute"]
        else None,
    }


def _naive(orders: int, latency_ms: int, documents: list[BenchOrder]) -> dict:
    """The naive client over the same orders, on a fresh sandbox company like qbsps's."""
    with bench_sandbox(latency_ms, documents) as box:
        client = NaiveClient(
            box.info(), {p.trading_partner_id: p.name for p in PARTNERS}, box.settings.sps.orders_folder
        )
        started = time.monotonic()
        client.run()
        return _figures(orders, time.monotonic() - started, *usage(box), purchase_orders_in_qbo(box))


def _figures(orders: int, seconds: float, qbo: dict, sps: dict, in_qbo: int) -> dict:
    per_minute = orders / seconds * 60 if seconds > 0 else 0.0
    per_doc = (lambda count: round(count / orders, 3)) if orders else (lambda count: 0.0)
    return {
        "wall_seconds": round(seconds, 2),
        "documents_per_minute": round(per_minute, 1),
        "ratio_to_throttle_bound": round(per_minute / THROTTLE_BOUND_PER_MINUTE, 4),
        "purchase_orders_in_qbo": in_qbo,
        "qbo_calls": qbo,
        "qbo_per_document": {name: per_doc(count) for name, count in qbo.items()},
        "sps_calls": sps,
        "sps_per_document": per_doc(sps["total"]),
    }
