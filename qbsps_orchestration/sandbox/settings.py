"""Sandbox settings. Secrets are generated per start unless given, as a real tenant's would be."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


def _secret(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(24)}"


@dataclass
class QboSandboxSettings:
    realm_id: str = "9341455130298576"
    client_id: str = field(default_factory=lambda: _secret("ABsandbox"))
    client_secret: str = field(default_factory=lambda: _secret(""))
    webhook_verifier_token: str = field(default_factory=lambda: _secret(""))
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = 8_726_400  # rolling ~101 days, as Intuit reports it
    refresh_rotation_age: int = 86_400  # a refresh after this age returns a new value
    refresh_grace_seconds: int = 0  # how long a superseded value still works (strict: none)
    # The authorize endpoint shows a Connect/Cancel page, as Intuit does; True approves at once
    # (for tests and scripted clients that cannot click).
    auto_consent: bool = False
    throttle: bool = True
    webhook_url: str | None = None
    webhook_format: Literal["legacy", "cloudevents"] = "cloudevents"
    seed: bool = True


@dataclass
class SpsSandboxSettings:
    client_id: str = field(default_factory=lambda: _secret("sps-sandbox-"))
    client_secret: str = field(default_factory=lambda: _secret(""))
    token_lifetime: int = 3600
    token_requests_per_minute: int = 30  # SPS rate-limits its token endpoint
    orders_folder: str = "out/PO/"
    upload_folder: str = "in/"
    error_shape: Literal["problem", "legacy"] = "problem"
    samples_dir: Path | None = None  # SPS's published samples; None seeds qbsps's own demo orders
    seed: bool = True


@dataclass
class SandboxSettings:
    host: str = "127.0.0.1"
    qbo_port: int = 0  # 0 = any free port
    sps_port: int = 0
    latency_ms: int = 0
    qbo: QboSandboxSettings = field(default_factory=QboSandboxSettings)
    sps: SpsSandboxSettings = field(default_factory=SpsSandboxSettings)


def default_samples_dir() -> Path | None:
    """SPS's published samples, if this machine has them (they may not be copied into the repo).

    Order: $QBSPS_SPS_SAMPLES_DIR, $QBSPS_SHARED_DIR/sps_samples, then a `shared/sps_samples` folder
    beside the checkout or the working directory. None means: seed qbsps's own demo orders.
    """
    import os

    candidates: list[Path] = []
    if os.environ.get("QBSPS_SPS_SAMPLES_DIR"):
        candidates.append(Path(os.environ["QBSPS_SPS_SAMPLES_DIR"]))
    if os.environ.get("QBSPS_SHARED_DIR"):
        candidates.append(Path(os.environ["QBSPS_SHARED_DIR"]) / "sps_samples")
    repo = Path(__file__).resolve().parents[2]
    candidates += [repo.parent / "shared" / "sps_samples", Path.cwd().parent / "shared" / "sps_samples"]
    return next((c for c in candidates if (c / "rsx_json_samples").is_dir()), None)
