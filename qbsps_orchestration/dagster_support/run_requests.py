"""Run requests over document partitions: one run over the keys new this tick (added together at
the end of the partition list, so they form one range: single-run backfill policy), one run each
for keys that already existed (they are not contiguous)."""

import dagster as dg

from .names import RANGE_END, RANGE_START, TAG_TRIGGER


def partition_run_requests(
    prefix: str, new_keys: list[str], existing_keys: list[str], sequence: int, trigger: str
) -> list[dg.RunRequest]:
    tags = {TAG_TRIGGER: trigger}
    requests = []
    if new_keys:
        requests.append(
            dg.RunRequest(
                run_key=f"{prefix}:{sequence}:{new_keys[0]}:{new_keys[-1]}",
                tags={**tags, RANGE_START: new_keys[0], RANGE_END: new_keys[-1]},
            )
        )
    requests += [
        dg.RunRequest(run_key=f"{prefix}:{sequence}:{key}", partition_key=key, tags=tags)
        for key in existing_keys
    ]
    return requests
