"""Free space in the data directory: writes stop with a clear error before the disk is full.

A store or database that runs out of space mid-write can be left unreadable (an mmap'ed
file past the end of a full disk kills the process with SIGBUS), so the server checks
before each write (admin ingest: before and between batches; feedback; the question log)
that the data directory keeps ``min_free_bytes`` free, and refuses the write with a 507
problem naming the setting, and a log line naming the directory. Reading and answering go on.

Example::

    ensure_free(settings, needed=upload_bytes, what="the upload")   # raises DiskFull (a 507 Problem)
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
from pathlib import Path

from api.problems import Problem
from rag.config import Settings

log = logging.getLogger(__name__)
_MB = 1024 * 1024


class DiskFull(Problem):
    """507 Insufficient Storage: the data directory is (nearly) full; the detail names no path."""

    def __init__(self, what: str, free: int | None = None, margin: int | None = None) -> None:
        amount = f" has {free / _MB:.1f} MB free" if free is not None else " is full"
        keep = f", and must keep {margin / _MB:.1f} MB (MUSEUM_RAG_MIN_FREE_BYTES)" if margin is not None else ""
        super().__init__(
            507,
            f"The server's data directory (MUSEUM_RAG_DATA_DIR){amount}{keep}: {what} can't be written. "
            "Answering questions goes on; free some space and try again.",
            title="Insufficient Storage",
        )


def free_bytes(path: Path) -> int:
    """Free bytes for an unprivileged writer on the file system holding ``path`` (or its nearest existing parent)."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def ensure_free(settings: Settings, needed: int = 0, what: str = "the data") -> None:
    """Raise :class:`DiskFull` (logged with the directory) unless ``needed`` bytes fit above the margin."""
    free = free_bytes(settings.data_dir)
    if free - needed < settings.min_free_bytes:
        log.error("data directory %s: %.1f MB free, %.1f MB needed plus a margin of %.1f MB: %s refused",
                  settings.data_dir, free / _MB, needed / _MB, settings.min_free_bytes / _MB, what)
        raise DiskFull(what, free, settings.min_free_bytes)


def is_disk_full(exc: BaseException) -> bool:
    """True for the errors of a full disk or quota (OSError ENOSPC/EDQUOT, SQLite's 'database or disk is full')."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.Error) and "full" in str(exc).lower()
