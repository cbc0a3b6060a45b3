"""How a batch run over document partitions fails: after every document was tried, naming each
failed partition and its reason, so exactly those partitions stay failed."""

import dagster as dg

from ..lib.ledger.reports import advice_for, field_named


def batch_failure(what: str, failed: list[tuple[str, str]], total: int) -> dg.Failure:
    """``failed``: (partition key, reason) pairs; ``what``: e.g. "purchase order files"."""
    return dg.Failure(
        description=f"{len(failed)} of {total} {what} failed; their partitions stay failed, the others "
        "went through. Fix the cause (each partition's reason says what to do), then re-materialize a failed "
        "partition to replay it.",
        metadata={
            "failed_count": dg.MetadataValue.int(len(failed)),
            "reasons": dg.MetadataValue.md(
                "\n".join(
                    f"- **{key}**: {reason}. *What to do:* {advice_for(reason)}" for key, reason in failed
                )
            ),
            "failed": dg.MetadataValue.json(
                [
                    {
                        "file": key,
                        "reason": reason,
                        "field": field_named(reason),
                        "what_to_do": advice_for(reason),
                    }
                    for key, reason in failed
                ]
            ),
        },
        allow_retries=False,
    )
