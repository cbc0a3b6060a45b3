"""The job and schedule of an operator's view (reconciliation, deadlines, what waits for a person):
run on a cron in UTC, running from the start, and on demand from the UI."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from .names import company_tags

if TYPE_CHECKING:  # what define_asset_job returns; Dagster does not export the name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition


def scheduled_job(
    name: str, selection: dg.AssetSelection, description: str, cron: str
) -> tuple[UnresolvedAssetJobDefinition, dg.ScheduleDefinition]:
    """``<name>_job`` over ``selection`` and ``<name>_schedule`` running it on ``cron``."""
    job = dg.define_asset_job(
        f"{name}_job", selection=selection, description=description, tags=company_tags()
    )
    schedule = dg.ScheduleDefinition(
        name=f"{name}_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    return job, schedule
