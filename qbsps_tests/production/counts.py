"""What the sandbox holds and what the ledger's request budget allowed, counted from the outside:
never qbsps's own report of what it did."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

import requests
from sqlalchemy import create_engine, text

from qbsps_orchestration.sandbox.runtime import Sandbox

QBO_PER_SECOND = 10  # QBO's own limit per company and app (the sandbox enforces it)


def purchase_orders_by_number(box: Sandbox) -> Counter[str]:
    return Counter(po["DocNumber"] for po in box.qbo.find("PurchaseOrder"))


def accepted_uploads(box: Sandbox, prefix: str) -> Counter[str]:
    """Uploads SPS accepted in in/, by file name, for names starting with ``prefix`` (PR: 855,
    IN: 810, SH: 856)."""
    names = [
        h["path"].rsplit("/", 1)[1]
        for h in box.sps.history()
        if h["direction"] == "inbound" and h["status_log"][-1]["status"] == "accepted"
    ]
    return Counter(n for n in names if n.startswith(prefix))


def assert_each_order_landed_once(box: Sandbox, orders_folder: str, numbers: list[str]) -> None:
    """Counted on the sandbox: each order is one QBO PurchaseOrder and one accepted 855, and the
    mailbox is empty."""
    assert purchase_orders_by_number(box) == dict.fromkeys(numbers, 1)
    assert accepted_uploads(box, "PR") == {f"PR{po}-SPSALLTESTID-v7.7.json": 1 for po in numbers}
    assert box.sps.list_files(orders_folder) == []


def oauth_refreshes(box: Sandbox) -> int:
    """refresh_token grants the sandbox's QBO answered, over all its token families."""
    state = requests.get(f"{box.qbo_url}/_sandbox/qbo/oauth", timeout=10).json()
    return sum(family["refreshes"] for family in state["families"])


def qbo_usage(box: Sandbox, realm_id: str) -> dict[str, int]:
    """The sandbox's meter of this company's API calls (reads, writes, batch_calls, throttled, ...)."""
    usage = requests.get(f"{box.qbo_url}/_sandbox/qbo/usage", timeout=10).json()
    return usage.get(realm_id, {})


class ClaimWatcher:
    """Every row the ledger's request_claims table held during the block, read every half second
    (claims older than the longest window are deleted by later claims, so one read at the end
    could miss some)."""

    def __init__(self, database_url: str, schema: str, budget: str) -> None:
        self._engine = create_engine(database_url)
        self._query = text(f'SELECT id, claimed_at FROM "{schema}".request_claims WHERE budget = :budget')
        self._budget = budget
        self.claims: dict[int, datetime] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ClaimWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._read()
        self._engine.dispose()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self._read()

    def _read(self) -> None:
        with self._engine.connect() as connection:
            rows = connection.execute(self._query, {"budget": self._budget}).all()
        self.claims.update({row.id: row.claimed_at for row in rows})

    def since(self, when: datetime) -> int:
        """Claims made at or after ``when`` (the database server's clock, on this machine)."""
        return sum(1 for at in self.claims.values() if at >= when)

    def busiest_second(self) -> int:
        """The most claims inside any one-second window."""
        times = sorted(self.claims.values())
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= timedelta(seconds=1):
                start += 1
            best = max(best, end - start + 1)
        return best
