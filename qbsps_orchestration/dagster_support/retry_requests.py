"""Run requests that drive unfinished documents on (the ledger says which; lib/ chooses them).

The keys already are partitions but need not be neighbours: one run per contiguous range of them
(single-run backfill policy). The run key names the range and a time bucket, so a tick repeats a
request for the same documents at most once per bucket while an earlier run may still be on them.
"""

import hashlib

import dagster as dg

from .names import RANGE_END, RANGE_START, TAG_TRIGGER

RETRY_BUCKET_SECONDS = 600


# Partitions per run: a backlog of thousands of files becomes runs of this many, each reported as
# it ends; a killed run loses at most its own planning.
RUN_SIZE = 100


def contiguous_ranges(
    ordered: list[str], selected: set[str], max_size: int | None = None
) -> list[tuple[str, str]]:
    """Selected keys grouped into runs of neighbours in partition order, each at most ``max_size``
    keys long (a run over thousands of partitions plans an event per asset and partition before
    it starts, and a crash throws that work away)."""
    ranges: list[tuple[str, str]] = []
    start: str | None = None
    previous: str | None = None
    size = 0
    for key in ordered:
        if key in selected:
            if start is not None and previous is not None and max_size is not None and size >= max_size:
                ranges.append((start, previous))
                start, size = None, 0
            start = start or key
            previous = key
            size += 1
        elif start is not None and previous is not None:
            ranges.append((start, previous))
            start, size = None, 0
    if start is not None and previous is not None:
        ranges.append((start, previous))
    return ranges


def retry_run_requests(
    prefix: str, ordered: list[str], keys: list[str], trigger: str, now: float
) -> list[dg.RunRequest]:
    """``ordered``: the partition keys in partition order; ``keys``: those due for another try."""
    if not keys:
        return []
    selected = set(keys)
    digest = hashlib.sha256("\n".join(sorted(selected)).encode()).hexdigest()[:12]
    bucket = int(now // RETRY_BUCKET_SECONDS)
    tags = {TAG_TRIGGER: trigger}
    return [
        dg.RunRequest(
            run_key=f"{prefix}:retry:{bucket}:{digest}:{start}:{end}",
            tags={**tags, RANGE_START: start, RANGE_END: end},
        )
        for start, end in contiguous_ranges(ordered, selected, RUN_SIZE)
    ]
