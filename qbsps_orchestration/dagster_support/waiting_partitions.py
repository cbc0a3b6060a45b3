"""What a failed document partition's own page in the Dagster UI says: an observation of each
asset the partition failed to materialize, logged before the batch's step failure, carrying the
reason, the field it names, what to do and how to run it again (the same words as `qbsps status`
and the flow's asset check: lib/ledger/reports/attention.py).

The UI's partition page lists a partition's materializations and observations, not the run's
step failure (whose metadata only the run page shows), so an observation is how the reason gets
there. It carries no data-version tag: lineage (lineage.py) reads versions only from
materializations, and from observations of source assets that carry that tag, so these are never
taken for a version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import dagster as dg

from ..lib.config.companies import qbsps_command
from ..lib.ledger.reports import WaitingDocument, advice_for, field_named

WAITING = "waiting for a person"  # the ledger holds it for one (failed, quarantined, held)
FAILED = "failed"  # e.g. an outage: the next run or sensor tick tries it again


def waiting_observations(
    assets: Iterable[dg.AssetKey],
    partition: str,
    reason: str,
    waiting: Sequence[WaitingDocument],
    extra: Mapping[str, dg.MetadataValue] | None = None,
) -> list[dg.AssetObservation]:
    """One observation per asset of ``partition`` that failed; ``reason`` is the partition's own
    (the one the step failure lists), ``extra`` more metadata (e.g. a held version's diff)."""
    metadata = {**waiting_metadata(partition, reason, waiting), **(extra or {})}
    return [dg.AssetObservation(asset, partition=partition, metadata=metadata) for asset in assets]


def waiting_metadata(
    partition: str, reason: str, waiting: Sequence[WaitingDocument]
) -> dict[str, dg.MetadataValue]:
    fields = [w.field for w in waiting if w.field] or [f for f in [field_named(reason)] if f]
    # A held version's advice (compare, accept) is not the failure's; a failed one's follows the reason.
    advice = [w.what_to_do for w in waiting if w.state == "held"] or [advice_for(reason)]
    commands = [w.rerun for w in waiting]
    return {
        "outcome": dg.MetadataValue.text(WAITING if waiting else FAILED),
        "reason": dg.MetadataValue.text(reason),
        "field": dg.MetadataValue.text(", ".join(dict.fromkeys(fields)) or "-"),
        "what_to_do": dg.MetadataValue.text("; ".join(dict.fromkeys(advice))),
        "rerun": dg.MetadataValue.md(
            "\n".join(
                [
                    f"- in the UI: **Materialize…** this partition (`{partition}`) once the cause is fixed",
                    *(f"- `{command}`" for command in dict.fromkeys(commands)),
                ]
            )
        ),
        "document": dg.MetadataValue.text(
            "; ".join(
                f"{w.doc_type} {w.trading_partner_id}/{w.number} (ledger document {w.document_id}, "
                f"{w.state}; {qbsps_command(f'status --document {w.document_id}')})"
                for w in waiting
            )
            or "-"
        ),
    }
