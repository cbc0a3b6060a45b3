"""qbo_invoice_changes' hourly partitions start at the connection's go-live day (`qbo.go_live`),
read when the definitions load: the UI lists the hours since go-live, not every hour since 2026."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import yaml

from qbsps_orchestration.defs.outbound.partitions import FIRST_CHANGE_DAY
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import REPO

# A fresh interpreter: the partitions are built when the definitions module is imported.
FIRST_AND_COUNT = """
import json
from qbsps_orchestration.definitions import defs
asset = defs().resolve_assets_def("qbo_invoice_changes")
keys = asset.partitions_def.get_partition_keys()
print(json.dumps([keys[0], len(keys)]))
"""


def _first_hour_and_count(config: Path | None) -> tuple[str, int]:
    env = {k: v for k, v in os.environ.items() if k != "QBSPS_CONFIG"}
    if config is not None:
        env["QBSPS_CONFIG"] = str(config)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_AND_COUNT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    first, count = json.loads(out.stdout.strip().splitlines()[-1])
    return first, count


def _with_go_live(c: SandboxedConnector, day: date | None) -> Path:
    data = yaml.safe_load(c.config_path.read_text())
    data["qbo"].pop("go_live", None)
    if day is not None:
        data["qbo"]["go_live"] = day.isoformat()
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    return c.config_path


def _finished_hours_since(day: date) -> int:
    return int((datetime.now(UTC) - datetime.combine(day, time(), UTC)).total_seconds()) // 3600


def test_the_hours_start_at_go_live_and_number_the_hours_since(empty_connector: SandboxedConnector) -> None:
    go_live = datetime.now(UTC).date() - timedelta(days=2)
    before = _finished_hours_since(go_live)
    first, count = _first_hour_and_count(_with_go_live(empty_connector, go_live))
    assert first == f"{go_live:%Y-%m-%d}-00:00"
    assert before <= count <= _finished_hours_since(go_live)  # every finished hour since, no more


def test_without_go_live_or_config_the_hours_start_at_the_first_day(
    empty_connector: SandboxedConnector,
) -> None:
    assert (
        _first_hour_and_count(_with_go_live(empty_connector, None))[0] == f"{FIRST_CHANGE_DAY:%Y-%m-%d}-00:00"
    )
    assert _first_hour_and_count(None)[0] == f"{FIRST_CHANGE_DAY:%Y-%m-%d}-00:00"


def test_the_sandbox_config_goes_live_yesterday(empty_connector: SandboxedConnector) -> None:
    assert empty_connector.config.qbo.go_live == datetime.now(UTC).date() - timedelta(days=1)
