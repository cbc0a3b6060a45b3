"""The refresh lease on a stored secret: claimed and settled in short transactions, guarded by the
row's version so a value stored meanwhile (a reconnection) is never overwritten or marked dead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbsps_orchestration.lib.ledger import Ledger

NAME = "qbo.tokens.9130"
MINUTE = timedelta(minutes=1)


def now() -> datetime:
    return datetime.now(UTC)


def test_one_holder_at_a_time_until_the_lease_expires(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    version = ledger.credentials.state(NAME).version
    lease = ledger.credentials.claim_lease(NAME, "worker-a", version, now(), MINUTE)
    assert lease is not None and lease.value == "rt-1" and "rt-1" not in repr(lease)
    assert ledger.credentials.claim_lease(NAME, "worker-b", version, now(), MINUTE) is None
    # A holder that died keeps nobody out for longer than its lease.
    later = now() + 2 * MINUTE
    assert ledger.credentials.claim_lease(NAME, "worker-b", version, later, MINUTE) is not None


def test_storing_under_the_lease_bumps_the_version_and_ends_the_lease(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    lease = ledger.credentials.claim_lease(
        NAME, "worker-a", ledger.credentials.state(NAME).version, now(), MINUTE
    )
    assert lease is not None and ledger.credentials.store_leased(lease, "rt-2")
    state = ledger.credentials.state(NAME)
    assert (state.value, state.version, state.leased_until) == ("rt-2", lease.version + 1, None)
    # The old version cannot be leased again: a waiter re-reads and sees the new value.
    assert ledger.credentials.claim_lease(NAME, "worker-b", lease.version, now(), MINUTE) is None


def test_a_value_stored_meanwhile_wins_over_the_leased_outcome(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    lease = ledger.credentials.claim_lease(
        NAME, "worker-a", ledger.credentials.state(NAME).version, now(), MINUTE
    )
    assert lease is not None
    ledger.credentials.store(NAME, "rt-from-reconnect")  # the user reconnected during the refresh
    assert not ledger.credentials.store_leased(lease, "rt-old-family")
    assert not ledger.credentials.mark_needs_reconnect(lease, "dead", now())
    assert (
        ledger.credentials.state(NAME).value == "rt-from-reconnect"
        and ledger.credentials.reconnects_needed() == []
    )


def test_reconnect_needed_is_stored_listed_and_cleared_by_a_new_value(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    lease = ledger.credentials.claim_lease(
        NAME, "worker-a", ledger.credentials.state(NAME).version, now(), MINUTE
    )
    assert lease is not None and ledger.credentials.mark_needs_reconnect(
        lease, "run qbsps connect quickbooks", now()
    )
    state = ledger.credentials.state(NAME)
    assert state.reconnect_reason == "run qbsps connect quickbooks" and state.leased_until is None
    [dead] = ledger.credentials.reconnects_needed()
    assert (dead.name, dead.reason) == (
        NAME,
        "run qbsps connect quickbooks",
    ) and dead.since.tzinfo is not None
    ledger.credentials.store(NAME, "rt-after-consent")
    assert (
        ledger.credentials.reconnects_needed() == []
        and ledger.credentials.state(NAME).reconnect_reason is None
    )


def test_releasing_lets_the_next_holder_in_at_once(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    version = ledger.credentials.state(NAME).version
    lease = ledger.credentials.claim_lease(NAME, "worker-a", version, now(), MINUTE)
    assert lease is not None
    ledger.credentials.release_lease(lease)
    assert ledger.credentials.claim_lease(NAME, "worker-b", version, now(), MINUTE) is not None
