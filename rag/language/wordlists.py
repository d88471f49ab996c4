"""Word lists and mappings of each language, read from ``rag/language/data/<code>/``.

A ``.txt`` list holds one entry per line (``#`` starts a comment; blank lines are skipped).
A ``.json`` mapping is an object; its ``_doc`` key describes it and is left out. Files are read
once and cached. A list a language lacks is empty (the code that uses it then finds nothing),
but a list no language has is a typo and raises.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


class UnknownWordList(KeyError):
    """A word list or mapping that no language defines."""


@lru_cache(maxsize=None)
def known_names(suffix: str) -> frozenset[str]:
    """The names of every list (``.txt``) or mapping (``.json``) of any language."""
    return frozenset(p.stem for p in DATA_DIR.glob(f"*/*{suffix}"))


@lru_cache(maxsize=None)
def load_wordlist(code: str, name: str) -> frozenset[str]:
    """The entries of ``data/<code>/<name>.txt`` (an empty set when that language has no such list)."""
    path = DATA_DIR / code / f"{name}.txt"
    if not path.is_file():
        if name not in known_names(".txt"):
            raise UnknownWordList(f"no word list {name!r} in {DATA_DIR} (known: {sorted(known_names('.txt'))})")
        return frozenset()
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return frozenset(entries)


@lru_cache(maxsize=None)
def load_mapping(code: str, name: str) -> dict:
    """The object in ``data/<code>/<name>.json`` without its ``_doc`` (an empty dict when that language has none)."""
    path = DATA_DIR / code / f"{name}.json"
    if not path.is_file():
        if name not in known_names(".json"):
            raise UnknownWordList(f"no mapping {name!r} in {DATA_DIR} (known: {sorted(known_names('.json'))})")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: line {error.lineno}: {error.msg}") from error
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return {k: v for k, v in data.items() if k != "_doc"}
