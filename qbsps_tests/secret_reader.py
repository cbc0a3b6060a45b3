"""A separate process that keeps reading one stored secret the way every qbsps process does: it
loads the config and opens the ledger afresh each time (so it reads the key file again), and
reports each read as a JSON line until the stop file appears (also appended to a progress file, when
one is named, so the test can wait for a read instead of guessing how long one takes)."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.secret_key_file import parse_keys


def main(config_path: Path, name: str, stop_file: Path, progress: Path | None = None) -> None:
    while not stop_file.exists():
        config = load_config(config_path)
        key_count = len(parse_keys(config.ledger.secret_keys.resolve()))
        ledger = open_ledger(config, actor="secret reader")
        try:
            value, error = ledger.credentials.load(name), None
        except Exception as exc:  # reported, not raised: the test counts failures
            value, error = None, f"{type(exc).__name__}: {exc}"
        finally:
            ledger.close()
        # The value itself is never written out: its digest tells the test it was the right one.
        digest = hashlib.sha256(value.encode()).hexdigest() if value is not None else None
        line = json.dumps({"t": time.time(), "keys": key_count, "sha256": digest, "error": error})
        print(line)
        sys.stdout.flush()
        if progress is not None:
            with progress.open("a") as file:
                file.write(line + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) > 4 else None)
