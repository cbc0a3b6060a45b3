"""Test helpers: optional prerequisites skip locally but are required under CI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason; under CI (``CI`` set) the prerequisite is required, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def shared_dir() -> Path:
    """The read-only reference folder (SPS schemas and samples); never copied into the repo."""
    path = Path(os.environ.get("QBSPS_SHARED_DIR", REPO.parent / "shared"))
    if not (path / "sps_samples").is_dir():
        unavailable(f"SPS samples not found under {path} (set QBSPS_SHARED_DIR)")
    return path
