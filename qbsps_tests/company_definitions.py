"""Run as a script in a fresh process: loads the code location of each company named on the
command line, as Dagster's code server does (module qbsps_orchestration.definitions, the company as
the attribute), and prints what it owns in the instance as JSON; a load that fails prints its error."""

from __future__ import annotations

import json
import sys

from dagster._core.code_pointer import CodePointer
from dagster._core.definitions.reconstruct import initialize_repository_def_from_pointer


def describe(company: str) -> dict[str, object]:
    pointer = CodePointer.from_module("qbsps_orchestration.definitions", company, None)
    try:
        repo = initialize_repository_def_from_pointer(pointer)
    except Exception as exc:  # noqa: BLE001 - the test reads the error
        return {"error": str(exc)}
    from qbsps_orchestration.defs.executor import celery_queue

    assets = repo.assets_defs_by_key.values()
    return {
        "asset_keys": sorted(key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()),
        "partition_sets": sorted(
            {a.partitions_def.name for a in assets if getattr(a.partitions_def, "name", None)}
        ),
        "pools": sorted({a.op.pool for a in assets if a.is_executable and a.op.pool}),
        "job_tags": {
            job.name: dict(job.tags) for job in repo.get_all_jobs() if not job.name.startswith("__")
        },
        "celery_queue": celery_queue(),
    }


if __name__ == "__main__":
    print(json.dumps([describe(company) for company in sys.argv[1:]]))
