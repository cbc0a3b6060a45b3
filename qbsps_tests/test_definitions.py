from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from qbsps_orchestration.definitions import defs

REPO = Path(__file__).resolve().parents[1]


def test_definitions_load() -> None:
    loaded = defs()
    assert isinstance(loaded, dg.Definitions)
    loaded.get_repository_def().load_all_definitions()


def test_workspace_validates_with_the_dagster_cli(tmp_path: Path) -> None:
    """What `dagster dev -w workspace.yaml` loads must load: same workspace, same instance file."""
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
