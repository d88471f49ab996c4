"""Free disk space under the data directory, checked before every write.

The embedded engine writes through memory-mapped files: when the disk fills under a mapping,
the kernel kills the process with SIGBUS, with no log line and possibly a torn write. So
writes stop *before* that, with an error that names the directory and what to do, while
everything already stored stays complete.

Example::

    ensure_free_space(settings.data_dir, settings.min_free_bytes, estimate_write_bytes(points))
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.store.base import PointData

#: The engine writes a point several times (write-ahead log, storage, indexes): bytes budgeted per payload byte.
_WRITE_AMPLIFICATION = 4
#: Room for the engine's own growth steps (a new log segment, a page of an index) on top of the points.
_SLACK_BYTES = 8 * 1024 * 1024


class DiskSpaceError(RuntimeError):
    """Too little free space under the data directory to write safely."""


def free_bytes(path: Path) -> int:
    """Free bytes on the file system holding ``path`` (or its nearest existing parent)."""
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def estimate_write_bytes(points: "list[PointData]") -> int:
    """A generous estimate of the disk a batch of points takes once written."""
    size = 0
    for point in points:
        size += len(json.dumps(point.payload, ensure_ascii=False, default=str)) + 4 * len(point.dense)
        size += 8 * len(point.sparse.indices)
    return size * _WRITE_AMPLIFICATION + _SLACK_BYTES


def ensure_free_space(data_dir: Path, min_free_bytes: int, needed_bytes: int = 0) -> None:
    """Raise :class:`DiskSpaceError` unless ``needed_bytes`` fit with ``min_free_bytes`` to spare."""
    free = free_bytes(data_dir)
    if free - needed_bytes >= min_free_bytes:
        return
    raise DiskSpaceError(
        f"not enough free disk space for the data directory {Path(data_dir).resolve()}: {_mb(free)} free, "
        f"the next write needs about {_mb(needed_bytes)} and {_mb(min_free_bytes)} must stay free "
        "(MUSEUM_RAG_MIN_FREE_BYTES). Nothing more was written; the records stored so far are complete. "
        "Free some space (or point MUSEUM_RAG_DATA_DIR at a larger disk) and run the same command again: "
        "it continues where it stopped."
    )


def _mb(value: int) -> str:
    return f"{value / 1_000_000:.1f} MB"
