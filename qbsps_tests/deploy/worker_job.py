"""A job whose run worker a test kills: its op writes the worker's pid and waits; the run that run
retries launches again finds the tag Dagster gives a retry and ends at once."""

import os
import time
from pathlib import Path

import dagster as dg

PID_FILE_ENV = "QBSPS_TEST_WORKER_PID_FILE"
RETRY_NUMBER_TAG = "dagster/retry_number"


@dg.op
def hold_the_worker(context: dg.OpExecutionContext) -> None:
    if context.run.tags.get(RETRY_NUMBER_TAG):
        return  # relaunched by run retries: the work is done this time
    Path(os.environ[PID_FILE_ENV]).write_text(str(os.getpid()))  # in-process: the run worker itself
    time.sleep(300)


@dg.job(executor_def=dg.in_process_executor)
def worker_job() -> None:
    hold_the_worker()


defs = dg.Definitions(jobs=[worker_job])
