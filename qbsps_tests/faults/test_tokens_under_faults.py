"""QBO tokens during a run (issue 9): the access token expires mid-pass; a refresh whose answer is
lost after Intuit rotated the token ("reconnect needed", no more token calls, then a reconnect);
four other processes refreshing at once while a pass runs. Orders go through the inbound library
path under SPS and QBO faults; each scenario ends with every order in QBO once and its 855 once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound.batch import FileOutcome, process_files
from qbsps_orchestration.lib.inbound.completion import unfinished_order_files
from qbsps_tests.faults.test_inbound_under_faults import ack_path
from qbsps_tests.faults.world import QBO_API, SPS_API, clients, fault_mix, inject, orders_in_qbo, seed
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.lib.outbound.test_send_exactly_once import uploads_held_by_sps, with_lag
from qbsps_tests.lib.qbo.test_token_lease import TokenWorld, finished
from qbsps_tests.lib.qbo.test_token_reconnect import reconnect, token_calls
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir, wait_for

ORDERS = 60
MAX_PASSES = 8
HOUR = 3600


def deliver(c: SandboxedConnector, prefix: str) -> list[str]:
    orders = [f"{prefix}-{n:03d}" for n in range(ORDERS)]
    for po in orders:
        c.box.sps.put_file(c.orders_folder + f"{po}.json", order_bytes(po, ship_to=False))
    return orders


def with_faults(c: SandboxedConnector, name: str, qbo_api: str = QBO_API) -> int:
    value = seed(name)
    inject(c.box.qbo_url, fault_mix(qbo_api, slow_rate=0), value)
    inject(c.box.sps_url, fault_mix(SPS_API, slow_rate=0), value + 1)
    return value


def one_pass(c: SandboxedConnector) -> list[FileOutcome]:
    """What `qbsps sync inbound` runs: the mailbox and every file the ledger still owes."""
    config = with_lag(c.config, 1)
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    with clients(config, c.ledger) as api:
        owed = unfinished_order_files(c.ledger, config)
        names = list(dict.fromkeys([*c.order_files(), *owed]))  # the listing is not the subject here
        return process_files(config, c.ledger, api.sps, api.qbo, names, acknowledge_with=schemas)


def passes_until_done(c: SandboxedConnector) -> int:
    for count in range(1, MAX_PASSES + 1):
        if not [o for o in one_pass(c) if o.error] and not unfinished_order_files(c.ledger, c.config):
            return count
        time.sleep(1.1)  # past the history lag
    return MAX_PASSES + 1


def assert_each_once(c: SandboxedConnector, orders: list[str], value: int) -> None:
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1), f"seed {value}"
    assert uploads_held_by_sps(c) == {ack_path(po): 1 for po in orders}, f"seed {value}"
    assert c.order_files() == []
    assert c.ledger.unfinished_documents() == [] and c.ledger.open_intents() == []


def test_access_token_expiring_mid_pass_loses_and_doubles_nothing(
    empty_connector: SandboxedConnector, report_measurement
) -> None:
    c = empty_connector
    orders = deliver(c, "PO-EXP")
    value = with_faults(c, "token expiry")
    before = token_calls(c)

    def expire_when_half_written() -> None:  # the access token's hour ends while the pass runs
        # Once half the orders are in QBO (the first group's /batch), so the token the pass got for
        # them expires before the second group's writes.
        half = ORDERS // 2
        wait_for(lambda: c.box.qbo.count("PurchaseOrder") >= half, 120, "half the orders in QBO", every=0.05)
        c.box.clock.advance(HOUR + 60)

    expiry = threading.Thread(target=expire_when_half_written)
    expiry.start()
    passes = passes_until_done(c)
    expiry.join()

    assert passes <= MAX_PASSES, f"seed {value}"
    refreshes = token_calls(c) - before
    assert refreshes == 2  # the first token, then one after the expiry: every other call reused it
    assert_each_once(c, orders, value)
    report_measurement(
        f"{ORDERS} orders, seed {value}: access token expired mid-pass, {refreshes} refreshes, "
        f"{passes} passes; duplicates 0, lost 0"
    )


@pytest.mark.long
def test_lost_refresh_answer_needs_a_reconnect_then_every_order_lands_once(
    empty_connector: SandboxedConnector, report_measurement
) -> None:
    c = empty_connector
    orders = deliver(c, "PO-RECON")
    value = with_faults(c, "lost refresh")
    c.qbo().query("SELECT * FROM Vendor")  # a token in the ledger, then the next refresh rotates it
    c.box.qbo.settings.refresh_rotation_age = 0
    c.box.clock.advance(HOUR + 60)
    c.box.qbo.authority.drop_next_refresh_response = True

    outcomes = one_pass(c)
    calls = token_calls(c)
    assert c.box.qbo.authority.dropped_refresh_responses == 1
    [dead] = c.ledger.credentials.reconnects_needed()
    assert dead.name == f"qbo.tokens.{c.box.settings.qbo.realm_id}"
    failed = [o for o in outcomes if o.sync_error]  # the rest met SPS faults before they reached QBO
    assert len(failed) > ORDERS // 2
    # Every failure names the cure: the refused access token is never offered to QBO again, so no
    # 429 or 5xx answered before the token check can stand in for the reason.
    assert all("qbsps connect quickbooks" in (o.sync_error or "") for o in failed), f"seed {value}"
    assert orders_in_qbo(c) == {}  # nothing reached QBO without a token
    again = one_pass(c)  # a later pass fails at once, without asking the token endpoint again
    assert all("qbsps connect quickbooks" in (o.sync_error or "") for o in again if o.sync_error)
    assert token_calls(c) == calls

    reconnect(c)
    passes = passes_until_done(c)
    assert passes <= MAX_PASSES, f"seed {value}"
    assert_each_once(c, orders, value)
    report_measurement(
        f"{ORDERS} orders, seed {value}: refresh answer lost after rotation -> reconnect needed, "
        f"{len(failed)} files failed with the reconnect message, 0 token calls after it; reconnected, "
        f"{passes} passes; duplicates 0, lost 0"
    )


def test_four_processes_refreshing_during_a_pass_make_one_refresh(
    empty_connector: SandboxedConnector, tmp_path: Path, report_measurement
) -> None:
    c = empty_connector
    orders = deliver(c, "PO-LEASE")
    # QBO faults on the orders' writes and reads only: the other processes' one query is not the subject.
    value = with_faults(c, "four refreshers", f"{QBO_API}{c.config.qbo.realm_id}/purchaseorder")
    c.qbo().query("SELECT * FROM Vendor")
    c.box.clock.advance(HOUR + 60)  # everyone finds the access token expired
    before = token_calls(c)
    world = TokenWorld(
        c.box.qbo,
        c.box.clock,
        c.box.qbo_faults,
        c.box.qbo_url,
        c.config.ledger.url,
        c.config.ledger.secret_keys.resolve(),
        c.box.refresh_token or "",
        tmp_path,
    )
    start = tmp_path / "start"
    children = world.start_refreshers(4, start)
    start.touch()  # they refresh while this process runs its pass
    passes = passes_until_done(c)
    results = [finished(child) for child in children]

    assert passes <= MAX_PASSES, f"seed {value}"
    assert len({r["fingerprint"] for r in results}) == 1 and all(r["vendors"] > 0 for r in results)
    assert token_calls(c) - before == 1  # one refresh for five processes
    assert c.ledger.credentials.reconnects_needed() == []
    assert_each_once(c, orders, value)
    report_measurement(
        f"{ORDERS} orders, seed {value}: 4 processes refreshing during the pass, 1 refresh, no reconnect "
        f"needed, {passes} passes; duplicates 0, lost 0"
    )
