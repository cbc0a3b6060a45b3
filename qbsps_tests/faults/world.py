"""What the fault suites share: the fault mix of issue 9 on both sandbox servers, clients with a
short timeout (so a slow answer is a lost answer of a write that landed), and counts taken on the
sandbox side (QBO PurchaseOrders by qbsps's marker, SPS uploads from its own history)."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from qbsps_orchestration.lib.config import HttpSettings, QbspsConfig
from qbsps_orchestration.lib.connector import qbo_client, sps_client
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.qbo.limiter import SlidingWindowLimiter
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_tests.sandboxed import FAST_RETRY, SandboxedConnector

QBO_API = "/v3/company/"
SPS_API = "/transactions/v5/"
TIMEOUT_SECONDS = 0.75  # the clients give up on an answer after this long
SLOW_MS = 1000  # ... so a slow answer of this many ms is the lost answer of a call that was applied
MARKER = "qbsps order "  # qbsps writes "qbsps order <partner>/<PO number>" into the PO's PrivateNote


def seed(name: str) -> int:
    """A fresh seed per run unless QBSPS_FAULT_SEED pins one; printed so a failure can be replayed."""
    value = int(os.environ.get("QBSPS_FAULT_SEED") or random.SystemRandom().randrange(1 << 30))
    print(f"{name}: fault seed {value} (rerun with QBSPS_FAULT_SEED={value})")
    return value


def fault_mix(api: str, *, slow_rate: float = 0.002) -> list[dict]:
    """The issue's mix: 20% 429, 5% 5xx, dropped connections, answers lost after the call landed
    (cut or failed), and slow answers beyond the client's timeout."""
    return [
        {"status": 429, "rate": 0.2, "path_prefix": api, "retry_after": 0},
        {"status": 503, "rate": 0.03, "path_prefix": api},
        {"status": 500, "rate": 0.02, "path_prefix": api},
        {"drop": True, "rate": 0.02, "path_prefix": api},
        {"after_apply": "drop", "rate": 0.02, "path_prefix": api},
        {"after_apply": 502, "rate": 0.01, "path_prefix": api},
        {"delay_ms": SLOW_MS, "rate": slow_rate, "path_prefix": api},
    ]


def inject(base_url: str, rules: list[dict], seed_value: int) -> None:
    """Through the servers' control API, as an operator of the sandbox would; seeded, so the same
    seed fails the same calls again."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        http.delete("/_sandbox/faults")
        assert http.post("/_sandbox/faults/seed", json={"seed": seed_value}).status_code == 204
        for rule in rules:
            assert http.post("/_sandbox/faults", json=rule).status_code == 201, rule


def injected(base_url: str) -> dict[str, int]:
    """Hits per rule, as the server counted them (faults.describe())."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        rules = http.get("/_sandbox/faults").json()["rules"]
    return {_label(rule): rule["hits"] for rule in rules}


def _label(rule: dict) -> str:
    if rule["delay_ms"]:
        return f"slow {rule['delay_ms']}ms"
    if rule["concurrent_edit"]:
        return "concurrent edit (5010)"
    kind = "drop" if rule["drop"] else str(rule["status"])
    return f"{kind} after apply" if rule["after_apply"] else kind


def clear(c: SandboxedConnector) -> None:
    for url in (c.box.qbo_url, c.box.sps_url):
        with httpx.Client(base_url=url, timeout=10) as http:
            http.delete("/_sandbox/faults")


def short_timeout(config: QbspsConfig) -> QbspsConfig:
    """The config with `http.timeout_seconds` short, as a user would set it in the config file."""
    return config.model_copy(update={"http": HttpSettings(timeout_seconds=TIMEOUT_SECONDS)})


# The sandbox runs with its throttle off; qbsps's per-process budget for a real company (8/s) would
# make 500 documents a matter of minutes, so the clients here get the same limiter with room.
SANDBOX_BUDGET = [(200, 1.0)]


@dataclass
class Clients:
    sps: SpsClient
    qbo: QboClient

    def close(self) -> None:
        self.sps.close()
        self.qbo.close()


@contextmanager
def clients(config: QbspsConfig, ledger: Ledger) -> Iterator[Clients]:
    """One SPS and one QBO client for a pass (SPS rate-limits its token endpoint), wired by the
    connector's own factories from ``config``; the QBO one draws from SANDBOX_BUDGET."""
    wired = qbo_client(config, ledger, retry=FAST_RETRY)
    qbo = QboClient(
        str(config.qbo.api_base_url).rstrip("/"),
        wired.realm_id,
        wired.tokens,
        minor_version=config.qbo.minor_version,
        retry=FAST_RETRY,
        limiter=SlidingWindowLimiter(SANDBOX_BUDGET),
        timeout=config.http.timeout_seconds,
    )
    both = Clients(sps_client(config, retry=FAST_RETRY), qbo)
    try:
        yield both
    finally:
        both.close()
        wired.close()


def orders_in_qbo(c: SandboxedConnector) -> Counter[str]:
    """PO number -> how many PurchaseOrders the sandbox company holds for it (by qbsps's marker)."""
    counts: Counter[str] = Counter()
    for row in c.purchase_orders():
        note = row.get("PrivateNote") or ""
        if MARKER in note:
            counts[note.split(MARKER, 1)[1].split()[0].split("/", 1)[1]] += 1
    return counts
