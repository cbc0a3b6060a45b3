"""The executor of the document batch jobs (inbound, outbound, reference): dagster-celery's when
$QBSPS_CELERY_BROKER_URL names a broker (RabbitMQ ``amqp://...`` or Redis ``redis://...``), so the
steps of many runs spread over `dagster-celery worker` processes on any host; else a one-step job
runs in the run's own process and the others keep the Definitions' default (the laptop set-up).

The broker and backend reach the executor as environment references, resolved when a run starts:
a broker URL holds a password, so no definition holds a copy of it. The Celery settings here must
be the workers' too (deploy/celery.yaml; a test compares them).

Nothing here makes the workers safe with each other: the ledger does. Each company's QBO request
budget is claimed in the ledger (lib/qbo/limiter.py) and its token refresh is leased there
(lib/qbo/vault.py), whatever process or host a step runs in; every write is an intent first, so a
step run again after its worker died repeats nothing.
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from ..lib.config.companies import current_company

BROKER_ENV = "QBSPS_CELERY_BROKER_URL"
BACKEND_ENV = "QBSPS_CELERY_BACKEND_URL"
QUEUE_ENV = "QBSPS_CELERY_QUEUE"  # deployments (or tests) sharing one broker each take their own
DEFAULT_QUEUE = "dagster"  # dagster-celery's own queue name

# A step's task is acknowledged only once the step ended (acks_late), and a worker process that
# dies mid-step hands its task back (reject_on_worker_lost): the broker gives it to another worker,
# which runs the step again (it resumes from the ledger) instead of the run waiting forever.
# One task at a time per worker process, so a dying worker takes back no task it had not started.
# RabbitMQ closes a channel whose unacknowledged task outlives its consumer_timeout (30 min by
# default): raise it on the server for batches that take longer.
WORKER_SETTINGS: dict[str, Any] = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "broker_connection_retry_on_startup": True,
}


def celery_queue() -> str:
    """$QBSPS_CELERY_QUEUE; else each company of a deployment of several has its own queue
    (``dagster-<company>``), served by workers of that company only: a worker process loads one
    company's definitions."""
    if explicit := os.environ.get(QUEUE_ENV):
        return explicit
    company = current_company()
    return f"{DEFAULT_QUEUE}-{company}" if company else DEFAULT_QUEUE


def celery_backend() -> str | dict[str, str]:
    """$QBSPS_CELERY_BACKEND_URL if set; else a Redis broker is its own backend, and with RabbitMQ
    results return over the broker (``rpc://``)."""
    if os.environ.get(BACKEND_ENV):
        return {"env": BACKEND_ENV}
    if os.environ.get(BROKER_ENV, "").startswith(("redis://", "rediss://")):
        return {"env": BROKER_ENV}
    return "rpc://"


def celery_executor_config() -> dict[str, Any]:
    """The celery_executor config (keys: broker, backend, include, config_source)."""
    return {
        "broker": {"env": BROKER_ENV},
        "backend": celery_backend(),
        "include": [],
        "config_source": {**WORKER_SETTINGS, "task_default_queue": celery_queue()},
    }


def document_batch_executor() -> dg.ExecutorDefinition | None:
    """dagster-celery's executor when a broker is configured, else None (the default executor,
    which runs a job's steps in processes of their own, side by side as their pools allow)."""
    if not os.environ.get(BROKER_ENV):
        return None
    from dagster_celery import celery_executor  # imported only when used: it loads Celery

    return celery_executor.configured(celery_executor_config(), name="qbsps_celery")


def one_step_batch_executor() -> dg.ExecutorDefinition:
    """For the document batch jobs of one step (inbound orders, 855s, outbound documents): Celery's
    executor with a broker, else the in-process one. A step process of its own would only add its
    start-up, about two seconds, to every run, the webhook path's included."""
    return document_batch_executor() or dg.in_process_executor
