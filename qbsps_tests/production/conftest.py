from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .broker import BROKERS
from .deployment import Deployment, deployment


@pytest.fixture()
def production(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    """A deployment on RabbitMQ, or on the broker a test names (``indirect`` parametrization)."""
    with deployment(tmp_path, monkeypatch, BROKERS[getattr(request, "param", "rabbitmq")]) as running:
        yield running
