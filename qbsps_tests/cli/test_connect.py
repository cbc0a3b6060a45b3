"""`qbsps connect quickbooks` and `qbsps connect sps` against the sandbox, as a user runs them, with
a config file that holds no credential at all. The test plays the browser (consent_browser.py):
it opens the authorize URL, presses Connect or Cancel on the consent page, and follows Intuit's
redirect to the command's local listener."""

from __future__ import annotations

import os
import subprocess
import sys
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from qbsps_orchestration.cli import main
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connections import QBO_CONNECTION, load_qbo_connection, load_sps_connection
from qbsps_orchestration.lib.connector import NotConnectedError, connected_config, qbo_client, sps_client
from qbsps_orchestration.lib.ledger import SecretNotFoundError
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault
from qbsps_orchestration.sandbox.qbo.oauth.tokens import fingerprint
from qbsps_tests.consent_browser import decide, play
from qbsps_tests.sandboxed import SandboxedConnector, sandboxed_connector
from qbsps_tests.support import wait_for

QBSPS = str(Path(sys.executable).parent / "qbsps")
BROWSER_SCRIPT = Path(__file__).parents[1] / "consent_browser.py"


@dataclass
class Bare:
    """A running sandbox and a config for it without any credential (`bare.yaml`)."""

    running: SandboxedConnector
    config_path: Path

    @property
    def realm_id(self) -> str:
        return self.running.box.settings.qbo.realm_id

    def qbo_app_env(self) -> dict[str, str]:
        qbo = self.running.box.settings.qbo
        return {"QBSPS_QBO_CLIENT_ID": qbo.client_id, "QBSPS_QBO_CLIENT_SECRET": qbo.client_secret}

    def stored(self) -> list[str]:
        """Names of the QBO secrets in the ledger that a connect writes."""
        names = []
        for name in (QBO_CONNECTION, f"qbo.tokens.{self.realm_id}"):
            try:
                self.running.ledger.credentials.load(name)
                names.append(name)
            except SecretNotFoundError:
                pass
        return names

    def ledger_bytes(self) -> bytes:
        folder = self.config_path.parent
        return b"".join(p.read_bytes() for p in sorted(folder.glob("sandbox-ledger.db*")))


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bare]:
    with sandboxed_connector(tmp_path, monkeypatch, samples=False) as running:
        data = yaml.safe_load(running.config_path.read_text())
        for key in ("client_id", "client_secret", "refresh_token", "realm_id"):
            del data["qbo"][key]
        for key in ("client_id", "client_secret"):
            del data["sps"][key]
        path = running.config_path.with_name("bare.yaml")  # beside the config: same ledger and key
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        monkeypatch.setenv("QBSPS_CONFIG", str(path))
        yield Bare(running, path)


def _invoke(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, args, env=env, input=stdin, catch_exceptions=False)


