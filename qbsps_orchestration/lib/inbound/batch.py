"""One pass over mailbox files, in groups of up to 30: fetch, then sync, then acknowledge.

A file that fails (bad input, a QBO refusal, an SPS outage) is reported and the rest proceed:
one document never stops the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from ..config import QbspsConfig
from ..documents.schemas import RsxSchemas
from ..ledger import Ledger
from ..outbound.send import SendResult
from ..qbo import QboClient
from ..sps import SpsClient
from .acks import acknowledge_files
from .fetch import PARALLEL, Downloads, fetch_order_files, start_downloads
from .order_writes import sync_order_files
from .results import DocumentResult, InboundDocumentError

log = logging.getLogger(__name__)

GROUP_FILES = 30  # one /batch call of new orders (QBO takes 30 items a call)


@dataclass
class FileOutcome:
    name: str
    fetched: list[DocumentResult] = field(default_factory=list)
    synced: list[DocumentResult] = field(default_factory=list)
    acks: list[SendResult] = field(default_factory=list)
    fetch_error: str | None = None
    sync_error: str | None = None
    ack_error: str | None = None

    @property
    def fetch_ok(self) -> bool:
        return self.fetch_error is None

    @property
    def sync_ok(self) -> bool:
        return self.fetch_error is None and self.sync_error is None

    @property
    def acks_ok(self) -> bool:
        return self.sync_ok and self.ack_error is None

    @property
    def error(self) -> str | None:
        return self.fetch_error or self.sync_error or self.ack_error


def process_files(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient | None,
    qbo: QboClient | None,
    names: Iterable[str],
    *,
    fetch: bool = True,
    sync: bool = True,
    acknowledge_with: RsxSchemas | None = None,
    resend: bool = False,
) -> list[FileOutcome]:
    """Every file's outcome, in the order of ``names`` (see process_groups)."""
    groups = process_groups(config, ledger, sps, qbo, names, Steps(fetch, sync, acknowledge_with, resend))
    return [outcome for group in groups for outcome in group.outcomes]


@dataclass(frozen=True)
class Steps:
    """What a pass does with each file: fetch it, sync it to QBO, acknowledge it (855s checked
    against ``acknowledge_with``; ``resend``: also content that changed after it was sent)."""

    fetch: bool = True
    sync: bool = True
    acknowledge_with: RsxSchemas | None = None
    resend: bool = False


@dataclass(frozen=True)
class GroupOutcome:
    started: datetime  # before anything of the group was read from QBO or written
    outcomes: list[FileOutcome]


def process_groups(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient | None,
    qbo: QboClient | None,
    names: Iterable[str],
    steps: Steps = Steps(),
) -> Iterator[GroupOutcome]:
    """Files go in groups of GROUP_FILES: each step for the whole group, so the group's new orders
    reach QBO in one ``/batch`` call. While a group is written to QBO and acknowledged, the next
    group's files are already downloading (downloads write nothing: a stop loses nothing)."""
    groups = file_groups(names)
    folder = config.sps.folders.orders
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="sps-prefetch") as prefetch:

        def downloads(group: list[str] | None) -> Downloads | None:
            if group is None or not steps.fetch:
                return None
            assert sps is not None
            return start_downloads(prefetch, sps, folder, group)

        group = next(groups, None)
        ahead = downloads(group)
        while group is not None:
            following = next(groups, None)
            after = downloads(following)  # the next group downloads while this one goes on
            started = datetime.now(UTC)
            yield GroupOutcome(
                started,
                _process_group(config, ledger, sps, qbo, group, ahead, steps),
            )
            group, ahead = following, after


def file_groups(names: Iterable[str], size: int = GROUP_FILES) -> Iterator[list[str]]:
    names = iter(names)  # a listing may be a generator: stream it, never hold it all
    while group := list(islice(names, size)):
        yield group


def _process_group(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient | None,
    qbo: QboClient | None,
    group: list[str],
    downloads: Downloads | None,
    steps: Steps,
) -> list[FileOutcome]:
    outcomes = [FileOutcome(name) for name in group]
    if steps.fetch:
        assert sps is not None
        fetched = fetch_order_files(config, ledger, sps, group, downloads)
        for outcome in outcomes:
            outcome.fetched, outcome.fetch_error = _step(
                lambda f=fetched[outcome.name]: _results(f), outcome.name
            )
    # A file whose every document failed stops here; good siblings of a bad one go on.
    going = [o for o in outcomes if o.fetch_ok or any(not r.failed for r in o.fetched)]
    if steps.sync and going:
        assert qbo is not None
        written = sync_order_files(config, ledger, qbo, [o.name for o in going])
        for outcome in going:
            outcome.synced, outcome.sync_error = _step(
                lambda w=written[outcome.name]: _results(w), outcome.name
            )
    if steps.acknowledge_with is not None:
        assert sps is not None and qbo is not None
        acking = [o for o in going if o.sync_ok]
        files = {o.name: _synced(config, ledger, o) for o in acking}
        acked = acknowledge_files(
            config, ledger, sps, qbo, steps.acknowledge_with, files, resend=steps.resend
        )
        for outcome in acking:
            outcome.acks, outcome.ack_error = _ack_outcome(outcome.name, acked[outcome.name])
    return outcomes


def _results(written: list[DocumentResult] | Exception) -> list[DocumentResult]:
    if isinstance(written, Exception):
        raise written
    return written


def _synced(config: QbspsConfig, ledger: Ledger, outcome: FileOutcome) -> list[DocumentResult]:
    return outcome.synced or [
        DocumentResult(outcome.name, "up to date", document_id=d, version_id=v, **_landed(ledger, d))
        for d, v in ledger.file_documents(config.sps.folders.orders + outcome.name)
    ]


def _ack_outcome(name: str, sent: list[SendResult] | Exception) -> tuple[list[SendResult], str | None]:
    if isinstance(sent, Exception):  # one file's ack must not stop the others
        log.error("order ack for %s failed", name, exc_info=sent)
        return [], f"{name}: order acknowledgment: {type(sent).__name__}: {sent}"
    problems = [p for result in sent if result.failed for p in result.problems]
    return sent, "; ".join(problems) or None


def _landed(ledger: Ledger, document_id: int) -> dict[str, str | None]:
    doc = ledger.document(document_id)
    return {"trading_partner_id": doc.trading_partner_id, "po_number": doc.business_key, "qbo_id": doc.qbo_id}


def _step(work: Callable[[], list[DocumentResult]], name: str) -> tuple[list[DocumentResult], str | None]:
    try:
        return work(), None
    except InboundDocumentError as exc:
        return exc.results, str(exc)
    except Exception as exc:  # an outage or a bug on one file must not stop the others
        log.exception("inbound file %s failed", name)
        message = str(exc) if name in str(exc) else f"{name}: {type(exc).__name__}: {exc}"
        return [], message
