"""`qbsps diff DOCUMENT`: field by field, what changed between two versions of one document, by
default the last version sent against the newest (typically one held because it changed after it
was sent), so an operator sees what `--resend` or `qbsps conflicts accept` would send."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..support import config_option, load_config_or_exit, resolve_document

if TYPE_CHECKING:
    from ...lib.ledger import Ledger, VersionRecord

# What became of a version, as an operator says it.
_STATES = {
    "applied": "sent",
    "conflict": "held: changed after it was sent",
    "replacement": "accepted, not sent yet",
    "pending": "not sent yet",
    "rejected": "rejected by an operator",
    "quarantined": "quarantined",
    "cancellation": "cancellation",
}
_TYPES = (
    ("outbound", "Invoice"),
    ("outbound", "Shipment"),
    ("outbound", "OrderAck"),
    ("outbound", "ItemRegistry"),
    ("inbound", "Order"),
)


@click.command()
@config_option
@click.argument("document")
@click.option(
    "--version",
    "version_ids",
    type=int,
    multiple=True,
    help="Twice: the two version ids to compare, older first (default: the last sent vs the newest).",
)
@click.option(
    "--type",
    "doc_type",
    type=click.Choice([doc_type for _, doc_type in _TYPES]),
    help="With PARTNER/NUMBER: which document (an 810 and its 856 share the number).",
)
def diff(config_path: Path | None, document: str, version_ids: tuple[int, ...], doc_type: str | None) -> None:
    """What changed between two versions of DOCUMENT (its ledger id, or PARTNER/NUMBER)."""
    from ...lib.connector import open_ledger
    from ...lib.documents.diff import render_lines
    from ...lib.outbound.version_diff import default_pair, diff_versions

    if len(version_ids) not in (0, 2):
        raise click.ClickException("give --version twice (the two versions to compare), or not at all")
    ledger = open_ledger(load_config_or_exit(config_path), actor="qbsps diff")
    try:
        record = resolve_document(
            ledger,
            document,
            [kind for kind in _TYPES if doc_type in (None, kind[1])],
            what="document",
            number="NUMBER",
            narrow=", or --type",
        )
        versions = ledger.versions(record.id)
        name = f"{record.doc_type} {record.trading_partner_id}/{record.business_key} (document {record.id})"
        if version_ids:
            by_id = {v.id: v for v in versions}
            missing = [str(v) for v in version_ids if v not in by_id]
            if missing:
                known = ", ".join(str(v.id) for v in versions)
                raise click.ClickException(
                    f"{name} has no version {' or '.join(missing)}; its versions: {known}"
                )
            pair = by_id[version_ids[0]], by_id[version_ids[1]]
        else:
            found = default_pair(versions)
            if found is None:
                click.echo(f"{name}: nothing to compare, it has a single version")
                return
            pair = found
        sent_at = _sent_times(ledger, record.id)
    finally:
        ledger.close()
    try:
        result = diff_versions(*pair)
    except ValueError as exc:
        raise click.ClickException(f"{name}: a version is not a readable RSX document: {exc}") from None
    click.echo(f"{record.direction.value} {name}")
    for label, version in zip(("before:", "after:"), pair, strict=True):
        click.echo(f"  {label:<8}{_described(version, sent_at)}")
    if not result.changes:
        click.echo("no field changed")
        return
    count = len(result.changes)
    click.echo(f"{count} field{'s' if count != 1 else ''} changed:")
    for line in render_lines(result.changes):
        click.echo(f"  {line}")


def _described(version: VersionRecord, sent_at: dict[int, str]) -> str:
    state = _STATES.get(version.disposition.value, version.disposition.value)
    when = f"recorded {version.received_at.isoformat(timespec='seconds')}"
    if version.id in sent_at:
        when += f", sent {sent_at[version.id]}"
    return f"version {version.id}, {when}: {state}"


def _sent_times(ledger: Ledger, document_id: int) -> dict[int, str]:
    """Version id -> when the ledger recorded it as written to the other side."""
    return {
        int(event.after["version_id"]): event.at.isoformat(timespec="seconds")
        for event in ledger.audit_trail(document_id)
        if event.event == "synced" and event.after and event.after.get("version_id") is not None
    }
