"""`qbsps doctor`: every check in order, each one's result as soon as it is known.

A failed check never stops the later ones; a check that cannot run (its prerequisite failed) is
SKIP with the reason. Nothing here migrates the ledger: the QBO checks, which need the ledger's
stored tokens, only run once the ledger is found at the latest migration.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from ..config import QbspsConfig
from ..connector import open_ledger, qbo_client, sps_client
from ..http import RetryPolicy
from ..ledger import Ledger
from ..qbo import QboClient
from . import local, quickbooks, sps, webhooks
from .partners import partner_check_name, partner_checks
from .results import CheckResult, Status, skipped

# One quick retry: the doctor reports a blip instead of waiting minutes through a sync's backoff.
DOCTOR_RETRY = RetryPolicy(max_attempts=2, base_seconds=0.2, max_wait_seconds=1.0)


def run_doctor(
    config_path: Path | None,
    *,
    retry: RetryPolicy = DOCTOR_RETRY,
    http_timeout_seconds: float = 10.0,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[CheckResult]:
    config_result, config = local.check_config(config_path)
    yield config_result
    if config is None:
        yield skipped("all other checks", "need a valid config file")
        return
    with ExitStack() as cleanup:
        yield from _checks(config, cleanup, retry, http_timeout_seconds, now)


def _checks(
    config: QbspsConfig,
    cleanup: ExitStack,
    retry: RetryPolicy,
    http_timeout_seconds: float,
    now: Callable[[], datetime],
) -> Iterator[CheckResult]:
    ledger_result, ledger_ready = local.check_ledger(config)  # before anything opens (and migrates) it
    yield ledger_result
    keys_result, keys_usable = local.check_secret_keys(config)
    yield keys_result
    ledger: Ledger | None = None
    unopened: Exception | None = None
    blocked = ""  # why there is no ledger, when there is none
    if not ledger_ready:
        blocked = f"needs a migrated ledger (see {local.LEDGER})"
    elif not keys_usable:
        blocked = f"needs the encryption key (see {local.SECRET_KEYS})"
    else:
        try:  # safe now: at the latest migration, opening it migrates nothing
            ledger = open_ledger(config, actor="qbsps doctor")
            cleanup.callback(ledger.close)
        except Exception as exc:
            unopened = exc
            blocked = f"needs the ledger, which did not open (see {quickbooks.TOKEN_REFRESH})"
    qbo = yield from _quickbooks(config, ledger, unopened, cleanup, retry, now, blocked)
    yield from _sps(config, ledger, cleanup, retry, blocked)
    if qbo is not None:
        yield from partner_checks(config, qbo)
    else:
        names = [partner_check_name(p) for p in config.trading_partners]
        yield from _skip(names, f"needs QuickBooks (see {quickbooks.TOKEN_REFRESH})")
    yield webhooks.check_receiver(config, timeout_seconds=http_timeout_seconds)
    yield webhooks.check_verifier_token(config)


def _quickbooks(
    config: QbspsConfig,
    ledger: Ledger | None,
    unopened: Exception | None,
    cleanup: ExitStack,
    retry: RetryPolicy,
    now: Callable[[], datetime],
    blocked: str,
) -> Generator[CheckResult, None, QboClient | None]:
    """The QBO checks; returns the client once it holds a working token (for the partner checks)."""
    if ledger is None:  # the QBO tokens live in the ledger
        if unopened is not None:
            yield quickbooks.qbo_failure(quickbooks.TOKEN_REFRESH, unopened)
        yield from _skip(quickbooks.QBO_CHECKS[1 if unopened else 0 :], blocked)
        return None
    try:
        qbo = qbo_client(config, ledger, retry=retry)
        cleanup.callback(qbo.close)
    except Exception as exc:  # e.g. credentials missing, or the company was never connected
        yield quickbooks.qbo_failure(quickbooks.TOKEN_REFRESH, exc)
        yield from _skip(quickbooks.QBO_CHECKS[1:], f"needs a QBO client (see {quickbooks.TOKEN_REFRESH})")
        return None
    refreshed, tokens = quickbooks.check_token_refresh(qbo)
    yield refreshed
    if tokens is None:
        yield from _skip(quickbooks.QBO_CHECKS[1:], f"needs a QBO token (see {quickbooks.TOKEN_REFRESH})")
        return None
    yield quickbooks.check_company(qbo)
    yield quickbooks.check_refresh_token_days(tokens, now())
    return qbo


def _sps(
    config: QbspsConfig, ledger: Ledger | None, cleanup: ExitStack, retry: RetryPolicy, blocked: str
) -> Iterator[CheckResult]:
    if ledger is None and (config.sps.client_id is None or config.sps.client_secret is None):
        # The credentials `qbsps connect sps` stored are in the ledger, which may not be opened yet.
        yield from _skip(sps.SPS_CHECKS, f"the SPS credentials are kept in the ledger: {blocked}")
        return
    try:
        client = sps_client(config, retry=retry, ledger=ledger)
        cleanup.callback(client.close)
    except Exception as exc:  # e.g. a credential that cannot be read, or SPS never connected
        yield sps.sps_failure(sps.TOKEN, exc)
        yield from _skip(sps.SPS_CHECKS[1:], f"needs an SPS client (see {sps.TOKEN})")
        return
    yield from sps.sps_checks(config, client)


def _skip(names: Iterable[str], reason: str) -> Iterator[CheckResult]:
    for name in names:
        yield skipped(name, reason)


def all_passed(results: list[CheckResult]) -> bool:
    """The exit status rule: no FAIL (a WARN is advice, a SKIP follows from a FAIL)."""
    return not any(result.status is Status.FAIL for result in results)
