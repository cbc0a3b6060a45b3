"""One row per disagreement, and the table of them (pandas; money stays Decimal in object columns)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

# Each kind, and what it means; one asset check per kind.
KINDS: dict[str, str] = {
    "missing_in_qbo": "an SPS order the ledger received has no QBO document",
    "amount_mismatch": "the QBO document's total differs from the SPS document's",
    "invoice_not_sent": "a partner's QBO invoice never reached SPS",
    "invoice_not_accepted": "a sent 810 that SPS history does not show accepted",
    "invoice_changed": "the QBO invoice's total differs from the 810 SPS accepted",
    "ship_notice_missing": "a shipped QBO invoice without an accepted 856",
    "ack_missing": "an order in QBO without the 855 its partner wants",
    "orphan_in_qbo": "a QBO document marked as an SPS order the ledger does not know",
    "orphan_in_sps": "an upload in SPS history qbsps never made",
    "order_not_received": "an order file SPS delivered that qbsps never received",
}
COLUMNS = ["kind", "partner", "number", "qbo_amount", "sps_amount", "reason", "what_to_do"]


@dataclass(frozen=True)
class Finding:
    kind: str
    partner: str
    number: str  # PO number or invoice number
    qbo_amount: Decimal | None
    sps_amount: Decimal | None
    reason: str
    what_to_do: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reconciliation kind {self.kind!r}")


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table, sorted by kind, partner and number; amounts kept as Decimal."""
    frame = pd.DataFrame([asdict(f) for f in findings], columns=COLUMNS).astype(object)
    return frame.sort_values(["kind", "partner", "number"], kind="stable").reset_index(drop=True)


def as_text(frame: pd.DataFrame) -> str:
    """The table as plain text for a terminal, one block per kind."""
    if frame.empty:
        return "no findings: QuickBooks and SPS agree"
    blocks = []
    for kind, rows in frame.groupby("kind", sort=True):
        shown = rows.drop(columns="kind").map(lambda v: "-" if v is None or v == "" else str(v))
        blocks.append(f"{kind} ({len(rows)}): {KINDS[str(kind)]}\n{shown.to_string(index=False)}")
    return "\n\n".join(blocks)


def default_csv_path(config_source: Path | None, at: str) -> Path:
    """Where a scheduled reconciliation keeps its CSV: `reconciliation/` beside the config file."""
    folder = (config_source.parent if config_source else Path(".qbsps")) / "reconciliation"
    return folder / f"reconciliation-{at}.csv"
