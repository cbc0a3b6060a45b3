"""`make bench`: python -m qbsps_tests.bench [--orders 1000] [--latency-ms 100] [--seed 1] [--out FILE]
[--no-naive: qbsps alone, e.g. for 10,000 orders, which the naive client takes hours over]
and the outbound side: python -m qbsps_tests.bench --outbound 1000 [--webhook-changes 20] [--no-naive]

Not part of `make test`: one run takes minutes. Prints a table and writes the JSON result (default
.qbsps/bench/latest.json, .qbsps/bench/outbound.json for --outbound). Exits 1 if either side left
an order out of QBO, or an invoice's 810 or 856 out of SPS (or sent twice)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .outbound import run_outbound_bench
from .report import outbound_table, table, write_json
from .run import run_bench
from .webhook import run_webhook_latency


@click.command()
@click.option("--orders", default=1000, show_default=True, help="Orders of 5 lines in the mailbox.")
@click.option(
    "--outbound", default=0, show_default=True, help="Instead: this many invoices changed in QBO -> SPS."
)
@click.option(
    "--webhook-changes",
    default=20,
    show_default=True,
    help="With --outbound: invoices changed one at a time "
    "with the daemon running, each timed to its 810 in SPS (0: skip).",
)
@click.option("--naive/--no-naive", default=True, show_default=True, help="Run the naive baseline too.")
@click.option("--latency-ms", default=100, show_default=True, help="Added to every QBO and SPS call.")
@click.option("--seed", default=1, show_default=True, help="Draws the orders' lines and quantities.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="[default: .qbsps/bench/...]")
def bench(
    orders: int,
    outbound: int,
    webhook_changes: int,
    naive: bool,
    latency_ms: int,
    seed: int,
    out: Path | None,
) -> None:
    if outbound:
        result = run_outbound_bench(outbound, latency_ms, seed, naive=naive)
        if webhook_changes:
            result["webhook"] = run_webhook_latency(webhook_changes, latency_ms, seed)
        click.echo(outbound_table(result))
        sides = [result[side] for side in ("qbsps", "naive") if result[side]]
        ok = all(side["complete"] for side in sides) and result["qbsps"]["exit_code"] == 0
    else:
        result = run_bench(orders, latency_ms, seed, naive=naive)
        click.echo(table(result))
        sides = [result[side] for side in ("qbsps", "naive") if result[side]]
        complete = all(side["purchase_orders_in_qbo"] == orders for side in sides)
        ok = complete and result["qbsps"]["exit_code"] == 0
    out = out or Path(".qbsps/bench") / ("outbound.json" if outbound else "latest.json")
    write_json(result, out)
    click.echo(f"  written to {out}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    bench()
