"""Tables an operator takes away: a pandas frame written as CSV, whole or not at all. A leaf."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """The table as CSV (Decimal as its exact text), written beside and renamed: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    frame.map(lambda v: "" if v is None else str(v)).to_csv(temporary, index=False)
    temporary.replace(path)
    return path
