"""BM25 sparse vectors, computed by Qdrant's own BM25 model (from qdrant-edge) for both engines.

Documents get term-frequency weights (k, b, avg_len); queries get weight 1 per unique
token; the collection's IDF modifier supplies the inverse document frequency inside the
engine. Nothing is downloaded.
"""

from __future__ import annotations

import qdrant_edge as qe

from rag.store.base import SparseVec


#: Qdrant's BM25 stemmer and stopword list for each language museum-rag answers in.
BM25_LANGUAGES: dict[str, str] = {
    "en": "english", "fr": "french", "de": "german", "nl": "dutch", "es": "spanish", "it": "italian",
}


class Bm25Encoder:
    """Example::

    bm25 = Bm25Encoder()
    bm25.encode_document("Chromolithograph on paper")
    bm25.encode_query("Qui a peint la laitière ?", lang="fr")   # French stopwords and stemmer

    ``lang`` (ISO 639-1) picks the stemmer and stopwords of a text's language, so that "la" or
    "de" in a French question does not match every French record; English otherwise. Names and
    numbers come out the same in every language.
    """

    def __init__(self, avg_len: float = 60.0) -> None:
        self._avg_len = avg_len
        self._models: dict[str, qe.Bm25] = {}
        self._model = self._for("en")

    def _for(self, lang: str | None) -> qe.Bm25:
        name = BM25_LANGUAGES.get((lang or "en").lower().split("-")[0], "english")
        model = self._models.get(name)
        if model is None:
            model = self._models[name] = qe.Bm25(qe.Bm25Config(avg_len=self._avg_len, language=name))
        return model

    def encode_document(self, text: str, lang: str | None = None) -> SparseVec:
        vec = self._for(lang).embed_document(text)
        return SparseVec(list(vec.indices), list(vec.values))

    def encode_query(self, text: str, lang: str | None = None) -> SparseVec:
        vec = self._for(lang).embed_query(text)
        return SparseVec(list(vec.indices), list(vec.values))
