from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .deployment import Deployment, deployment


@pytest.fixture()
def production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    with deployment(tmp_path, monkeypatch) as running:
        yield running
