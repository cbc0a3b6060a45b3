"""The asset check each flow carries: the documents of that flow that wait for a person, with the
field involved, what to do and how to run each again (lib/ledger/reports/attention.py). It runs
after every run of the flow's job, and on demand from the asset's Checks tab."""

import dagster as dg

from ..lib.ledger import Direction
from ..resources import LedgerResource

SHOWN = 50  # rows in the check's table; the count covers them all


def waiting_check(
    ledger: LedgerResource, context: dg.AssetCheckExecutionContext, direction: Direction
) -> dg.AssetCheckResult:
    with ledger.open(actor=f"check:{direction.value}", run_id=context.run.run_id) as book:
        waiting = book.reports.waiting_documents(direction)
    rows = [
        "| id | document | partner/number | state | field | reason | what to do | run again |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {w.document_id} | {w.doc_type} | {w.trading_partner_id}/{w.number} | {w.state} | "
            f"{w.field or '-'} | {_cell(w.reason)} | {_cell(w.what_to_do)} | `{_cell(w.rerun)}` |"
            for w in waiting[:SHOWN]
        ),
    ]
    return dg.AssetCheckResult(
        passed=not waiting,
        severity=dg.AssetCheckSeverity.WARN,  # a person is needed, the flow itself goes on
        description=f"{len(waiting)} {direction.value} document(s) wait for a person"
        if waiting
        else f"no {direction.value} document waits for a person",
        metadata={
            "waiting": dg.MetadataValue.int(len(waiting)),
            "documents": dg.MetadataValue.md("\n".join(rows) if waiting else "none"),
        },
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]
