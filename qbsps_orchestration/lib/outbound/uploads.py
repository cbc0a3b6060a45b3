"""Uploads to SPS in flight beside the thread that builds and records documents.

Every decision and intent is taken on the caller's thread, which alone writes the ledger; only the
HTTP upload of a PreparedUpload (its intent already committed) runs on the pool. What came of each
upload is recorded on the caller's thread again, in the order the uploads were begun, so a crash at
any point leaves at most the open intents of the uploads in flight, which the next pass settles by
asking SPS before it sends anything again (send.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from ..config import QbspsConfig
from ..ledger import Ledger
from ..sps import SpsClient
from .send import PreparedUpload, SendResult, finish_send, upload_prepared

PARALLEL = 4  # uploads in flight at once (as inbound downloads)
DEPTH = 4 * PARALLEL  # begun but not yet recorded: bounds the intents a crash leaves open

Recorded = Callable[[SendResult | Exception], None]


@dataclass(frozen=True)
class _InFlight:
    upload: PreparedUpload
    answer: Future[Exception | None]
    recorded: Recorded
    key: Hashable


class UploadPipeline:
    """``submit`` an upload with what to do once it is recorded; ``finish_answered`` records the
    leading uploads SPS has answered, ``finish_all`` every one. Use as a context manager: leaving it
    records what is still in flight, also when the caller stops early."""

    def __init__(
        self, config: QbspsConfig, ledger: Ledger, sps: SpsClient, *, name: str = "sps-upload"
    ) -> None:
        self._config, self._ledger, self._sps = config, ledger, sps
        self._pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix=name)
        self._in_flight: deque[_InFlight] = deque()

    def __enter__(self) -> UploadPipeline:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.finish_all()
        finally:
            self._pool.shutdown(wait=True)

    def holds(self, key: Hashable) -> bool:
        """Whether an upload submitted under ``key`` is still unrecorded (the same document, say:
        its next version must not find this one's intent open)."""
        return any(flight.key == key for flight in self._in_flight)

    def submit(self, upload: PreparedUpload, recorded: Recorded, *, key: Hashable = None) -> None:
        """Start the upload at once; ``recorded`` gets its SendResult, or what recording it raised
        (its intent then stays open and the next pass asks SPS). Waits while DEPTH are unrecorded."""
        while len(self._in_flight) >= DEPTH:
            self._finish_first()
        answer = self._pool.submit(upload_prepared, self._sps, upload)
        self._in_flight.append(_InFlight(upload, answer, recorded, key))

    def finish_answered(self) -> None:
        while self._in_flight and self._in_flight[0].answer.done():
            self._finish_first()

    def finish_all(self) -> None:
        while self._in_flight:
            self._finish_first()

    def _finish_first(self) -> None:
        flight = self._in_flight.popleft()
        try:
            result: SendResult | Exception = finish_send(
                self._config, self._ledger, self._sps, flight.upload, flight.answer.result()
            )
        except Exception as exc:  # recorded as a failure of its document; the others go on
            result = exc
        flight.recorded(result)
