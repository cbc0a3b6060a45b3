"""Runs for partitions whose QBO changes wait in the ledger inbox (invoices, changed orders).

The sensors only read and request: the run that processed a partition marks its changes handled.
So a key stays pending until then; a key whose run is still queued or running waits for it, and
after that run failed or vanished (or finished while a newer change came in) the key is requested
again, under a new run key. The cursor keeps the tick sequence and each key's last run key.
"""

import json
from dataclasses import dataclass

import dagster as dg

from .run_requests import partition_run_requests

CHANGE_SENSOR_INTERVAL_SECONDS = 5  # a change reaches its run within seconds
RUN_KEY_TAG = "dagster/run_key"  # set by Dagster on every run a sensor's RunRequest launched
IN_FLIGHT = frozenset(
    {
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
        dg.DagsterRunStatus.MANAGED,
    }
)


@dataclass(frozen=True)
class ChangeRequests:
    run_requests: list[dg.RunRequest]
    new_keys: list[str]  # partitions to add with the requests
    cursor: str


def _requested(cursor: str | None) -> tuple[int, dict[str, str]]:
    """The tick sequence and, per partition key, the run key last requested for its changes. (An
    older cursor is the bare sequence number.)"""
    if not cursor:
        return 0, {}
    if cursor.isdigit():
        return int(cursor), {}
    state = json.loads(cursor)
    return int(state["sequence"]), dict(state.get("requested", {}))


def _in_flight(instance: dg.DagsterInstance, run_key: str) -> bool:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: run_key}), limit=1)
    return any(run.status in IN_FLIGHT for run in runs)


def change_run_requests(
    instance: dg.DagsterInstance,
    cursor: str | None,
    keys: list[str],
    partitions_name: str,
    prefix: str,
    trigger: str,
) -> ChangeRequests:
    """Requests for the pending ``keys`` (partition keys, in change order) not already in flight."""
    previous, requested = _requested(cursor)
    sequence = previous + 1
    asked = {requested[key] for key in keys if key in requested}
    live = {run_key for run_key in asked if _in_flight(instance, run_key)}  # one query per run
    waiting = {key: requested[key] for key in keys if requested.get(key) in live}
    wanted = [key for key in keys if key not in waiting]
    known = set(instance.get_dynamic_partitions(partitions_name))
    new = [key for key in wanted if key not in known]
    existing = [key for key in wanted if key in known]
    requests = partition_run_requests(prefix, new, existing, sequence, trigger)
    for request in requests:
        for key in [request.partition_key] if request.partition_key else new:
            waiting[key] = request.run_key or ""
    return ChangeRequests(requests, new, json.dumps({"sequence": sequence, "requested": waiting}))
