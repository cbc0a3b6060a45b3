"""Which worker ran which step, read from the Dagster event log (the engine event a dagster-celery
task writes when a worker starts a step)."""

from __future__ import annotations

import dagster as dg

TEST_RUN_TAG = "qbsps/test_run"


def step_starts(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The workers (w1, w2: node names ``<queue>-w1@host``) that started a step of the run, in order."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
    found = []
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.engine_event_data if event is not None else None
        worker = data.metadata.get("Celery worker") if data is not None else None
        if worker is not None:
            found.append(str(worker.value).split("@", 1)[0].rsplit("-", 1)[-1])
    return found


def submitted(instance: dg.DagsterInstance, names: set[str]) -> bool:
    """Whether each named test run has sent its step to the broker."""
    found = set()
    for run in instance.get_runs():
        if run.tags.get(TEST_RUN_TAG) in names:
            engine = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
            if any("Submitting celery task" in r.event_log_entry.message for r in engine.records):
                found.add(run.tags[TEST_RUN_TAG])
    return found == names


def workers_by_run(instance: dg.DagsterInstance) -> dict[str, list[str]]:
    """For each test run (by its tag), the workers that started its steps."""
    return {
        run.tags[TEST_RUN_TAG]: step_starts(instance, run.run_id)
        for run in instance.get_runs()
        if TEST_RUN_TAG in run.tags
    }


def step_windows(instance: dg.DagsterInstance) -> dict[str, tuple[float, float]]:
    """For each test run, from its first step start to its last step end (epoch seconds)."""
    ends = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    windows = {}
    for run in instance.get_runs():
        if TEST_RUN_TAG not in run.tags:
            continue
        entries = [r.event_log_entry for r in instance.get_records_for_run(run.run_id).records]
        starts = [e.timestamp for e in entries if e.dagster_event_type == dg.DagsterEventType.STEP_START]
        stops = [e.timestamp for e in entries if e.dagster_event_type in ends]
        if starts and stops:
            windows[run.tags[TEST_RUN_TAG]] = (min(starts), max(stops))
    return windows


def overlapped(windows: dict[str, tuple[float, float]]) -> bool:
    """Whether all the runs' steps were running at one moment."""
    latest_start = max((start for start, _ in windows.values()), default=0.0)
    return len(windows) > 1 and latest_start < min(end for _, end in windows.values())
