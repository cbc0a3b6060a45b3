"""Credentials: encrypted at rest, key rotation, and one refresher at a time (threads and processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qbsps_orchestration.lib.ledger import (
    Ledger,
    SecretLockTimeoutError,
    SecretNotFoundError,
)
from qbsps_orchestration.lib.secrets import SECRET_KEYS_ENV, SecretCipher

REFRESH_TOKEN = "AB11786543210-refresh-token-plaintext"
NAME = "qbo.9130350000000000.refresh_token"


def raw_ciphertexts(ledger_url: str) -> list[str]:
    engine = create_engine(ledger_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT ciphertext FROM credentials")).scalars())
    finally:
        engine.dispose()


def test_secret_is_encrypted_at_rest_and_versioned(ledger: Ledger, ledger_url: str) -> None:
    assert ledger.credentials.store(NAME, REFRESH_TOKEN) == 1
    assert ledger.credentials.store(NAME, REFRESH_TOKEN + "-2") == 2
    assert ledger.credentials.load(NAME) == REFRESH_TOKEN + "-2"
    stored = raw_ciphertexts(ledger_url)
    assert len(stored) == 1 and REFRESH_TOKEN not in stored[0]
    assert all(REFRESH_TOKEN not in repr(event) for event in ledger.audit_trail(None))
    if ledger.dialect == "sqlite":  # not in any page of the database file or its WAL either
        database = Path(make_url(ledger_url).database or "")
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert REFRESH_TOKEN.encode() not in path.read_bytes()
    with pytest.raises(SecretNotFoundError, match="qbo.unknown"):
        ledger.credentials.load("qbo.unknown")


def test_key_rotation_reencrypts_every_secret(ledger_url: str, ledger: Ledger, secret_key: str) -> None:
    ledger.credentials.store(NAME, REFRESH_TOKEN)
    ledger.credentials.store("sps.client_secret", "sps-secret")
    new_key = SecretCipher.generate_key()
    both = Ledger(ledger_url, cipher=SecretCipher.from_env({SECRET_KEYS_ENV: f"{new_key},{secret_key}"}))
    only_new = Ledger(ledger_url, cipher=SecretCipher([new_key]))
    try:
        assert both.credentials.rotate() == 2
        assert only_new.credentials.load(NAME) == REFRESH_TOKEN
        assert only_new.credentials.load("sps.client_secret") == "sps-secret"
    finally:
        both.close()
        only_new.close()


def test_second_refresher_waits_for_the_first_and_sees_the_rotated_token(
    ledger_url: str, ledger: Ledger
) -> None:
    ledger.credentials.store(NAME, "rt-1")
    other = Ledger(ledger_url, cipher=ledger.credentials.cipher)
    acquired = threading.Event()
    seen: list[str] = []

    def second_refresher() -> None:
        with other.credentials.locked(NAME, wait_seconds=20) as held:
            seen.append(held.value)
            acquired.set()
            held.store("rt-3")

    try:
        with ledger.credentials.locked(NAME) as held:
            assert held.value == "rt-1"
            thread = threading.Thread(target=second_refresher)
            thread.start()
            assert not acquired.wait(0.5), "the second refresher got the lock while the first held it"
            assert held.store("rt-2") == 2  # committed before use: the lock is released here
        thread.join(timeout=20)
        assert acquired.is_set() and seen == ["rt-2"]
        assert ledger.credentials.load(NAME) == "rt-3"
    finally:
        other.close()


def test_lock_without_store_changes_nothing(ledger: Ledger) -> None:
    ledger.credentials.store(NAME, "rt-1")
    with pytest.raises(RuntimeError, match="refresh failed"), ledger.credentials.locked(NAME) as held:
        assert held.value == "rt-1"
        raise RuntimeError("refresh failed")
    with ledger.credentials.locked(NAME, wait_seconds=1) as held:  # released despite the error
        assert (held.value, held.version) == ("rt-1", 1)
    with pytest.raises(SecretNotFoundError), ledger.credentials.locked("qbo.never-connected"):
        pass


CHILD = """
import sys
from qbsps_orchestration.lib.ledger import Ledger
ledger = Ledger(sys.argv[1])
with ledger.credentials.locked(sys.argv[2]) as held:
    print("locked", held.value, flush=True)
    sys.stdin.readline()
    held.store("rotated-by-child")
print("released", flush=True)
"""


def take_lock(ledger: Ledger, wait_seconds: float) -> None:
    with ledger.credentials.locked(NAME, wait_seconds=wait_seconds):
        pass


def test_lock_excludes_another_process(ledger_url: str, ledger: Ledger, secret_key: str) -> None:
    ledger.credentials.store(NAME, "rt-1")
    env = {**os.environ, SECRET_KEYS_ENV: secret_key}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, ledger_url, NAME],
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parents[3],
    ) as child:
        try:
            assert child.stdout is not None and child.stdin is not None
            assert child.stdout.readline().split() == ["locked", "rt-1"]
            started = time.monotonic()
            with pytest.raises(SecretLockTimeoutError, match=NAME):
                take_lock(ledger, wait_seconds=0.5)
            assert time.monotonic() - started >= 0.4  # it waited, then gave up
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "released"
            with ledger.credentials.locked(NAME, wait_seconds=5) as held:
                assert (held.value, held.version) == ("rotated-by-child", 2)
        finally:
            if child.poll() is None:
                child.kill()
