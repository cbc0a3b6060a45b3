"""`make chaos`: python -m qbsps_tests.chaos [--orders 1000] [--invoices 500] [--kills 10] [--seed N]

The flows run side by side, each in its own process with its own sandbox and ledger. The seed is
printed first, so a failure is replayed with --seed. Exits 1 if any flow lost or doubled a document
or left its audit incomplete; that flow's work folder (ledger, Dagster storage) is kept for a look."""

from __future__ import annotations

import multiprocessing
import random
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

import click

from .flows import run_flow


@click.command()
@click.option("--orders", default=1000, show_default=True, help="Orders for the inbound flow (0: skip).")
@click.option("--invoices", default=500, show_default=True, help="Invoices for the outbound flow (0: skip).")
@click.option("--kills", default=10, show_default=True, help="SIGKILLs per flow.")
@click.option("--seed", type=int, default=None, help="Replay a run (default: a fresh random seed).")
def chaos(orders: int, invoices: int, kills: int, seed: int | None) -> None:
    seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
    click.echo(f"chaos seed {seed} (replay: make chaos CHAOS_ARGS='--seed {seed}')")
    flows = [(name, size) for name, size in (("inbound", orders), ("outbound", invoices)) if size > 0]
    ok = True
    spawn = multiprocessing.get_context("spawn")  # each flow starts clean: its own servers and threads
    with ProcessPoolExecutor(max_workers=max(1, len(flows)), mp_context=spawn) as pool:
        running = [pool.submit(run_flow, name, size, kills, seed + n) for n, (name, size) in enumerate(flows)]
        for done in as_completed(running):
            result, kept = done.result()
            ok = ok and result.ok
            for line in result.lines():
                click.echo(line)
            if kept:
                click.echo(f"  kept {kept} for a look")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    chaos()
