"""The doctor's checks as data, against a sandbox setup over real HTTP: what each finds and what it
says to do, and that a failed check never stops the ones after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from qbsps_orchestration.lib.doctor import Status, all_passed, run_doctor
from qbsps_tests.lib.doctor.doctor_world import GOOD_SETUP_CHECKS, DoctorWorld, closed_port, doctor_world


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[DoctorWorld]:
    with doctor_world(tmp_path) as running:
        yield running


def test_a_good_setup_passes_every_check_in_order(world: DoctorWorld) -> None:
    results = world.results()
    assert [(name, r.status) for name, r in results.items()] == [
        (name, Status.PASS) for name in GOOD_SETUP_CHECKS
    ]
    assert all_passed(list(results.values()))
    assert results["ledger"].detail.endswith("at revision 0008_alerts (latest)")
    assert results["encryption key"].detail.endswith("(mode 0600)")
    partner = results["partner SPSALLTESTID"].detail
    assert "'SPS All Test Retail'" in partner and "3 item row(s) map to active QBO Items" in partner


def test_the_token_refresh_is_forced_even_with_a_fresh_access_token(world: DoctorWorld) -> None:
    with world.qbo() as qbo:
        qbo.company_info()  # a sync just ran: the stored access token is fresh
        before = qbo.tokens.refresh_count
    world.results()
    with world.qbo() as qbo:
        stored = qbo.tokens.refresh_now()
    families = world.box.qbo.authority.store.describe()
    assert before == 1 and stored.refresh_expires_at is not None
    # Three refreshes reached the token endpoint: the sync's, the doctor's, this test's.
    assert sum(f["refreshes"] for f in families["families"]) == 3, families


def test_partner_references_that_name_nothing(world: DoctorWorld) -> None:
    def misname(data: dict) -> None:
        data["trading_partners"][0]["qbo_vendor"] = {"id": "9999"}
        data["trading_partners"][1]["qbo_customer"] = {"name": "No Such Customer"}

    world.edit_config(misname)
    results = world.results()
    first, second = results["partner SPSALLTESTID"], results["partner 525GROMM"]
    assert first.status is Status.FAIL and second.status is Status.FAIL
    assert first.detail == "trading_partners[0].qbo_vendor: QBO Vendor id=9999 does not exist"
    assert second.detail == (
        "trading_partners[1].qbo_customer: no QBO Customer named 'No Such Customer' (or it is inactive)"
    )
    assert "point the config keys named at the right ones" in (first.fix or "")


def test_an_inactive_item_fails_every_partner_whose_rows_name_it(world: DoctorWorld) -> None:
    item = world.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    with world.qbo() as qbo:
        qbo.sparse_update("Item", item["Id"], {"Active": False}, request_id="test-deactivate-item")
    results = world.results()
    for name in ("partner SPSALLTESTID", "partner 525GROMM"):  # the rows apply to every partner
        assert results[name].status is Status.FAIL
        assert results[name].detail == f"items[0]: QBO Item id={item['Id']} (HD-20 Sample Item 1) is inactive"


def test_sps_folders_that_do_not_exist(world: DoctorWorld) -> None:
    world.edit_config(lambda data: data["sps"].update(folders={"orders": "out/po/", "outbound": "outbox/"}))
    results = world.results()
    orders, upload = results["SPS orders folder"], results["SPS upload folder"]
    assert orders.status is Status.FAIL and "404" in orders.detail and "'/out/po/' not found" in orders.detail
    assert (orders.fix or "").startswith("check sps.folders.orders (case-sensitive)")
    assert upload.status is Status.FAIL and (upload.fix or "").startswith("check sps.folders.outbound")
    assert results["SPS auth-check"].status is Status.PASS


def test_no_receiver_and_no_verifier_token(world: DoctorWorld) -> None:
    port = closed_port()

    def unwire(data: dict) -> None:
        data["webhooks"]["receiver_url"] = f"http://127.0.0.1:{port}"
        del data["qbo"]["webhook_verifier_token"]

    world.edit_config(unwire)
    results = world.results()
    receiver, token = results["webhook receiver"], results["webhook verifier token"]
    assert receiver.status is Status.FAIL
    assert receiver.detail.startswith(f"nothing answers at http://127.0.0.1:{port}/health")
    assert "qbsps webhooks serve" in (receiver.fix or "")
    assert (token.status, token.detail) == (Status.FAIL, "qbo.webhook_verifier_token is not set")


def test_keys_in_the_config_warn_and_bad_keys_fail(world: DoctorWorld) -> None:
    key = Fernet.generate_key().decode()
    world.key_file.unlink()  # the ledger holds tokens under the old key: use a fresh ledger too
    world.edit_config(lambda data: data["ledger"].update(secret_keys={"value": key}))
    warned = world.results()["encryption key"]
    assert warned.status is Status.WARN and "sits in the config file itself" in warned.detail
    assert key not in warned.detail + (warned.fix or "")

    world.edit_config(lambda data: data["ledger"].update(secret_keys={"value": f"{key},not-a-key"}))
    results = world.results()
    bad = results["encryption key"]
    assert bad.status is Status.FAIL
    assert bad.detail == (
        "a literal value in the config file: QBSPS_SECRET_KEYS entry #2 is not a valid Fernet key "
        "(expected 32 url-safe base64-encoded bytes)"
    )
    assert results["QBO company"].status is Status.SKIP


def test_a_key_that_cannot_read_the_stored_tokens(world: DoctorWorld) -> None:
    world.results()  # tokens stored in the ledger under the sandbox's key
    world.key_file.write_text(Fernet.generate_key().decode() + "\n")
    results = world.results()
    refresh = results["QBO token refresh"]
    assert refresh.status is Status.FAIL and "cannot decrypt a stored secret" in refresh.detail
    assert "the key the stored QBO tokens were encrypted with" in (refresh.fix or "")


def test_an_invalid_config_skips_everything_else(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("qbo: {}\n")
    results = list(run_doctor(bad))
    assert [(r.name, r.status) for r in results] == [
        ("config file", Status.FAIL),
        ("all other checks", Status.SKIP),
    ]
    assert results[0].detail.startswith(f"config file {bad}: ")
    assert "  - qbo.api_base_url: missing required key\n" in results[0].detail
    missing = list(run_doctor(tmp_path / "absent.yaml"))[0]
    assert missing.detail.endswith("file not found")
    assert "qbsps sandbox --write-config PATH" in (missing.fix or "")


def test_apis_never_connected_name_the_connect_command(world: DoctorWorld) -> None:
    def forget_credentials(data: dict) -> None:
        for key in ("client_id", "client_secret", "refresh_token"):
            del data["qbo"][key]
        for key in ("client_id", "client_secret"):
            del data["sps"][key]

    world.edit_config(forget_credentials)  # and `qbsps connect` stored nothing in the ledger
    results = world.results()
    qbo, sps = results["QBO token refresh"], results["SPS token"]
    assert (qbo.status, sps.status) == (Status.FAIL, Status.FAIL)
    assert "QuickBooks is not connected: run qbsps connect quickbooks" in qbo.detail
    assert "SPS is not connected: run qbsps connect sps" in sps.detail
    assert results["QBO company"].status is Status.SKIP and results["SPS auth-check"].status is Status.SKIP
