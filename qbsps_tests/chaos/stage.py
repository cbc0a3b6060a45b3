"""The chaos stage: a sandbox in this process, the connector config `qbsps sandbox` writes, a
DAGSTER_HOME, and the environment the killed `qbsps` processes run in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.runs import prepare_dagster_home
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.sandboxed import SandboxedConnector

from .killer import Command


@dataclass
class Stage:
    c: SandboxedConnector
    workdir: Path
    env: dict[str, str]

    def command(self, *args: str) -> Command:
        return Command(args, self.env, self.workdir)

    def uploads(self, prefixes: tuple[str, ...]) -> dict[str, int]:
        """Per file name SPS received from qbsps (its history), how many times, for these prefixes."""
        counts: dict[str, int] = {}
        for entry in self.c.box.sps.history():
            name = entry["path"].rsplit("/", 1)[1]
            if entry["direction"] == "inbound" and name.startswith(prefixes):
                counts[name] = counts.get(name, 0) + 1
        return counts


@contextmanager
def staged(workdir: Path) -> Iterator[Stage]:
    settings = SandboxSettings(
        qbo=QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(samples_dir=None, seed=False)
    )
    with Sandbox(settings) as box:
        config_path = workdir / "qbsps" / "config.yaml"
        box.write_config(config_path)
        data = yaml.safe_load(config_path.read_text())
        # The sandbox's history shows an upload at once; a real account's lags by minutes (the
        # exactly-once tests cover the lag), so an unconfirmed upload is settled on the next pass.
        data["sps"]["history_lag_seconds"] = 0
        config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        config = load_config(config_path)
        home = prepare_dagster_home(workdir / "dagster_home")
        env = {**os.environ, "QBSPS_CONFIG": str(config_path), "DAGSTER_HOME": str(home)}
        connector = SandboxedConnector(
            box, config_path, config, open_ledger(config, actor="chaos", upgrade=True)
        )
        try:
            yield Stage(connector, workdir, env)
        finally:
            connector.close()
