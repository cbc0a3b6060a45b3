"""One chaos flow in a process of its own (the pool pickles it by name, so it lives here)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .inbound import inbound_chaos
from .outbound import outbound_chaos
from .result import ChaosResult
from .stage import staged

FLOWS = {"inbound": inbound_chaos, "outbound": outbound_chaos}


def run_flow(name: str, size: int, kills: int, seed: int) -> tuple[ChaosResult, str | None]:
    """One flow in a fresh work folder; returns its result and the folder if it was kept."""
    workdir = Path(tempfile.mkdtemp(prefix=f"qbsps-chaos-{name}-"))
    with staged(workdir) as stage:
        result = FLOWS[name](stage, size, kills, seed)
    if result.ok:
        shutil.rmtree(workdir, ignore_errors=True)
        return result, None
    return result, str(workdir)
