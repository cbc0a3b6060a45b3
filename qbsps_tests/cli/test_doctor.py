"""`qbsps doctor` and `qbsps db upgrade` as a user runs them, against a sandbox setup over real HTTP:
one line per check, the failure named with what to do, exit 1 unless nothing failed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbsps_orchestration.sandbox.settings import QboSandboxSettings
from qbsps_tests.lib.doctor.doctor_world import GOOD_SETUP_CHECKS, DoctorWorld, closed_port, doctor_world


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[DoctorWorld]:
    with doctor_world(tmp_path) as running:
        yield running


def _lines(output: str) -> dict[str, str]:
    """Check name -> its line (status first), for the lines that report a check."""
    found = {}
    for line in output.splitlines():
        status, _, rest = line.partition("  ")
        if status in ("PASS", "WARN", "FAIL", "SKIP"):
            found[rest[:24].strip()] = f"{status} {rest[24:].strip()}"
    return found


def test_doctor_passes_on_a_good_setup(world: DoctorWorld) -> None:
    result = world.cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert tuple(lines) == GOOD_SETUP_CHECKS
    assert all(line.startswith("PASS") for line in lines.values()), result.stdout
    assert "qbsps Demo Supplier Co (Minneapolis, MN)" in lines["QBO company"]
    assert "100 days left" in lines["QBO refresh token"] or "101 days left" in lines["QBO refresh token"]
    assert world.receiver_url in lines["webhook receiver"]
    assert "everything fits" in result.stdout


def test_a_wrong_sps_secret_is_named(world: DoctorWorld) -> None:
    world.edit_config(lambda data: data["sps"].update(client_secret={"value": "not-the-secret"}))
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["SPS token"].startswith("FAIL SPS 401")
    assert "fix: store the SPS Commerce Developer Center app's keys with qbsps connect sps" in result.stdout
    assert all(lines[name].startswith("SKIP") for name in ("SPS auth-check", "SPS orders folder"))
    assert lines["QBO token refresh"].startswith("PASS")  # the other checks still ran


def test_quickbooks_unreachable_is_named(world: DoctorWorld) -> None:
    port = closed_port()

    def point_at_closed_port(data: dict) -> None:
        data["qbo"]["api_base_url"] = f"http://127.0.0.1:{port}"
        data["qbo"]["token_url"] = f"http://127.0.0.1:{port}/oauth2/v1/tokens/bearer"

    world.edit_config(point_at_closed_port)
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["QBO token refresh"].startswith(f"FAIL cannot reach QuickBooks at http://127.0.0.1:{port}")
    assert "Connection refused" in lines["QBO token refresh"]
    assert "fix: check qbo.api_base_url and qbo.token_url" in result.stdout
    assert lines["QBO company"].startswith("SKIP") and lines["partner 525GROMM"].startswith("SKIP")
    assert lines["SPS upload folder"].startswith("PASS")


def test_a_partner_whose_customer_was_deleted_in_quickbooks(world: DoctorWorld) -> None:
    partner = world.config().partner("SPSALLTESTID")
    customer_id = partner.qbo_customer.id
    assert customer_id is not None
    with world.qbo() as qbo:  # "deleting" a Customer in QBO makes it inactive
        qbo.sparse_update("Customer", customer_id, {"Active": False}, request_id="test-delete-customer")
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["partner SPSALLTESTID"].startswith(
        f"FAIL trading_partners[0].qbo_customer: QBO Customer {customer_id} "
    )
    assert "is inactive (deleted in QuickBooks)" in lines["partner SPSALLTESTID"]
    assert lines["partner 525GROMM"].startswith("PASS")


def test_a_missing_key_file(world: DoctorWorld) -> None:
    key_file = world.key_file
    key_file.unlink()
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["encryption key"] == (
        f"FAIL ledger.secret_keys: cannot read {key_file}: No such file or directory"
    )
    assert f"> {key_file} && chmod 600 {key_file}" in result.stdout
    assert lines["QBO token refresh"] == "SKIP needs the encryption key (see encryption key)"


def test_a_key_file_others_can_read(world: DoctorWorld) -> None:
    key_file = world.key_file
    os.chmod(key_file, 0o644)
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["encryption key"].startswith("FAIL 1 Fernet key(s) from file")
    assert "its mode is 0644" in lines["encryption key"]
    assert f"fix: chmod 600 {key_file}" in result.stdout
    assert lines["QBO token refresh"].startswith("PASS")  # the key still works: only its mode is wrong
    os.chmod(key_file, 0o600)
    assert world.cli("doctor").returncode == 0


def test_an_unmigrated_ledger_then_db_upgrade_fixes_it(world: DoctorWorld) -> None:
    ledger_file = world.ledger_file
    for path in ledger_file.parent.glob(ledger_file.name + "*"):
        path.unlink()
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["ledger"] == f"FAIL sqlite:///{ledger_file} does not exist yet"
    assert "fix: create it: qbsps db upgrade" in result.stdout
    assert lines["QBO token refresh"].startswith("SKIP needs a migrated ledger")
    assert not ledger_file.exists()  # the doctor looked; it neither created nor migrated anything

    upgraded = world.cli("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "upgraded from an empty database to revision 0008_alerts" in upgraded.stdout
    again = world.cli("db", "upgrade")
    assert again.returncode == 0 and "already at revision 0008_alerts" in again.stdout
    assert world.cli("doctor").returncode == 0


def test_a_dead_refresh_token_is_found_now(world: DoctorWorld) -> None:
    world.box.qbo.authority.store.revoke_realm(world.config().qbo.realm_id)  # e.g. disconnected in QBO
    result = world.cli("doctor")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert lines["QBO token refresh"].startswith("FAIL QBO token refresh refused: HTTP 400 invalid_grant")
    assert "fix: the QuickBooks connection is gone: reconnect with qbsps connect quickbooks" in result.stdout


def test_a_refresh_token_near_its_end_warns_with_the_reconnect_command(tmp_path: Path) -> None:
    settings = QboSandboxSettings(throttle=False, refresh_token_lifetime=20 * 86_400)
    with doctor_world(tmp_path, qbo=settings) as world:
        result = world.cli("doctor")
    assert result.returncode == 0, result.stdout  # advice, not breakage
    lines = _lines(result.stdout)
    assert lines["QBO refresh token"].startswith(("WARN 19 days left", "WARN 20 days left"))
    assert "fix: reconnect the company before then: qbsps connect quickbooks" in result.stdout


def test_no_secret_reaches_the_output(world: DoctorWorld) -> None:
    good = world.cli("doctor")
    secrets = world.secrets()  # the config's credentials, the key, the QBO tokens just refreshed
    assert len(secrets) == 9
    # Failures echo what the other side answered: a refused SPS secret, a dead QBO refresh token.
    world.edit_config(lambda data: data["sps"].update(client_secret={"value": "wrong-sps-secret-value"}))
    world.box.qbo.authority.store.revoke_realm(world.config().qbo.realm_id)
    bad = world.cli("doctor")
    assert good.returncode == 0 and bad.returncode == 1
    output = good.stdout + good.stderr + bad.stdout + bad.stderr
    for secret in [*secrets, "wrong-sps-secret-value"]:
        assert secret not in output
