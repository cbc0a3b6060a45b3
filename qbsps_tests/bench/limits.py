"""The throttle-bound limit: the best documents/min QBO's limits allow one company (qbo.md §5.1).

Every document needs at least one write; nothing else about it has to touch QBO (lookups can be
answered from snapshots). Per realm and minute QBO admits 500 requests, 10 a second, and 40 batch
calls (per realm + app) of up to 30 operations, each batch call also one of the 500. So the best a
client can do in a minute is 40 batch calls x 30 creates = 1,200 documents, plus the 500 - 40 = 460
requests left as single creates: 1,660 documents/min (500/min with single creates only; 10/s is
600/min and never binds). We take this sustained rate for every N and do not credit the burst an
empty window allows in a run's first seconds (up to 1,660 writes at 10 requests/s): that would make
any run of fewer than ~1,660 documents look slow next to a figure no steady load reaches. For
N < 30 a batch cannot be full, but 40 batch calls a minute still carry all N: the limit holds.
"""

from __future__ import annotations

REQUESTS_PER_MINUTE = 500
BATCH_CALLS_PER_MINUTE = 40
OPS_PER_BATCH = 30
BATCH_ONLY_PER_MINUTE = BATCH_CALLS_PER_MINUTE * OPS_PER_BATCH  # 1,200: the "ceiling"
THROTTLE_BOUND_PER_MINUTE = BATCH_ONLY_PER_MINUTE + (REQUESTS_PER_MINUTE - BATCH_CALLS_PER_MINUTE)


def throttle_bound_seconds(documents: int) -> float:
    """The shortest wall time QBO's limits allow for ``documents`` creates, at the sustained rate."""
    return documents / THROTTLE_BOUND_PER_MINUTE * 60.0


def formula() -> str:
    return (
        f"{BATCH_CALLS_PER_MINUTE} batch calls/min x {OPS_PER_BATCH} ops + "
        f"({REQUESTS_PER_MINUTE} - {BATCH_CALLS_PER_MINUTE}) single creates/min = "
        f"{THROTTLE_BOUND_PER_MINUTE:,} documents/min"
    )
