"""The SPS side of the mailbox: what happens to a file after it lands, and the history it leaves.

Uploads to the upload folder (``in/``) are processed at once, synchronously and deterministically
(real SPS does it a little later): checked as RSX, recorded in history as ``accepted`` or
``rejected`` (with reasons), and accepted files are consumed, i.e. removed from ``in/`` as SPS
removes what it has processed. Rejected files stay so the supplier can look at them.

Files written anywhere else (``out/…``) stand for documents SPS delivers to the supplier; they are
recorded as ``delivered``, and deleting one records ``deleted`` on the same history entry.
"""

from __future__ import annotations

import threading

from ..clock import SandboxClock
from ..settings import SpsSandboxSettings
from .history import History, HistoryEntry
from .mailbox import Mailbox, StoredFile, normalize
from .rsx_check import RsxVerdict, check_upload
from .rsx_schema import RsxSchemas

_NO_SCHEMAS = RsxSchemas(None)


class SpsMailboxService:
    def __init__(self, settings: SpsSandboxSettings, clock: SandboxClock, schemas: RsxSchemas) -> None:
        self.settings = settings
        self.mailbox = Mailbox(clock)
        self.history = History(clock)
        self.schemas = schemas
        self._lock = threading.RLock()
        # A fault for tests (/_sandbox/sps/listing): every page after the first hands back the
        # cursor it was asked with, as a broken paging backend would, so a client must notice.
        self.repeat_cursor = False
        # What the trading partners received: the bytes of every accepted upload, per path.
        self.accepted: dict[str, list[bytes]] = {}
        self.upload_folder = _folder(settings.upload_folder)
        self.orders_folder = _folder(settings.orders_folder)
        self.mailbox.mkdir(self.upload_folder)
        self.mailbox.mkdir(self.orders_folder)

    def is_upload_path(self, path: str) -> bool:
        return normalize(path).startswith(self.upload_folder)

    def upload(
        self, path: str, content: bytes, meta: dict[str, str] | None = None, make_parents: bool = False
    ) -> tuple[str, bool]:
        """Store a file as the Transaction API does, then let SPS act on it.

        Returns the normalized path and whether the file was new. ``make_parents`` is for the
        sandbox's own deliveries only: the public API answers 404 for a missing parent.
        """
        path = normalize(path)
        with self._lock:
            created = self.mailbox.put(path, content, meta, make_parents=make_parents)
            mode = "create" if created else "overwrite"
            if self.is_upload_path(path):
                self._process_inbound(path, content, mode)
            else:
                kind = check_upload(content, _NO_SCHEMAS).document_type  # for the history only
                self.history.record(path, "outbound", mode, "delivered", document_type=kind)
        return path, created

    def deliver(self, path: str, content: bytes, meta: dict[str, str] | None = None) -> str:
        """SPS puts a document in the mailbox, creating folders as needed."""
        return self.upload(path, content, meta, make_parents=True)[0]

    def delete(self, path: str) -> StoredFile:
        path = normalize(path)
        with self._lock:
            stored = self.mailbox.delete(path)
            if not self.is_upload_path(path):
                entry = self.history.latest_for(path, "outbound")
                if entry is None:
                    entry = self.history.record(path, "outbound", "create", "delivered")
                self.history.add_status(entry, "deleted")
        return stored

    def _process_inbound(self, path: str, content: bytes, mode: str) -> HistoryEntry:
        entry = self.history.record(path, "inbound", mode, "received")
        verdict: RsxVerdict = check_upload(content, self.schemas)
        if verdict.accepted:
            self.history.add_status(entry, "accepted", document_type=verdict.document_type)
            self.accepted.setdefault(path, []).append(content)
            self.mailbox.delete(path)  # consumed: SPS removes what it has processed
        else:
            self.history.add_status(
                entry, "rejected", reasons=verdict.reasons, document_type=verdict.document_type
            )
        return entry


def _folder(name: str) -> str:
    folder = normalize(name)
    return folder if folder.endswith("/") or folder == "" else folder + "/"
