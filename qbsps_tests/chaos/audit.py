"""Is every document's audit trail complete? Received first, each intent begun and completed, an
unbroken chain of states (each event's state before is the previous one's after), ending synced."""

from __future__ import annotations

from qbsps_orchestration.lib.ledger import Direction, DocumentState, Ledger


def audit_gaps(ledger: Ledger, direction: Direction, doc_type: str) -> list[str]:
    gaps = []
    for doc in ledger.recent_documents(direction, doc_type, limit=1_000_000):
        trail = ledger.audit_trail(doc.id)
        where = f"{doc_type} {doc.business_key} (document {doc.id})"
        events = [event.event for event in trail]
        if not events or events[0] != "document_received":
            gaps.append(f"{where}: the trail does not start with its receipt: {events[:3]}")
        if events.count("intent_begun") != events.count("intent_completed"):
            gaps.append(
                f"{where}: intents begun {events.count('intent_begun')}, "
                f"completed {events.count('intent_completed')}"
            )
        state = None
        for event in trail:
            after = (event.after or {}).get("state")
            if after is None:
                continue
            before = (event.before or {}).get("state")
            if state is not None and before != state:
                gaps.append(f"{where}: {event.event} starts from {before}, the trail was at {state}")
            state = after
        if doc.state is not DocumentState.SYNCED or state != DocumentState.SYNCED:
            gaps.append(f"{where}: ends {doc.state} (trail: {state})")
    return gaps
