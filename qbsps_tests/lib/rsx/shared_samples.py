"""Where the SPS sample files live (read in place, never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def sps_samples_dir() -> Path:
    """The sps_samples folder; skips the test when absent, fails instead under CI."""
    shared = Path(os.environ.get("QBSPS_SHARED_DIR", REPO.parent / "shared"))
    folder = shared / "sps_samples"
    if not folder.is_dir():
        message = f"SPS samples not found at {folder} (set QBSPS_SHARED_DIR to the shared folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder
