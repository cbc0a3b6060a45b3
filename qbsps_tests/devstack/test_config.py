"""The dev config: the sandbox's own config plus a fast poll and the receiver's address; both
polling sensors take their interval from it (Dagster fixes it when the definitions load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qbsps_orchestration.devstack.config import write_dev_config
from qbsps_orchestration.lib.config import ConfigError, load_config
from qbsps_tests.sandboxed import SandboxedConnector

SENSOR_INTERVALS = """
import json
from qbsps_orchestration.defs.inbound.sensors import sps_purchase_order_sensor
from qbsps_orchestration.defs.outbound.cdc import qbo_cdc_sensor
print(json.dumps([s.minimum_interval_seconds for s in (sps_purchase_order_sensor, qbo_cdc_sensor)]))
"""


def _intervals(config_path: str) -> list[int]:
    env = {**os.environ, "QBSPS_CONFIG": config_path}
    done = subprocess.run(
        [sys.executable, "-c", SENSOR_INTERVALS], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_both_polling_sensors_follow_the_dev_configs_sandbox_interval(
    empty_connector: SandboxedConnector,
) -> None:
    path = empty_connector.config_path
    assert _intervals(str(path)) == [300, 300]  # the sandbox's own config: interval_minutes 5

    write_dev_config(path, poll_seconds=15, receiver_url="http://127.0.0.1:8713")
    config = load_config(path)
    assert config.polling.seconds == 15 and config.polling.interval_minutes == 5
    assert str(config.webhooks.receiver_url).rstrip("/") == "http://127.0.0.1:8713"
    assert config.qbo.realm_id == empty_connector.config.qbo.realm_id  # the rest is the sandbox's
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds the sandbox's secrets
    assert _intervals(str(path)) == [15, 15]


def test_a_poll_outside_the_allowed_range_is_refused_naming_the_key(
    empty_connector: SandboxedConnector,
) -> None:
    with pytest.raises(ConfigError, match="polling.sandbox_interval_seconds"):
        write_dev_config(empty_connector.config_path, poll_seconds=2, receiver_url="http://127.0.0.1:8713")
