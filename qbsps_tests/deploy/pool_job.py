"""A job of six ops in one QBO pool of one company, run by the multiprocess executor against the
production instance: it shows how many of them the pool lets call QBO at once."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg

from qbsps_orchestration.dagster_support.names import QBO_API, api_pool

REALM = "9341455130298576"
POOL = api_pool({QBO_API}, REALM)
LOG_ENV = "QBSPS_TEST_POOL_LOG"
HOLD_SECONDS = 4.0


def _holder(index: int) -> dg.OpDefinition:
    @dg.op(name=f"qbo_call_{index}", pool=POOL)
    def hold() -> None:
        start = time.time()
        time.sleep(HOLD_SECONDS)  # stands for a QBO call in flight
        with Path(os.environ[LOG_ENV]).open("a", encoding="utf-8") as log:
            log.write(json.dumps([start, time.time()]) + "\n")

    return hold


@dg.job(executor_def=dg.multiprocess_executor.configured({"max_concurrent": 6}))
def pool_job() -> None:
    for index in range(6):
        _holder(index)()


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The largest number of spans open at one moment."""
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    open_now = peak = 0
    for _, step in edges:  # an end sorts before a start at the same instant (-1 < 1)
        open_now += step
        peak = max(peak, open_now)
    return peak
