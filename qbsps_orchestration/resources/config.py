"""The config resource: the qbsps config file, and what a deployment binds beside it (the ledger's
URL and its Fernet keys), as typed fields the Dagster UI lists. Bound with `dg.EnvVar`, the UI and
the run's metadata show the variable's name, never its value.

Within a run or a sensor tick the file is read and validated once: the resource is bound at launch
(defs/resources.py), so Dagster builds one instance and hands that same one to every resource that
depends on it, and that instance keeps what it loaded until the run ends.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field, PrivateAttr, SecretStr, ValidationError

from ..lib.config import (
    ConfigError,
    CredentialError,
    CredentialSource,
    LedgerSettings,
    QbspsConfig,
    load_config,
)
from ..lib.connector import connected_config

BINDING = "resource qbsps_config"


class QbspsConfigResource(dg.ConfigurableResource):
    """The qbsps config file, read once per run or sensor tick."""

    path: str = Field(default="", description="The qbsps config file (YAML); empty means $QBSPS_CONFIG.")
    # repr=False: a logged or raised resource must not print the password or the keys.
    ledger_url: str | None = Field(
        default=None,
        repr=False,
        description="The ledger's SQLAlchemy URL when the config file names none (it may hold a "
        "password: bind it with EnvVar). A file that names another ledger is an error, since the "
        "qbsps commands read the file.",
    )
    secret_keys: str | None = Field(
        default=None,
        repr=False,
        description="The ledger's Fernet keys, comma-separated, newest first, when the config file "
        "names no source for them (bind it with EnvVar). A file whose source holds other keys is an error.",
    )

    _in_execution: bool = PrivateAttr(default=False)
    _loaded: QbspsConfig | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Loading waits for the first use, so a bad file fails the step or the tick that reads it,
        # with its ConfigError, as before; from then on this run's instance keeps the result.
        self._in_execution = True

    def load(self) -> QbspsConfig:
        """The validated config with these bindings applied and the QBO company filled in from
        `qbsps connect` when the file names none. Outside a run (a test, a script) every call reads
        the file afresh."""
        if self._loaded is not None:
            return self._loaded
        config = connected_config(self._bound(load_config(self.path or None)))
        if self._in_execution:
            self._loaded = config
        return config

    def _bound(self, config: QbspsConfig) -> QbspsConfig:
        ledger, named = config.ledger, config.ledger.model_fields_set
        update: dict[str, object] = {}
        if self.ledger_url is not None:
            url = _checked_url(self.ledger_url, config)
            if "url" not in named:
                update["url"] = url
            elif ledger.url != url:
                raise _conflict(config, "ledger.url", "ledger_url")
        if self.secret_keys is not None:
            if "secret_keys" not in named:
                keys = CredentialSource(value=SecretStr(self.secret_keys))
                keys.bind(f"ledger.secret_keys ({BINDING})", None)
                update["secret_keys"] = keys
            elif not _holds(ledger.secret_keys, self.secret_keys):
                raise _conflict(config, "ledger.secret_keys", "secret_keys")
        if not update:
            return config
        return config.model_copy(update={"ledger": ledger.model_copy(update=update)})


def _checked_url(url: str, config: QbspsConfig) -> str:
    try:
        return LedgerSettings.model_validate({"url": url}).url
    except ValidationError:
        # The URL itself stays out of the message: it may carry the database password.
        raise ConfigError(
            config.source_path, [(f"ledger_url ({BINDING})", "not a SQLAlchemy database URL")]
        ) from None


def _holds(source: CredentialSource, keys: str) -> bool:
    try:
        return source.resolve() == keys
    except CredentialError:
        return False


def _conflict(config: QbspsConfig, key: str, field: str) -> ConfigError:
    return ConfigError(
        config.source_path,
        [(key, f"differs from {BINDING}'s {field}; the qbsps commands read the file: keep one of the two")],
    )
