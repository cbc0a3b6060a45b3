"""The brokers the Celery tests use: $QBSPS_TEST_CELERY_BROKER_URL (.ci/run exports it), default
the machine's RabbitMQ, and for one test Redis, $QBSPS_TEST_CELERY_REDIS_URL, default the machine's.
Not $QBSPS_CELERY_BROKER_URL: set for the whole suite, that would put every Dagster run of the
other tests on Celery, with no worker to take them."""

from __future__ import annotations

import os
from functools import cache

from kombu import Connection

from qbsps_tests.support import unavailable

BROKERS = {
    "rabbitmq": os.environ.get("QBSPS_TEST_CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    "redis": os.environ.get("QBSPS_TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def backend_url(broker: str) -> str:
    """Results over the broker with RabbitMQ; a Redis broker is its own backend."""
    return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


@cache
def broker_unavailable_reason(url: str) -> str | None:
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # any failure to reach it is a reason to skip, reported verbatim
        where = Connection(url).as_uri()  # the password masked
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"Celery broker at {where} unreachable: {first_line}"
    return None


def require_broker(url: str) -> None:
    if reason := broker_unavailable_reason(url):
        unavailable(reason)


def delete_queue(url: str, queue: str) -> None:
    """Remove a test's queue and its exchange from the broker (they outlive the workers)."""
    if url.startswith("redis://"):  # kombu keeps a Redis queue as a list and its bindings as sets
        import redis

        client = redis.Redis.from_url(url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        return
    with Connection(url, connect_timeout=3) as connection:
        channel = connection.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(queue)
