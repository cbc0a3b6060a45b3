"""The dev stack's config: the one the sandbox writes for itself, plus the stack's own settings.

Those are the fast sandbox poll (a real SPS mailbox is polled every 5–15 minutes; the local one
can be polled every few seconds) and where the webhook receiver answers. Checked with the
connector's own loader before anything uses it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from ..lib.config import config_from_mapping
from ..lib.secret_key_file import tighten_key_file

HEADER = (
    "# qbsps configuration of the dev stack (`make dev` / `qbsps dev up`), rewritten on every start:\n"
    "# the sandbox's config plus a fast poll of its SPS mailbox and the receiver's address.\n"
)


def write_dev_config(path: Path, *, poll_seconds: int, receiver_url: str) -> list[Path]:
    """Rewrite the sandbox-written config at ``path`` in place (it holds throwaway sandbox secrets,
    so it stays readable by its owner only, as does its key file). Returns the files that were
    readable by others and are now tightened to 0600."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["polling"] = {**data.get("polling", {}), "sandbox_interval_seconds": poll_seconds}
    data["webhooks"] = {"receiver_url": receiver_url}
    config = config_from_mapping(data, source=path)  # refuses what the connector would, naming the key
    tightened = []
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        if stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
            os.fchmod(fd, 0o600)  # O_TRUNC keeps an existing file's mode
            tightened.append(path)
        fh.write(HEADER + yaml.safe_dump(data, sort_keys=False))
    key_file = config.ledger.secret_keys.path
    if key_file is not None and key_file.exists() and tighten_key_file(key_file):
        tightened.append(key_file)
    return tightened
