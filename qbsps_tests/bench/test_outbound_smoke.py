"""`make bench`'s outbound side end to end at tiny N without latency: the real `qbsps sync
outbound` and the naive client each put an 810 and an 856 per invoice into their own SPS sandbox,
counted there; and the webhook path with a real daemon times one change (after the warm-up)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbsps_tests.bench.__main__ import bench
from qbsps_tests.bench.webhook import percentile, run_webhook_latency

FIGURES = {
    "wall_seconds",
    "documents_per_minute",
    "invoices_per_minute",
    "accepted_810",
    "accepted_856",
    "complete",
    "qbo_calls",
    "qbo_per_document",
    "sps_calls",
    "sps_per_document",
}


@pytest.mark.long
def test_outbound_bench_of_three_invoices(tmp_path: Path) -> None:
    out = tmp_path / "outbound.json"
    args = [
        "--outbound",
        "3",
        "--webhook-changes",
        "0",
        "--latency-ms",
        "0",
        "--seed",
        "7",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(bench, args)
    assert result.exit_code == 0, result.output
    assert "invoices/min" in result.output
    data = json.loads(out.read_text())

    assert (data["invoices"], data["documents"], data["latency_ms"], data["seed"]) == (3, 6, 0, 7)
    for side in ("qbsps", "naive"):
        figures = data[side]
        assert set(figures) >= FIGURES, side
        # Counted in that side's SPS history: each 810 and 856 accepted once, nothing else.
        assert (figures["accepted_810"], figures["accepted_856"]) == (3, 3), side
        assert figures["complete"] and not figures["missing"] and not figures["duplicated"], side
        assert figures["wall_seconds"] > 0
        assert figures["documents_per_minute"] == pytest.approx(6 / figures["wall_seconds"] * 60, rel=0.05)
        assert figures["sps_calls"]["uploads"] == 6, side  # no upload repeated
    assert data["qbsps"]["exit_code"] == 0
    assert 50 < data["qbsps"]["peak_rss_mb"] < 2000
    # The naive client: one invoice read each, one upload per document, one SPS and one QBO token.
    naive = data["naive"]
    assert {k: naive["qbo_calls"][k] for k in ("reads", "writes", "batch_calls")} == {
        "reads": 3,
        "writes": 0,
        "batch_calls": 0,
    }
    assert naive["sps_calls"]["total"] == 6 + 1
    ratio = data["qbsps"]["documents_per_minute"] / naive["documents_per_minute"]
    assert data["qbsps_over_naive"] == pytest.approx(ratio, abs=0.01)


@pytest.mark.long
def test_webhook_latency_of_one_change() -> None:
    hook = run_webhook_latency(1, 0, 7, spacing_seconds=0)
    assert hook["changes"] == 1
    [change] = hook["per_change"]
    assert 0 < change["run_queued"] <= change["run_started"] < change["accepted_810"]  # type: ignore[operator]
    assert hook["p50_seconds"] == hook["p95_seconds"] == change["accepted_810"]
    assert hook["first_change"]["accepted_810"] > 0


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 100)) == (10.0, 19.0, 20.0)
    assert percentile([3.0], 95) == 3.0
