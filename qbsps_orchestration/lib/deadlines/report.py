"""The obligations as one table (pandas) and as text for a terminal: what is missed first, then
what is near, open and met, each with its due time in the partner's words and its chargeback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from .obligation import DeadlineState, Obligation

_ORDER = {DeadlineState.MISSED: 0, DeadlineState.NEAR: 1, DeadlineState.OPEN: 2, DeadlineState.MET: 3}
COLUMNS = ["state", "partner", "document", "po_number", "reference", "due", "why", "chargeback"]


def deadlines_frame(found: Sequence[Obligation], now: datetime) -> pd.DataFrame:
    """One row per obligation, missed first and then by due time; ``due`` in ISO 8601, in the time
    zone the partner's deadline was reckoned in."""
    ranked = sorted(found, key=lambda o: (_ORDER[o.state(now)], o.due, o.key))
    rows = [
        {
            "state": o.state(now).value,
            "partner": o.trading_partner_id,
            "document": o.kind.label,
            "po_number": o.po_number,
            "reference": o.reference,
            "due": o.due.isoformat(),
            "why": o.why,
            "chargeback": str(o.chargeback) if o.chargeback is not None else (o.chargeback_rule or ""),
        }
        for o in ranked
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def deadlines_text(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "no deadline is watched: no order or shipped invoice of a partner with a deadlines: block"
    counts = frame["state"].value_counts()
    summary = ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in _ORDER)
    shown = frame.map(lambda v: "-" if v == "" else str(v))
    return f"deadlines: {summary}\n{shown.to_string(index=False)}"
