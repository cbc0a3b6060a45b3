"""`qbsps init`: the first config file for real accounts, and the key that encrypts the ledger."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import click


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".qbsps/config.yaml"),
    show_default=True,
    help="Where to write the config file.",
)
@click.option(
    "--intuit",
    type=click.Choice(["production", "sandbox"]),
    default="production",
    show_default=True,
    help="Intuit's production companies, or (development keys) Intuit's sandbox companies.",
)
def init(config_path: Path, intuit: str) -> None:
    """Write a config file with no secret in it, and a new encryption key (mode 0600) beside it."""
    from ..lib.config.starter import KEY_FILE, starter_config
    from ..lib.secrets import create_key_file

    if config_path.exists():
        raise click.ClickException(f"{config_path} exists: edit it, or name another file with --config")
    folder = config_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    config_path.write_text(starter_config(folder, datetime.now(UTC).date(), intuit), encoding="utf-8")  # type: ignore[arg-type]
    key = folder / KEY_FILE
    mode_before = stat.S_IMODE(key.stat().st_mode) if key.exists() else None
    made = create_key_file(key)  # an existing key is kept, and tightened to 0600
    click.echo(f"wrote {config_path}")
    kept = "wrote a new encryption key" if made else "kept the existing key"
    click.echo(f"{kept} {key} (mode 0600; back it up: without it the stored credentials are lost)")
    if mode_before is not None and mode_before != 0o600:
        click.echo(f"tightened {key} from mode {mode_before:04o} to 0600: other users could read it")
    click.echo(f"next: export QBSPS_CONFIG={config_path.resolve()}")
    click.echo("      qbsps db upgrade && qbsps connect quickbooks && qbsps connect sps && qbsps doctor")
