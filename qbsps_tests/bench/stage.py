"""A bench sandbox: QBO throttles on (500/min, 10/s, 40 batch/min), the same latency on every QBO
and SPS call, and the orders in the SPS mailbox. Each stage is a fresh company and mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings

from .catalog import add_bench_items
from .orders import BenchOrder


def bench_settings(latency_ms: int) -> SandboxSettings:
    return SandboxSettings(
        latency_ms=latency_ms,
        qbo=QboSandboxSettings(throttle=True),
        sps=SpsSandboxSettings(samples_dir=None, seed=False),
    )


@contextmanager
def bench_sandbox(latency_ms: int, orders: list[BenchOrder]) -> Iterator[Sandbox]:
    with Sandbox(bench_settings(latency_ms)) as box:
        add_bench_items(box)
        folder = box.settings.sps.orders_folder
        for order in orders:  # in-process: SPS delivering, not API calls the counts would show
            box.sps.put_file(folder + order.file_name, order.content)
        yield box


def usage(box: Sandbox) -> tuple[dict[str, int], dict[str, int]]:
    """(QBO usage of the sandbox's company, SPS usage), read over the control API."""
    qbo = requests.get(f"{box.qbo_url}/_sandbox/qbo/usage", timeout=30).json()
    sps = requests.get(f"{box.sps_url}/_sandbox/sps/usage", timeout=30).json()
    empty = dict.fromkeys(("reads", "writes", "batch_calls", "batch_ops", "throttled"), 0)
    return qbo.get(box.settings.qbo.realm_id, empty), sps


def usage_since(
    box: Sandbox, before: tuple[dict[str, int], dict[str, int]]
) -> tuple[dict[str, int], dict[str, int]]:
    """The calls made since ``before`` (a `usage` reading): the measured run's own."""
    after = usage(box)
    return tuple(  # type: ignore[return-value]
        {name: count - was.get(name, 0) for name, count in now.items()}
        for now, was in zip(after, before, strict=True)
    )


def purchase_orders_in_qbo(box: Sandbox) -> int:
    return len(box.qbo.find("PurchaseOrder"))
