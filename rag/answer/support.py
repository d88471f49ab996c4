"""The verifier the answerer checks its sentences with (one line to change when the verifier changes).

Example::

    verifier = answer_verifier(settings, embedder)
    verdict = verifier.score("Anna Vos painted the harbour in 1710.", [quote])
"""

from __future__ import annotations

import logging

from rag.config import Settings
from rag.embedding import Embedder
from rag.verify import TokenOverlapVerifier, Verifier, load_verifier

log = logging.getLogger(__name__)


def answer_verifier(settings: Settings, embedder: Embedder) -> Verifier:
    """``rag.verify.load_verifier``; token overlap only if the configured verifier cannot be loaded."""
    try:
        return load_verifier(settings, embedder)
    except (FileNotFoundError, ImportError, OSError) as exc:  # e.g. missing weights file or model
        log.warning("verifier unavailable (%s); falling back to token overlap", exc)
        return TokenOverlapVerifier(threshold=settings.verifier_threshold)
