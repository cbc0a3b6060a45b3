"""A pandas table as Markdown for asset metadata: the UI renders it; long tables are cut to their
first rows (the counts beside them cover all, the CSV or the CLI has the rest). And the check of an
operator's view that lists its open rows."""

from __future__ import annotations

import dagster as dg
import pandas as pd

SHOWN = 50  # rows in a table in the UI


def markdown_table(frame: pd.DataFrame, shown: int = SHOWN) -> str:
    if frame.empty:
        return "none"
    rows = frame.head(shown).map(lambda v: "-" if v is None or v == "" else str(v))
    more = f"\n\n({len(frame) - shown} more not shown)" if len(frame) > shown else ""
    # disable_numparse: tabulate would print "2.50" as 2.5 and an invoice number as a number.
    return rows.to_markdown(index=False, disable_numparse=True) + more


def rows_check(check_name: str, rows: pd.DataFrame, description: str, *, counted: str) -> dg.AssetCheckResult:
    """Passes without rows; with some it warns (a person looks; the flows go on) and lists them,
    their number under ``counted``."""
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=rows.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            counted: dg.MetadataValue.int(len(rows)),
            "rows": dg.MetadataValue.md(markdown_table(rows)),
        },
    )
