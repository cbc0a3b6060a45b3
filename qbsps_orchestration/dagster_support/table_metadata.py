"""A pandas table as Markdown for asset metadata: the UI renders it; long tables are cut to their
first rows (the counts beside them cover all, the CSV or the CLI has the rest)."""

from __future__ import annotations

import pandas as pd

SHOWN = 50  # rows in a table in the UI


def markdown_table(frame: pd.DataFrame, shown: int = SHOWN) -> str:
    if frame.empty:
        return "none"
    rows = frame.head(shown).map(lambda v: "-" if v is None or v == "" else str(v))
    more = f"\n\n({len(frame) - shown} more not shown)" if len(frame) > shown else ""
    # disable_numparse: tabulate would print "2.50" as 2.5 and an invoice number as a number.
    return rows.to_markdown(index=False, disable_numparse=True) + more
