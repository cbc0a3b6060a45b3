"""What both flows do once their documents are in place: SIGKILL the sync at random points of its
work, sync to completion, and check the ledger settled: nothing unfinished, no open intent, every
audit trail complete."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from qbsps_orchestration.lib.ledger import Direction

from .audit import audit_gaps
from .killer import kill_thresholds, run_with_kills
from .result import ChaosResult
from .stage import Stage

FINAL_SYNCS = 3
LIMIT_SECONDS = 1800


def kill_then_complete(
    stage: Stage,
    direction: str,
    progress: Callable[[], int],
    total: int,
    kills: int,
    rng: random.Random,
    result: ChaosResult,
) -> None:
    """``progress`` counts units of work done (of ``total``); the kills fall within its first 90%."""
    started = time.monotonic()
    thresholds = kill_thresholds(rng, total, kills)
    result.kills = run_with_kills(
        stage.command("sync", direction), progress, thresholds, rng, limit_seconds=LIMIT_SECONDS
    )
    for _ in range(FINAL_SYNCS):
        result.final_syncs += 1
        final = stage.command("sync", direction).run(timeout=LIMIT_SECONDS)
        if final.returncode == 0:
            break
    else:
        result.problems.append(f"the last sync still exits {final.returncode}: {final.stderr[-800:]}")
    result.seconds = time.monotonic() - started


def check_settled(stage: Stage, result: ChaosResult, documents: list[tuple[Direction, str]]) -> None:
    ledger = stage.c.ledger
    for direction in {direction for direction, _ in documents}:
        if unfinished := ledger.unfinished_documents(direction):
            result.problems.append(f"{len(unfinished)} {direction} documents unfinished in the ledger")
    if intents := ledger.open_intents():
        result.problems.append(f"{len(intents)} intents still open")
    for direction, doc_type in documents:
        result.problems += audit_gaps(ledger, direction, doc_type)
