"""The store's own record of itself: a small JSON file beside the engine's files.

It holds the vector dimension, whether the last process that wrote the store closed it
cleanly, and, at that clean close, how many points, records and records per source the store
held. :mod:`rag.store.health` compares a store with it to find lost points (a truncated id
tracker opens "fine" with a fraction of its points).

Written atomically (temporary file, fsync, rename): a crash leaves the old or the new file.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MANIFEST = "museum_rag.json"


def read_manifest(store_dir: Path) -> dict[str, Any]:
    """The manifest, or ``{}`` when there is none or it cannot be read (logged)."""
    path = Path(store_dir) / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("the store manifest %s cannot be read (%s); store checks will not compare point counts", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(store_dir: Path, data: dict[str, Any]) -> bool:
    """Replace the manifest atomically; False (logged) when the disk refuses."""
    path = Path(store_dir) / MANIFEST
    temporary = path.with_name(f".{MANIFEST}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        return True
    except OSError as exc:
        log.error("cannot write the store manifest %s: %s", path, exc)
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return False
