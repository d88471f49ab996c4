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


def ensure_free_space(data_dir: Path, min_free_bytes: int, needed_bytes: int = 0, action: str = "the next write") -> None:
    """Raise :class:`DiskSpaceError` unless ``needed_bytes`` fit with ``min_free_bytes`` to spare."""
    free = free_bytes(data_dir)
    if free - needed_bytes >= min_free_bytes:
        return
    raise DiskSpaceError(
        f"not enough free disk space for the data directory {Path(data_dir).resolve()}: {_mb(free)} free, "
        f"{action} needs about {_mb(needed_bytes)} and {_mb(min_free_bytes)} must stay free "
        "(MUSEUM_RAG_MIN_FREE_BYTES). Nothing more was written; the records stored so far are complete. "
        "Free some space (or point MUSEUM_RAG_DATA_DIR at a larger disk) and run the same command again: "
        "it continues where it stopped."
    )


#: File systems that allocate memory for every page the engine maps and touches, holes included.
_MEMORY_FILE_SYSTEMS = {"tmpfs", "ramfs", "shm"}


def file_system_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (Linux: from /proc/self/mounts), or None."""
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    best, kind = "", None
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def bytes_to_open(store_dir: Path) -> int:
    """Disk an embedded store may take just by being opened.

    The engine maps its index and dense-vector files and touches their pages when it loads them.
    On a disk that costs nothing (the files' holes stay holes); on a memory file system (tmpfs)
    every touched page of a hole is allocated then, and a full one kills the process with SIGBUS.
    There, the holes of those files count (measured on qdrant-edge: the write-ahead log and the
    payload and sparse-vector page stores are not touched at load).
    """
    store_dir = Path(store_dir)
    if not store_dir.is_dir() or file_system_type(store_dir) not in _MEMORY_FILE_SYSTEMS:
        return 0
    holes = 0
    for path in store_dir.rglob("*"):
        parts = path.relative_to(store_dir).parts
        if parts[:1] == ("wal",) or "payload_storage" in parts or "store" in parts[:-1]:
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.is_file():
            holes += max(0, stat.st_size - stat.st_blocks * 512)
    return holes


def _mb(value: int) -> str:
    return f"{value / 1_000_000:.1f} MB"
