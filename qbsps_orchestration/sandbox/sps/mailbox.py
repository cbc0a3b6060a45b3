"""The SPS mailbox: a case-sensitive in-memory tree of folders and files.

Paths are relative to the Transaction API root, without a leading slash: ``out/PO/x.json`` is a
file, ``out/PO/`` a folder, ``""`` the root. Listings are sorted by name (code-point order) so
paging is deterministic; a page continues *after a name*, so files added or removed between two
pages never shift or repeat the ones already returned.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import SandboxClock


class MailboxError(Exception):
    """A request the mailbox refuses; ``status`` is the HTTP status SPS answers with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class StoredFile:
    content: bytes
    created: datetime
    modified: datetime
    meta: dict[str, str] = field(default_factory=dict)  # sps-meta-* headers, key without the prefix


@dataclass(frozen=True)
class Entry:
    path: str  # "out/PO/x.json" or "out/PO/" for a folder
    is_dir: bool

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def normalize(path: str) -> str:
    """``/out//PO/x`` style input is refused; a leading slash is optional."""
    path = path.lstrip("/")
    if path == "":
        return ""
    parts = path.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise MailboxError(400, f"Invalid path '/{path}'.")
    return path


def parent_of(path: str) -> str:
    """The folder holding a file or folder path: ``out/PO/x.json`` -> ``out/PO/``."""
    trimmed = path.rstrip("/")
    return trimmed.rsplit("/", 1)[0] + "/" if "/" in trimmed else ""


class Mailbox:
    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._files: dict[str, StoredFile] = {}
        self._children: dict[str, dict[str, bool]] = {"": {}}  # folder -> {name: is_dir}

    # ---- folders -------------------------------------------------------------------------
    def is_dir(self, path: str) -> bool:
        path = normalize(path)
        if path and not path.endswith("/"):
            path += "/"
        with self._lock:
            return path in self._children

    def mkdir(self, path: str) -> None:
        """Create a folder and any missing parents (only SPS, i.e. the sandbox, can do this)."""
        path = normalize(path)
        if path and not path.endswith("/"):
            path += "/"
        with self._lock:
            self._mkdir(path)

    def _mkdir(self, path: str) -> None:
        if path in self._children:
            return
        if path.rstrip("/") in self._files:
            raise MailboxError(409, f"A file already exists at '/{path.rstrip('/')}'.")
        parent = parent_of(path)
        self._mkdir(parent)
        self._children[parent][path.rstrip("/").rsplit("/", 1)[-1]] = True
        self._children[path] = {}

    # ---- files ---------------------------------------------------------------------------
    def put(
        self, path: str, content: bytes, meta: dict[str, str] | None = None, make_parents: bool = False
    ) -> bool:
        """Store a file, overwriting any file at the same path. Returns True if it was new."""
        path = normalize(path)
        if path == "" or path.endswith("/"):
            raise MailboxError(400, f"'/{path}' is a directory path; uploads need a file path.")
        parent = parent_of(path)
        now = self._clock.now()
        with self._lock:
            if parent not in self._children:
                if not make_parents:
                    raise MailboxError(404, "Parent directory not found")
                self._mkdir(parent)
            if path + "/" in self._children:
                raise MailboxError(409, f"A directory already exists at '/{path}/'.")
            old = self._files.get(path)
            self._files[path] = StoredFile(
                content=bytes(content),
                created=old.created if old else now,
                modified=now,
                meta=dict(meta or {}),
            )
            self._children[parent][path.rsplit("/", 1)[-1]] = False
            return old is None

    def get(self, path: str) -> StoredFile:
        path = normalize(path)
        with self._lock:
            stored = self._files.get(path)
        if stored is None:
            raise MailboxError(404, f"File '/{path}' not found.")
        return stored

    def exists(self, path: str) -> bool:
        with self._lock:
            return normalize(path) in self._files

    def delete(self, path: str) -> StoredFile:
        path = normalize(path)
        if path == "" or path.endswith("/"):
            raise MailboxError(400, f"'/{path}' is a directory; only files can be deleted.")
        with self._lock:
            stored = self._files.pop(path, None)
            if stored is None:
                raise MailboxError(404, f"File '/{path}' not found.")
            del self._children[parent_of(path)][path.rsplit("/", 1)[-1]]
        return stored

    # ---- listings ------------------------------------------------------------------------
    def page(
        self, folder: str, limit: int, after: str | None = None, prefix: str = ""
    ) -> tuple[list[Entry], bool]:
        """Up to ``limit`` entries of ``folder`` named after ``after``; True if more follow."""
        folder = normalize(folder)
        if folder and not folder.endswith("/"):
            folder += "/"
        with self._lock:
            children = self._children.get(folder)
            if children is None:
                raise MailboxError(404, f"Directory '/{folder}' not found.")
            names = sorted(n for n in children if n.startswith(prefix) and (after is None or n > after))
            chosen = [Entry(folder + n + ("/" if children[n] else ""), children[n]) for n in names[:limit]]
        return chosen, len(names) > limit

    def files_under(self, folder: str) -> list[str]:
        """Every file path under ``folder`` (recursively), sorted."""
        folder = normalize(folder)
        if folder and not folder.endswith("/"):
            folder += "/"
        with self._lock:
            return sorted(p for p in self._files if p.startswith(folder))

    def snapshot(self, folder: str) -> list[tuple[str, StoredFile]]:
        with self._lock:
            return [(p, self._files[p]) for p in self.files_under(folder)]
