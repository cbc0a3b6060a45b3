"""`qbsps secrets rotate-key`: a new Fernet key for the stored credentials, without downtime.

Order matters. The new key goes first into `ledger.secret_keys` (the old ones stay behind it), and
only then is anything re-encrypted: every process opens the ledger with the key list it reads at
that moment, and a list holding both keys decrypts both kinds of ciphertext. The old key is dropped
in a separate step (`--drop-old`), after re-encrypting once more whatever a process still on the old
list stored meanwhile, and only when the newest key alone reads every stored secret.

No key is ever printed, except the value an operator must set when the keys come from an
environment variable (this command cannot change another process's environment, and will not guess).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .support import config_option, load_config_or_exit

if TYPE_CHECKING:
    from ..lib.config import CredentialSource, QbspsConfig

DROP = "qbsps secrets rotate-key --drop-old"
REENCRYPT = "qbsps secrets rotate-key --reencrypt"


@click.group()
def secrets() -> None:
    """The key that encrypts the credentials stored in the ledger."""


@secrets.command("rotate-key")
@config_option
@click.option(
    "--reencrypt",
    is_flag=True,
    help="The key list already starts with the new key (an environment variable you updated): "
    "only re-encrypt every stored secret with it.",
)
@click.option("--drop-old", is_flag=True, help="Drop the older keys once no stored secret needs them.")
@click.option("--operator", default=getpass.getuser, show_default="the OS user", help="Who (audit trail).")
def rotate_key(config_path: Path | None, reencrypt: bool, drop_old: bool, operator: str) -> None:
    """Put a new key first in ledger.secret_keys and re-encrypt every stored secret with it."""
    from ..lib.secret_key_file import parse_keys
    from ..lib.secrets import SecretCipher, SecretKeyError

    if reencrypt and drop_old:
        raise click.ClickException("--reencrypt and --drop-old are separate steps: give one of them")
    config = load_config_or_exit(config_path)
    source = config.ledger.secret_keys
    if source.value is not None:
        raise click.ClickException(
            f"{source.key} is a literal value in the config file: move the key to a file of mode 0600 "
            "({file: PATH}) or to the environment ({env: NAME}) before rotating it"
        )
    keys = parse_keys(source.resolve())
    try:
        SecretCipher(keys)
    except SecretKeyError as exc:
        raise click.ClickException(f"{source.describe()}: {exc}") from None
    _refuse_unreadable(config, keys, source)

    if drop_old:
        _drop_old(config, keys, source, operator)
    elif reencrypt:
        if len(keys) < 2:
            raise click.ClickException(
                f"{source.describe()} holds one key: there is no new key to re-encrypt with "
                "(run qbsps secrets rotate-key without --reencrypt to make one)"
            )
        _reencrypt(config, keys, operator)
    else:
        _add_key(config, keys, source, operator)


def _add_key(config: QbspsConfig, keys: list[str], source: CredentialSource, operator: str) -> None:
    from ..lib.secret_key_file import write_key_file
    from ..lib.secrets import SecretCipher

    new_keys = [SecretCipher.generate_key(), *keys]
    if source.path is None:  # an environment variable: the operator sets it everywhere
        assert source.env is not None
        click.echo(f"a new key is ready; set {source.env} to this value wherever qbsps runs:")
        click.echo(f"  {source.env}={','.join(new_keys)}")
        click.echo("it lists the new key first and keeps the current ones, so processes still")
        click.echo("on the current value keep reading every stored secret until you restart them.")
        click.echo(
            f"nothing is re-encrypted yet: once it is set (and the processes restarted), run {REENCRYPT}"
        )
        return
    write_key_file(source.path, new_keys)
    click.echo(f"wrote a new key first in {source.path} (mode 0600; {len(keys)} older key(s) kept behind it)")
    _reencrypt(config, new_keys, operator)


def _reencrypt(config: QbspsConfig, keys: list[str], operator: str) -> None:
    count = _rotate(config, keys, operator)
    click.echo(f"re-encrypted {count} stored secret(s) with the newest key")
    click.echo(
        f"the {len(keys) - 1} older key(s) can be dropped now: every stored secret reads with the newest "
        f"key alone. Run {DROP} once every qbsps process opens the ledger with the new list (it "
        "re-encrypts anything a process on the old list stored meanwhile, then drops them)"
    )


def _drop_old(config: QbspsConfig, keys: list[str], source: CredentialSource, operator: str) -> None:
    from ..lib.ledger.credentials.key_rotation import unreadable_secrets
    from ..lib.secret_key_file import write_key_file

    if len(keys) < 2:
        raise click.ClickException(f"{source.describe()} holds one key: there is no older key to drop")
    count = _rotate(config, keys, operator)  # a process still on the old list may have stored one
    needing_old = unreadable_secrets(config.ledger.url, keys[:1])
    if needing_old:
        raise click.ClickException(
            f"kept the older keys: {len(needing_old)} stored secret(s) still need them "
            f"({', '.join(needing_old)}); a process on the old key list is writing: restart it, then "
            f"run {DROP} again"
        )
    dropped = len(keys) - 1
    if source.path is None:
        assert source.env is not None
        click.echo(f"every stored secret ({count}) reads with the newest key alone; set {source.env} to")
        click.echo(f"  {source.env}={keys[0]}")
        click.echo(f"wherever qbsps runs to drop the {dropped} older key(s)")
        return
    write_key_file(source.path, keys[:1])
    click.echo(
        f"dropped {dropped} older key(s) from {source.path}: "
        f"every stored secret ({count}) reads with the newest key"
    )


def _rotate(config: QbspsConfig, keys: list[str], operator: str) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ..lib.ledger import Ledger
    from ..lib.secrets import SecretCipher

    ledger = Ledger(config.ledger.url, cipher=SecretCipher(keys)).as_actor(f"{operator} (qbsps secrets)")
    try:
        return ledger.credentials.rotate()
    except SQLAlchemyError as exc:
        raise click.ClickException(_ledger_problem(exc)) from None
    finally:
        ledger.close()


def _refuse_unreadable(config: QbspsConfig, keys: list[str], source: CredentialSource) -> None:
    """A lost key must be restored, not rotated past: rotating would fail on its secrets anyway."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..lib.ledger.credentials.key_rotation import unreadable_secrets

    try:
        unreadable = unreadable_secrets(config.ledger.url, keys)
    except SQLAlchemyError as exc:
        raise click.ClickException(_ledger_problem(exc)) from None
    if unreadable:
        raise click.ClickException(
            f"no key in {source.describe()} decrypts {len(unreadable)} stored secret(s) "
            f"({', '.join(unreadable)}): restore the key they were stored with first; nothing was changed"
        )


def _ledger_problem(exc: Exception) -> str:
    # The SQLAlchemy message can hold the URL (and its password): name only the class of problem.
    return (
        f"cannot read the ledger's stored credentials ({type(exc).__name__}): "
        "check ledger.url and run qbsps db upgrade"
    )
