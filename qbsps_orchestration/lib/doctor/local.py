"""Checks before any API call: the config file, the ledger's migrations, the encryption key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..config import CONFIG_ENV, ConfigError, CredentialError, QbspsConfig, load_config
from ..ledger.storage.migration_status import LedgerUnreachableError, migration_status
from ..secrets import SecretCipher, SecretKeyError
from .results import CheckResult, failed, passed, problem_text, warned

CONFIG = "config file"
LEDGER = "ledger"
SECRET_KEYS = "encryption key"

UPGRADE = "qbsps db upgrade"
NEW_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


def check_config(path: Path | None) -> tuple[CheckResult, QbspsConfig | None]:
    try:
        config = load_config(path)
    except ConfigError as exc:
        return failed(CONFIG, str(exc), _config_fix(exc)), None
    return passed(CONFIG, f"{config.source_path} is valid"), config


def _config_fix(exc: ConfigError) -> str:
    if exc.path is None:
        return f"pass --config PATH or set {CONFIG_ENV}"
    if all(not key for key, _ in exc.problems):  # the file itself: missing, unreadable, not YAML
        return "check the path and the file; `qbsps sandbox --write-config PATH` writes a complete example"
    return "correct the keys named above"


def check_ledger(config: QbspsConfig) -> tuple[CheckResult, bool]:
    """Reachable and at the newest migration; looks only, never migrates. True when usable."""
    try:
        status = migration_status(config.ledger.url)
    except LedgerUnreachableError as exc:
        return failed(LEDGER, str(exc), "check ledger.url and that its database server is running"), False
    head = ", ".join(status.heads)
    if not status.exists:
        return failed(LEDGER, f"{status.database} does not exist yet", f"create it: {UPGRADE}"), False
    if status.unknown:
        detail = f"{status.database} is at revision {', '.join(status.unknown)}, unknown to this qbsps"
        return failed(LEDGER, detail, "a newer qbsps migrated it: upgrade qbsps to that version"), False
    if not status.at_head:
        current = ", ".join(status.current) or "none (never migrated)"
        detail = f"{status.database} is at revision {current}; this qbsps needs {head}"
        return failed(LEDGER, detail, f"apply the migrations: {UPGRADE}"), False
    return passed(LEDGER, f"{status.database} at revision {head} (latest)"), True


def check_secret_keys(config: QbspsConfig) -> tuple[CheckResult, bool]:
    """The Fernet keys exist, parse, and (from a file) only their owner can read them. True when the
    keys work, even if the file's mode is too open."""
    source = config.ledger.secret_keys
    where = source.describe()
    try:
        raw = source.resolve()
    except CredentialError as exc:
        return failed(SECRET_KEYS, problem_text(exc), _missing_key_fix(config)), False
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    try:
        SecretCipher(keys)
    except SecretKeyError as exc:
        return failed(SECRET_KEYS, f"{where}: {exc}", _missing_key_fix(config)), False
    found = f"{len(keys)} Fernet key(s) from {where}"
    if source.path is not None:
        try:
            mode = stat.S_IMODE(os.stat(source.path).st_mode)
        except OSError as exc:  # gone between reading and looking at it
            return failed(SECRET_KEYS, f"cannot look at {source.path}: {exc.strerror}"), True
        if mode & 0o077:
            detail = f"{found}, but its mode is {mode:04o}: other users can read it"
            return failed(SECRET_KEYS, detail, f"chmod 600 {source.path}"), True
        return passed(SECRET_KEYS, f"{found} (mode {mode:04o})"), True
    if source.value is not None:
        fix = "move the key to a file of mode 0600 ({file: PATH}) or to the environment ({env: NAME})"
        return warned(SECRET_KEYS, f"{found}: the key sits in the config file itself", fix), True
    return passed(SECRET_KEYS, found), True


def _missing_key_fix(config: QbspsConfig) -> str:
    source = config.ledger.secret_keys
    # A new key cannot read what the old one encrypted: restoring comes first.
    keep = "restore the key the ledger's credentials were stored with; for a new ledger, "
    if source.path is not None:
        return f"{keep}make one: {NEW_KEY} > {source.path} && chmod 600 {source.path}"
    if source.env is not None:
        return f"{keep}make one with {NEW_KEY} and export {source.env}=<the key>"
    return f"{keep}make one with {NEW_KEY}"