def _connect_with_browser(
    bare: Bare, monkeypatch: pytest.MonkeyPatch, **browser: object
) -> tuple[Result, list[httpx.Response]]:
    """`qbsps connect quickbooks` in-process, with the scripted browser as the system browser."""
    pages: list[httpx.Response] = []

    def open_browser(url: str, *_: object, **__: object) -> bool:
        pages.append(play(url, **browser))  # type: ignore[arg-type]
        return True

    monkeypatch.setattr(webbrowser, "open", open_browser)
    monkeypatch.setenv("BROWSER", "scripted")  # a browser is available on this "desktop"
    result = _invoke(["connect", "quickbooks", "--port", "0", "--timeout", "30"], env=bare.qbo_app_env())
    # The browser runs in its own thread: qbsps may finish on the callback before it hands back.
    wait_for(lambda: pages, 30, "the scripted browser's last page")
    return result, pages


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_connect_quickbooks_end_to_end_stores_tokens_encrypted(bare: Bare, tmp_path: Path) -> None:
    browser = tmp_path / "browser"  # the system browser of this run: a script playing the user
    browser.write_text(
        f"#!{sys.executable}\nimport runpy\nrunpy.run_path({str(BROWSER_SCRIPT)!r}, run_name='__main__')\n"
    )
    browser.chmod(0o755)
    page = tmp_path / "page.txt"
    env = {
        **os.environ,
        **bare.qbo_app_env(),
        "BROWSER": str(browser),
        "QBSPS_TEST_BROWSER_PAGE": str(page),
        "PYTHONUNBUFFERED": "1",
    }
    done = subprocess.run(
        [QBSPS, "connect", "quickbooks", "--config", str(bare.config_path), "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Connected to QuickBooks company {bare.realm_id}" in done.stdout
    assert "stored encrypted in the ledger" in done.stdout
    assert page.read_text().startswith("200\n") and "qbsps is connected" in page.read_text()

    ledger = bare.running.ledger
    tokens = LedgerTokenVault(ledger, bare.realm_id, None).current()
    connection = load_qbo_connection(ledger)
    assert connection is not None and connection.realm_id == bare.realm_id
    secret = bare.running.box.settings.qbo.client_secret
    for plaintext in (tokens.access_token, tokens.refresh_token, secret):
        assert plaintext.encode() not in bare.ledger_bytes()
        assert plaintext not in done.stdout + done.stderr
    # The consent made a new token family at Intuit, and the ledger holds exactly that one.
    families = bare.running.box.qbo.authority.store.families.values()
    assert fingerprint(tokens.refresh_token) in {fingerprint(f.refresh_token) for f in families}

    # A config with no credential at all now reaches QuickBooks through what connect stored.
    config = connected_config(load_config(bare.config_path), ledger)
    assert config.qbo.realm_id == bare.realm_id
    client = qbo_client(config, ledger)
    try:
        assert client.query("SELECT * FROM Vendor")["Vendor"]
    finally:
        client.close()


def test_no_browser_reads_the_pasted_redirect(bare: Bare) -> None:
    proc = subprocess.Popen(
        [QBSPS, "connect", "quickbooks", "--config", str(bare.config_path), "--no-browser"],
        env={**os.environ, **bare.qbo_app_env(), "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        shown = [proc.stdout.readline() for _ in range(2)]
        assert shown[0].startswith("Open this address in a browser")
        url = shown[1].strip()
        assert "redirect_uri=http%3A%2F%2Flocalhost%3A8714%2Fcallback" in url
        # The user's browser lands on localhost:8714 (nothing listens there); they copy the address.
        landed = decide(url)
        out, err = proc.communicate(landed + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out + err
    assert f"Connected to QuickBooks company {bare.realm_id}" in out
    assert bare.stored() == [QBO_CONNECTION, f"qbo.tokens.{bare.realm_id}"]


def test_denied_consent_stores_nothing(bare: Bare, monkeypatch: pytest.MonkeyPatch) -> None:
    result, pages = _connect_with_browser(bare, monkeypatch, decision="cancel")
    assert _one_line_error(result) == (
        "Error: QuickBooks access was denied on Intuit's consent page: nothing was stored"
    )
    assert pages[0].status_code == 400 and "Not connected" in pages[0].text
    assert bare.stored() == []


def test_wrong_state_is_refused_and_stores_nothing(bare: Bare, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = _connect_with_browser(bare, monkeypatch, forged_state="someone-elses-state")
    assert "state does not match this connection attempt" in _one_line_error(result)
    assert bare.stored() == []
    # The code was never sent to the token endpoint: it is still outstanding at Intuit.
    assert bare.running.box.qbo.authority.store.describe()["outstanding_codes"] == 1


def test_expired_code_is_refused_and_stores_nothing(bare: Bare, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = _connect_with_browser(bare, monkeypatch, expire_code_after=301)
    message = _one_line_error(result)
    assert "invalid_grant" in message and "expired or was already used" in message
    assert bare.stored() == []


def test_reconnecting_replaces_the_token_family_and_reuses_the_app(
    bare: Bare, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _connect_with_browser(bare, monkeypatch)
    assert first.exit_code == 0, first.output
    vault = LedgerTokenVault(bare.running.ledger, bare.realm_id, None)
    before = vault.current().refresh_token

    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: bool(play(url)))
    again = _invoke(["connect", "quickbooks", "--port", "0"])  # no client id/secret given: the stored app
    assert again.exit_code == 0, again.output
    assert "Intuit app client" not in again.output  # nothing was prompted
    assert vault.current().refresh_token != before


def test_a_configured_refresh_token_does_not_undo_a_connect(
    bare: Bare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox's own config still names a refresh token (of another family): after connect,
    refreshes continue the connected family, not the configured one."""
    monkeypatch.setenv("QBSPS_CONFIG", str(bare.running.config_path))
    result, _ = _connect_with_browser(bare, monkeypatch)
    assert result.exit_code == 0, result.output
    connected = LedgerTokenVault(bare.running.ledger, bare.realm_id, None).current().refresh_token

    bare.running.box.clock.advance(3700)  # the access token expired: the next call refreshes
    client = qbo_client(bare.running.config, bare.running.ledger)
    try:
        client.query("SELECT * FROM Vendor")
    finally:
        client.close()
    by_value = {
        fingerprint(f.refresh_token): f for f in bare.running.box.qbo.authority.store.families.values()
    }
    assert by_value[fingerprint(connected)].refreshes == 1
    configured = bare.running.config.qbo.refresh_token.resolve()  # type: ignore[union-attr]
    assert by_value[fingerprint(configured)].refreshes == 0


def test_not_connected_commands_name_the_command_to_run(bare: Bare) -> None:
    for command in (["preview", "invoice", "1"], ["webhooks", "serve", "--port", "0"]):
        error = _one_line_error(_invoke(command))
        assert error == "Error: QuickBooks is not connected: run qbsps connect quickbooks", command
    with pytest.raises(NotConnectedError, match=r"^SPS is not connected: run qbsps connect sps$"):
        sps_client(load_config(bare.config_path))


def test_connect_sps_proves_the_keys_before_storing_them(bare: Bare) -> None:
    sps = bare.running.box.settings.sps
    wrong = _invoke(["connect", "sps"], env={"QBSPS_SPS_CLIENT_ID": sps.client_id}, stdin="not-the-secret\n")
    assert _one_line_error(wrong).startswith("Error: SPS refused the credentials (HTTP 401 access_denied)")
    assert "SPS app client secret: " in wrong.output and "not-the-secret" not in wrong.output  # hidden
    assert load_sps_connection(bare.running.ledger) is None

    good = _invoke(
        ["connect", "sps"],
        env={"QBSPS_SPS_CLIENT_ID": sps.client_id, "QBSPS_SPS_CLIENT_SECRET": sps.client_secret},
    )
    assert good.exit_code == 0, good.output
    assert "SPS accepted the credentials" in good.stdout and sps.client_secret not in good.output
    assert sps.client_secret.encode() not in bare.ledger_bytes()

    client = sps_client(load_config(bare.config_path))  # no credential in the config
    try:
        assert client.auth_check()
        assert client.list_page("out/PO/").entries == []
    finally:
        client.close()
