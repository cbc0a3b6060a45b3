"""Read and write the qbsps configuration file (YAML). Every mistake becomes a `ConfigError`."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..items import ItemCsvError, ItemRow, read_item_csv
from ..pydantic_errors import problems_from_validation_error
from .errors import ConfigError
from .models import QbspsConfig

CONFIG_ENV = "QBSPS_CONFIG"


def load_config(path: Path | str | None = None) -> QbspsConfig:
    """Load and validate the config file at `path`, or at ``$QBSPS_CONFIG`` when no path is given.

    Also reads the item CSV it names (relative paths are relative to the config file). Credentials
    are not resolved here; `CredentialSource.resolve()` does that when a client needs them.
    """
    if path is None:
        from_env = os.environ.get(CONFIG_ENV, "").strip()
        if not from_env:
            raise ConfigError(None, [("", f"no config file given and {CONFIG_ENV} is not set")])
        path = from_env
    source = Path(path).expanduser().resolve()
    return config_from_mapping(_read_yaml(source), source=source)


def configured_go_live() -> date | None:
    """`qbo.go_live` of the config named by ``$QBSPS_CONFIG``, read when the Dagster definitions
    load; None without a config or when it does not load (every run then reports its errors)."""
    if not os.environ.get(CONFIG_ENV, "").strip():
        return None
    try:
        return load_config().qbo.go_live
    except ConfigError:
        return None


def config_from_mapping(data: Any, *, source: Path | None = None) -> QbspsConfig:
    """Validate an already-parsed config. `source` names the file in errors and anchors relative paths."""
    if data is None:
        raise ConfigError(source, [("", "the file is empty; expected a mapping with qbo, sps, accounts, …")])
    if not isinstance(data, dict):
        raise ConfigError(source, [("", f"the top level must be a mapping, not a {type(data).__name__}")])
    try:
        config = QbspsConfig.model_validate(data)
    except ValidationError as exc:
        # `from None`: pydantic's own text echoes input values, which may be secrets.
        raise ConfigError(source, problems_from_validation_error(exc, QbspsConfig)) from None

    base_dir = source.parent if source is not None else Path.cwd()
    for key, credential in config.credential_sources():
        credential.bind(key, base_dir)
    if config.items_csv is not None:
        config._csv_items = _read_csv_rows(config, base_dir / Path(config.items_csv).expanduser(), source)
    config._source_path = source
    return config


def dump_config(config: QbspsConfig) -> str:
    """YAML that `load_config` reads back into an equal config.

    Literal ``{value: ...}`` credentials are written out in clear (the sandbox writes its throwaway
    secrets this way); ``env``/``file`` sources stay references. `items_csv` is written as given,
    so a relative path stays relative to wherever the file is written.
    """
    data = config.model_dump(mode="json", exclude_none=True, context={"reveal_secrets": True})
    for row in data.get("items", []):
        if row.get("verify_check_digit") is True:  # the default; only the exception is worth a line
            del row["verify_check_digit"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _read_yaml(source: Path) -> Any:
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, [("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, [("", f"cannot read: {exc}")]) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # Position and problem only: the offending snippet could be a secret.
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(source, [("", f"not valid YAML{where}: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [("", f"not valid YAML: {type(exc).__name__}")]) from None


def _read_csv_rows(config: QbspsConfig, csv_path: Path, source: Path | None) -> list[tuple[str, ItemRow]]:
    try:
        rows = read_item_csv(csv_path)
    except ItemCsvError as exc:
        raise ConfigError(
            source, [("items_csv", f"{where}: {reason}") for where, reason in exc.problems]
        ) from None
    unknown = config.unknown_partner_problems(rows)
    if unknown:
        raise ConfigError(source, [("items_csv", f"{where}: {reason}") for where, reason in unknown])
    return rows
