"""The dev stack's config: the one the sandbox writes for itself, plus the stack's own settings.

Those are the fast sandbox poll (a real SPS mailbox is polled every 5–15 minutes; the local one
can be polled every few seconds) and where the webhook receiver answers. Checked with the
connector's own loader before anything uses it.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..lib.config import config_from_mapping

HEADER = (
    "# qbsps configuration of the dev stack (`make dev` / `qbsps dev up`), rewritten on every start:\n"
    "# the sandbox's config plus a fast poll of its SPS mailbox and the receiver's address.\n"
)


def write_dev_config(path: Path, *, poll_seconds: int, receiver_url: str) -> None:
    """Rewrite the sandbox-written config at ``path`` in place (it holds throwaway sandbox secrets,
    so it stays readable by its owner only)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["polling"] = {**data.get("polling", {}), "sandbox_interval_seconds": poll_seconds}
    data["webhooks"] = {"receiver_url": receiver_url}
    config_from_mapping(data, source=path)  # refuses what the connector would refuse, naming the key
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(HEADER + yaml.safe_dump(data, sort_keys=False))
