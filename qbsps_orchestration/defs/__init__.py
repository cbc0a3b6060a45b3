"""Dagster layer only: assets, checks, sensors, schedules, jobs, partitions, resource bindings."""
