"""`make bench`: python -m qbsps_tests.bench [--orders 1000] [--latency-ms 100] [--seed 1] [--out FILE]

Not part of `make test`: one run takes minutes. Prints a table and writes the JSON result (default
.qbsps/bench/latest.json). Exits 1 if either side left an order out of QBO."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .report import table, write_json
from .run import run_bench


@click.command()
@click.option("--orders", default=1000, show_default=True, help="Orders of 5 lines in the mailbox.")
@click.option("--latency-ms", default=100, show_default=True, help="Added to every QBO and SPS call.")
@click.option("--seed", default=1, show_default=True, help="Draws the orders' lines and quantities.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path(".qbsps/bench/latest.json"), show_default=True
)
def bench(orders: int, latency_ms: int, seed: int, out: Path) -> None:
    result = run_bench(orders, latency_ms, seed)
    click.echo(table(result))
    write_json(result, out)
    click.echo(f"  written to {out}")
    complete = all(result[side]["purchase_orders_in_qbo"] == orders for side in ("qbsps", "naive"))
    sys.exit(0 if complete and result["qbsps"]["exit_code"] == 0 else 1)


if __name__ == "__main__":
    bench()
