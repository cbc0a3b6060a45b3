"""`make bench` end to end at N=5 without latency: the real `qbsps sync inbound` and the naive
client each put the 5 orders into their own sandbox company, and the JSON carries every figure
(counted by the sandboxes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbsps_tests.bench.__main__ import bench

FIGURES = {
    "wall_seconds",
    "documents_per_minute",
    "ratio_to_throttle_bound",
    "purchase_orders_in_qbo",
    "qbo_calls",
    "qbo_per_document",
    "sps_calls",
    "sps_per_document",
}
QBO_COUNTS = {"reads", "writes", "batch_calls", "batch_ops", "throttled"}


@pytest.mark.long
def test_bench_of_five_orders(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        bench, ["--orders", "5", "--latency-ms", "0", "--seed", "7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "documents/min" in result.output
    data = json.loads(out.read_text())

    assert (data["orders"], data["lines_per_order"], data["latency_ms"], data["seed"]) == (5, 5, 0, 7)
    assert data["throttle_bound"]["documents_per_minute"] == 1660
    for side in ("qbsps", "naive"):
        figures = data[side]
        assert set(figures) >= FIGURES, side
        assert set(figures["qbo_calls"]) == QBO_COUNTS
        assert figures["purchase_orders_in_qbo"] == 5  # counted in that side's sandbox company
        assert figures["wall_seconds"] > 0
        assert figures["documents_per_minute"] == pytest.approx(5 / figures["wall_seconds"] * 60, rel=0.01)
    qbsps = data["qbsps"]
    assert qbsps["exit_code"] == 0
    assert qbsps["qbo_calls"]["writes"] + qbsps["qbo_calls"]["batch_ops"] >= 5
    assert 50 < qbsps["peak_rss_mb"] < 2000
    # The naive client: per order a vendor and 5 item queries and one create; SPS: one listing, a
    # download and a delete per order, one token.
    naive = data["naive"]
    assert {k: naive["qbo_calls"][k] for k in ("reads", "writes", "batch_calls")} == {
        "reads": 30,
        "writes": 5,
        "batch_calls": 0,
    }
    assert naive["sps_calls"] | {"history": 0} == {
        "lists": 1,
        "downloads": 5,
        "uploads": 0,
        "deletes": 5,
        "history": 0,
        "tokens": 1,
        "total": 12,
    }
    ratio = qbsps["documents_per_minute"] / naive["documents_per_minute"]
    assert data["qbsps_over_naive"] == pytest.approx(ratio, abs=0.01)


@pytest.mark.long
def test_bench_without_the_naive_client_reports_qbsps_alone(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    arguments = ["--orders", "3", "--latency-ms", "0", "--no-naive", "--out", str(out)]
    result = CliRunner().invoke(bench, arguments)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["naive"] is None and data["qbsps_over_naive"] is None
    assert data["qbsps"]["purchase_orders_in_qbo"] == 3  # counted in the sandbox's QBO
    assert "qbsps / naive: - (the naive client was not run)" in result.output
