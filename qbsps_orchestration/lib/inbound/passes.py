"""One inbound pass run ahead of the thread that reports it.

Reporting a file to Dagster costs about as much as fetching, writing and acknowledging it (each
event is a storage write of its own), so the pass runs on a thread of its own and the asset reports
each group while the next one is on its way. The pass alone writes the ledger and calls SPS and
QBO; the reporter only gets finished groups. At most AHEAD wait for it and the pass holds one more,
so memory stays flat, and a killed run leaves at most AHEAD + 1 groups done but not reported: the
ledger, QBO and SPS hold them, their partitions show the run's failure, and re-running one replays
it from the ledger ("up to date") without writing anything twice."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..config import QbspsConfig
from ..ledger import Ledger
from ..ledger.reports import WaitingDocument
from ..qbo import QboClient
from ..sps import SpsClient
from .batch import FileOutcome, Steps, process_groups
from .order_changes import mark_acknowledged, order_changes_pending

AHEAD = 2  # finished groups waiting for the reporter (the pass holds one more)


@dataclass(frozen=True)
class ReportedGroup:
    outcomes: list[FileOutcome]
    waiting: dict[str, list[WaitingDocument]]  # a failed file's documents that wait for a person


def inbound_pass(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient | None,
    qbo: QboClient | None,
    names: Iterable[str],
    steps: Steps,
) -> Generator[ReportedGroup, None, None]:
    """process_groups, with what the ledger adds to each group: order changes an acknowledgment
    handled are marked, and a failed file's documents that wait for a person are named."""
    # Only when some order change waits: otherwise no file pays the lookups and the write.
    watch_changes = steps.acknowledge_with is not None and order_changes_pending(ledger)
    groups = process_groups(config, ledger, sps, qbo, names, steps)
    for group in groups:
        if watch_changes:  # acknowledged as QBO has it now: its order changes are done
            mark_acknowledged(ledger, config, group.outcomes, group.started)
        waiting = {o.name: _waiting(ledger, o) for o in group.outcomes if o.error}
        yield ReportedGroup(group.outcomes, waiting)


def _waiting(ledger: Ledger, outcome: FileOutcome) -> list[WaitingDocument]:
    results = [*outcome.fetched, *outcome.synced, *outcome.acks]
    return ledger.reports.waiting_among([r.document_id for r in results], [r.version_id for r in results])


_DONE = object()


@contextmanager
def running_ahead(
    items: Generator[ReportedGroup, None, None], depth: int = AHEAD
) -> Iterator[Iterator[ReportedGroup]]:
    """``items`` produced on a thread of their own, at most ``depth`` ahead of the caller; what the
    producer raises is raised to the caller in its place. Leaving the block early stops the
    producer after the group it is on, and waits for it."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand(item):
                    break  # the caller left: stop after this group
            else:
                hand(_DONE)
        except BaseException as exc:  # handed over: the caller raises it as its own
            hand(_Raised(exc))
        finally:
            items.close()  # on this thread: the pass's own clean-up (its download pool) runs here

    def consume() -> Iterator[ReportedGroup]:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Raised):
                raise item.error
            yield item  # type: ignore[misc]

    producer = threading.Thread(target=produce, name="inbound-pass", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join()


@dataclass(frozen=True)
class _Raised:
    error: BaseException
