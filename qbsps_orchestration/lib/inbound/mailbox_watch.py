"""Which mailbox files to request at this poll (pure; the sensor does the I/O).

Files leave the mailbox once stored, so the mailbox itself holds the work. The poll remembers when
it last requested each name still present. A name is requested when it was never requested, or
when it was fetched after its last request: we delete a file once stored, so the same name present
again is a new delivery (SPS re-sending a file name). A file still there since its request and
never fetched is in flight or failed; it is not requested on every poll, and its failed partition
is for an operator to re-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class PollPlan:
    new_keys: list[str]  # not yet partitions: add them, then one run over the range
    redelivered: list[str]  # already partitions: one run each
    cursor: str
    deferred: int  # files left for the next poll (batch limit)
    sequence: int  # poll number, for unique run keys


def plan_poll(
    cursor: str | None,
    present: list[str],
    known_partitions: set[str],
    fetched_at: dict[str, float],
    *,
    now: float,
    limit: int = 500,
) -> PollPlan:
    """``fetched_at``: when each known partition was last fetched (its latest materialization)."""
    state = json.loads(cursor) if cursor else {}
    requested: dict[str, float] = state.get("requested", {})
    sequence = int(state.get("sequence", 0)) + 1
    due = [name for name in present if name not in requested or fetched_at.get(name, 0.0) > requested[name]]
    taken = due[:limit]
    kept = {name: requested[name] for name in present if name in requested}
    kept.update({name: now for name in taken})
    return PollPlan(
        new_keys=[name for name in taken if name not in known_partitions],
        redelivered=[name for name in taken if name in known_partitions],
        cursor=json.dumps({"requested": kept, "sequence": sequence}, sort_keys=True),
        deferred=len(due) - len(taken),
        sequence=sequence,
    )
