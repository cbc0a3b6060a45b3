"""After the demo flows (orders in through Dagster, an invoice out as an 810 and an 856, tokens expired
and refreshed in between), no secret is anywhere in plaintext: not in the ledger's database file,
not in the Dagster storage folder (runs, event logs, compute logs, schedules), not in anything the
commands printed or logged.

The secrets are the sandbox's client secrets and webhook verifier token, every QBO refresh and access
token and every SPS access token the sandbox issued (recorded as it issues them), and the Fernet key.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from qbsps_orchestration.bookkeeper import invoice_with_shipping
from qbsps_tests.sandboxed import SandboxedConnector

QBSPS = str(Path(sys.executable).parent / "qbsps")
TWO_DAYS = 2 * 86_400  # past the access tokens' hour and the refresh token's rotation age


class IssuedSecrets:
    """Every token value the sandbox hands out, recorded at the moment it issues it."""

    def __init__(self, connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch) -> None:
        self.qbo: list[str] = []
        self.sps: list[str] = []
        store, tokens = connector.box.qbo.authority.store, connector.box.sps.tokens
        issue_qbo, issue_sps = store._issue, tokens.issue

        def recording_qbo(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - same signature
            issued = issue_qbo(*args, **kwargs)
            self.qbo += [issued.access_token, issued.refresh_token]
            return issued

        def recording_sps(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - same signature
            token, lifetime = issue_sps(*args, **kwargs)
            self.sps.append(token)
            return token, lifetime

        monkeypatch.setattr(store, "_issue", recording_qbo)
        monkeypatch.setattr(tokens, "issue", recording_sps)


@pytest.fixture()
def issued(connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch) -> Iterator[IssuedSecrets]:
    yield IssuedSecrets(connector, monkeypatch)


def _qbsps(c: SandboxedConnector, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    return subprocess.run(
        [QBSPS, *args], capture_output=True, text=True, timeout=300, env=env, cwd=home.parent
    )


def _files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (path for path in sorted(root.rglob("*")) if path.is_file())


def _leaks(secrets: dict[str, str], texts: dict[str, bytes]) -> list[str]:
    """`label in where` for each secret found in plaintext (labels only: the values stay out)."""
    return [
        f"{label} in {where}"
        for label, value in secrets.items()
        for where, data in texts.items()
        if value.encode() in data
    ]


@pytest.mark.long
def test_no_secret_in_the_ledger_dagster_storage_or_output_after_the_demo_flows(
    connector: SandboxedConnector,
    issued: IssuedSecrets,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    c, home = connector, tmp_path / "dagster_home"
    caplog.set_level(logging.DEBUG)
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}

    outputs["sync inbound"] = _qbsps(c, home, "sync", "inbound")
    assert outputs["sync inbound"].returncode == 0, outputs["sync inbound"].stderr
    c.box.clock.advance(TWO_DAYS)  # every token expires: the next commands refresh and rotate
    invoice = invoice_with_shipping(c.config, actor="test bookkeeper")
    outputs["sync outbound"] = _qbsps(c, home, "sync", "outbound")
    assert outputs["sync outbound"].returncode == 0, outputs["sync outbound"].stderr
    assert invoice["DocNumber"] in outputs["sync outbound"].stdout
    c.box.clock.advance(TWO_DAYS)
    outputs["status"] = _qbsps(c, home, "status")
    outputs["doctor"] = _qbsps(c, home, "doctor")
    sent = [entry for entry in c.box.sps.history() if entry["direction"] == "inbound"]
    assert {entry.get("document_type") for entry in sent} >= {"Invoice", "Shipment"}

    settings, config = c.box.settings, c.config
    key_file = config.ledger.secret_keys.path
    assert key_file is not None
    secrets = {
        "QBO client secret": settings.qbo.client_secret,
        "QBO webhook verifier token": settings.qbo.webhook_verifier_token,
        "SPS client secret": settings.sps.client_secret,
        "Fernet key": key_file.read_text().strip(),
        "first QBO refresh token": c.box.refresh_token or "",
    }
    secrets |= {f"QBO token #{n}": value for n, value in enumerate(issued.qbo, start=1)}
    secrets |= {f"SPS token #{n}": value for n, value in enumerate(issued.sps, start=1)}
    rotated = {family.refresh_token for family in c.box.qbo.authority.store.families.values()}
    assert len(issued.qbo) >= 4 and len(issued.sps) >= 2  # tokens were refreshed along the way
    assert rotated - {c.box.refresh_token}, "the refresh token never rotated: the test proves less"
    assert all(len(value) >= 16 for value in secrets.values())

    database = Path(make_url(config.ledger.url).database or "")
    stored = {
        str(path.relative_to(tmp_path)): path.read_bytes()
        for path in _files(database, Path(f"{database}-wal"), Path(f"{database}-shm"), home)
    }
    assert any("storage" in name or "runs" in name for name in stored), sorted(stored)
    printed = {
        f"qbsps {name} {stream}": getattr(done, stream).encode()
        for name, done in outputs.items()
        for stream in ("stdout", "stderr")
    }
    printed["logs of this process"] = caplog.text.encode()

    assert _leaks(secrets, stored | printed) == []
    # The scan finds what is there: the sandbox's own config file holds its credentials literally.
    assert "QBO client secret in config.yaml" in _leaks(secrets, {"config.yaml": c.config_path.read_bytes()})
