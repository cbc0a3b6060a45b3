"""The key file: Fernet keys, newest first, comma-separated on one line, readable by its owner only.

Every `open_ledger` reads the file again, so replacing it atomically (a private temporary file
renamed over it) is how a new key list reaches running processes without a restart: a reader sees
the old list or the new one, never half a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

PRIVATE_MODE = 0o600


def parse_keys(raw: str) -> list[str]:
    """The keys of a key list as `ledger.secret_keys` holds it (comma-separated, newest first)."""
    return [key.strip() for key in raw.split(",") if key.strip()]


def tighten_key_file(path: Path) -> bool:
    """Make an existing key file readable by its owner only; True when its mode was looser."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode == PRIVATE_MODE:
        return False
    path.chmod(PRIVATE_MODE)
    return True


def write_key_file(path: Path, keys: Sequence[str]) -> None:
    """Replace `path` with `keys` (newest first) atomically, mode 0600 from the first byte."""
    if not keys:
        raise ValueError(f"refusing to write {path} without a key")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(",".join(keys) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (a crash must not bring the
    # old list back after the secrets were re-encrypted with the new key).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
