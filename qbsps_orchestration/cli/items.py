"""`qbsps items export`: the item cross-reference as a CSV file `items_csv` reads back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .support import config_option, load_config_or_exit


@click.group()
def items() -> None:
    """The item cross-reference (partner codes to QBO Items)."""


@items.command("export")
@config_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the CSV here (default: standard output).",
)
def export(config_path: Path | None, output: Path | None) -> None:
    """Every cross-reference row (inline `items`, then `items_csv`) in the CSV columns qbsps reads:
    edit it in a spreadsheet, then name it as `items_csv` (and drop the inline rows)."""
    from ..lib.reference.tables import export_item_csv

    config = load_config_or_exit(config_path)
    if output is None:
        export_item_csv(config, sys.stdout)
        return
    count = export_item_csv(config, output)
    click.echo(f"wrote {count} item row(s) to {output}", err=True)
