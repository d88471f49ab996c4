"""Faithfulness verification: is a claim fully supported by the given source texts?

Shared by the answerer (unsupported sentences never reach a visitor) and the evaluation
harness. Every verifier returns a support score in [0, 1] and a label.

Verifiers:

- :class:`FactCheckVerifier` (the offline default): aligns the claim with its best source
  span and checks what museum misinformation looks like (a changed name, date, number,
  place, material, relation or negation; a fact of the record attached to the wrong thing;
  maker and sitter swapped; doer and undergoer swapped) next to lexical and embedding
  similarity; a logistic regression fitted by ``scripts/fit_verifier.py`` combines the signals
  (see the ``rag/verification`` package).
- :class:`rag.nli.CrossEncoderVerifier`: an NLI / factual-consistency cross-encoder by
  Hugging Face name or local path (``Settings.verifier_model``).
- :class:`TokenOverlapVerifier`, :class:`EmbeddingSimilarityVerifier`: baselines.

Example::

    verifier = load_verifier(settings, embedder)
    verdict = verifier.score("The portrait is an oil on canvas.", ["Oil on canvas, 1851."])
    verdict.label  # "supported"
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from rag.config import Settings
from rag.embedding import Embedder, EmbedderOnDemand, load_embedder
from rag.text import words
from rag.verification import EMBEDDING_FEATURES, FEATURES, align, analyse_claim, analyse_source, lexical_features
from rag.verification.lexical import stands_in

Label = Literal["supported", "unsupported"]

_STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is was were are be been being it its this that these
    those he she his her him they them their we our you your i me my not no so than then there here who whom whose
    which what when where why how do does did has have had will would can could should may might also into about""".split()
)


@dataclass(frozen=True)
class Claim:
    """What one answer sentence asserts, as the answerer composed it, with the source texts it cites.

    ``text`` is the bare statement, without the frame the visitor reads around it: for "According
    to the record for “Harold Lloyd”, his best-known film ..." the claim is "His best-known film ...";
    for a correction "The museum's record dates “X” to c. 1853, not 1795." it is what the record
    states ("X. Date: c. 1853"), never the rejected value. The verifier checks ``text`` as given.
    """

    text: str
    sources: tuple[str, ...]
    question: str | None = None


@dataclass(frozen=True)
class Verdict:
    score: float  # support in [0, 1]
    label: Label
    source_index: int | None = None  # the source that supports the claim best


class Verifier(ABC):
    """Scores how well ``sources`` support ``claim``."""

    name: str = "verifier"
    threshold: float = 0.5

    @abstractmethod
    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict: ...

    def score_many(
        self, pairs: Sequence[tuple[str, Sequence[str]]], questions: Sequence[str | None] | None = None
    ) -> list[Verdict]:
        qs = questions or [None] * len(pairs)
        return [self.score(claim, sources, q) for (claim, sources), q in zip(pairs, qs)]

    def check(self, claims: Sequence[Claim]) -> list[Verdict]:
        """One verdict per claim, in order: how well its own sources support its text."""
        return self.score_many([(c.text, list(c.sources)) for c in claims], [c.question for c in claims])

    def _verdict(self, score: float, source_index: int | None) -> Verdict:
        score = float(min(1.0, max(0.0, score)))
        return Verdict(score, "supported" if score >= self.threshold else "unsupported", source_index)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _STOPWORDS]


class TokenOverlapVerifier(Verifier):
    """Baseline: the share of the claim's content words found in the best source."""

    name = "token_overlap"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        claim_words = set(content_words(claim))
        if not claim_words or not sources:
            return self._verdict(0.0 if not sources else 1.0, 0 if sources else None)
        best, best_index = -1.0, None
        for index, source in enumerate(sources):
            overlap = len(claim_words & set(words(source))) / len(claim_words)
            if overlap > best:
                best, best_index = overlap, index
        return self._verdict(best, best_index)


class EmbeddingSimilarityVerifier(Verifier):
    """Baseline: the best cosine similarity between the claim and a source sentence."""

    name = "embedding_similarity"

    def __init__(self, embedder: Embedder, threshold: float = 0.5) -> None:
        from rag.text import split_sentences

        self.embedder = embedder
        self.threshold = threshold
        self._split = split_sentences

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        units: list[tuple[int, str]] = [
            (index, span.text) for index, source in enumerate(sources) for span in self._split(source)
        ]
        if not units:
            return self._verdict(0.0, None)
        vectors = self.embedder.embed_documents([claim] + [text for _, text in units])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        return self._verdict(float(sims[best]), units[best][0])

    def score_many(
        self, pairs: Sequence[tuple[str, Sequence[str]]], questions: Sequence[str | None] | None = None
    ) -> list[Verdict]:
        """Same scores as :meth:`score`, with every distinct text embedded once in one batch."""
        units = [[(i, span.text) for i, source in enumerate(sources) for span in self._split(source)] for _, sources in pairs]
        texts = list(dict.fromkeys([claim for claim, _ in pairs] + [text for unit in units for _, text in unit]))
        vectors = dict(zip(texts, self.embedder.embed_documents(texts, batch_size=64)))
        verdicts = []
        for (claim, _), unit in zip(pairs, units):
            if not unit:
                verdicts.append(self._verdict(0.0, None))
                continue
            sims = np.stack([vectors[text] for _, text in unit]) @ vectors[claim]
            best = int(np.argmax(sims))
            verdicts.append(self._verdict(float(sims[best]), unit[best][0]))
        return verdicts


# ----------------------------------------------------------------------------- offline default

#: The packaged weights of :class:`FactCheckVerifier`, written by ``scripts/fit_verifier.py``.
WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "verifier_weights.json"


@dataclass(frozen=True)
class VerifierWeights:
    """A fitted logistic regression over standardised features: ``sigmoid(b + w . (x - mean) / scale)``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str | None = None) -> "VerifierWeights":
        """Read the weights file (the packaged one by default)."""
        path = Path(path) if path is not None else WEIGHTS_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"verifier weights not found at {path}; run `python scripts/fit_verifier.py` to fit them"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        features = tuple(data["features"])
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"{path}: unknown verifier features {sorted(unknown)}; refit with scripts/fit_verifier.py")
        vectors = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "coef")]
        if any(v.shape != (len(features),) for v in vectors):
            raise ValueError(f"{path}: mean, scale and coef must each have {len(features)} values")
        meta = {k: v for k, v in data.items() if k not in ("features", "mean", "scale", "coef", "intercept", "threshold")}
        return cls(features, *vectors, float(data["intercept"]), float(data.get("threshold", 0.5)), meta)

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(self.intercept, 8),
            "threshold": self.threshold,
            **self.meta,
        }

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        """Support probability of each row of an (n, len(features)) matrix."""
        z = self.intercept + ((matrix - self.mean) / self.scale) @ self.coef
        return 1.0 / (1.0 + np.exp(-z))


class ClaimFeaturizer:
    """Turns (claim, sources, question) into the feature vectors of :data:`rag.verification.FEATURES`.

    Source analyses and embeddings are cached, so checking every sentence of one answer
    against the same sources costs little after the first sentence.

    Example::

        matrix, aligned = ClaimFeaturizer(embedder).features([("Brady took it.", ["Gardner took it."])])
    """

    def __init__(self, embedder: Embedder, windows: int = 1, cache_size: int = 4096) -> None:
        self.embedder = embedder
        self.windows = windows  # best-aligned windows compared by embedding
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_size = cache_size

    def features(
        self,
        pairs: Sequence[tuple[str, Sequence[str]]],
        questions: Sequence[str | None] | None = None,
        embed: bool = True,
    ) -> tuple[np.ndarray, list[int | None]]:
        """The (n, len(FEATURES)) feature matrix and the index of each claim's aligned source.

        With ``embed=False`` the embedding features are left at 0 and the embedder is not called.
        """
        questions = list(questions) if questions is not None else [None] * len(pairs)
        rows: list[dict[str, float]] = []
        texts: list[tuple[str, list[str]]] = []  # claim, its best-aligned source windows
        indexes: list[int | None] = []
        for (claim, sources), question in zip(pairs, questions):
            question = (question or "").strip() or None
            kept = [i for i, s in enumerate(sources) if s and s.strip()]
            if not kept:
                rows.append(dict.fromkeys(FEATURES, 0.0))
                texts.append((claim, []))
                indexes.append(None)
                continue
            claim_facts = analyse_claim(claim)
            source_facts = [analyse_source(sources[i]) for i in kept]
            question_facts = analyse_claim(question) if question else None
            alignment = align(claim_facts, source_facts, keep=self.windows, context=question_facts)
            rows.append(lexical_features(claim_facts, source_facts, alignment, question_facts))
            indexes.append(kept[alignment.source_index] if alignment.source_index is not None else None)
            candidates = [source_facts[s].windows[w].text for s, w in alignment.candidates]
            texts.append((claim, candidates))
        if embed:
            self._embedding_features(rows, texts)
        else:
            for row in rows:
                row.update(dict.fromkeys(EMBEDDING_FEATURES, 0.0))
        matrix = np.array([[row[name] for name in FEATURES] for row in rows], dtype=np.float64)
        return matrix, indexes

    def _embedding_features(self, rows: list[dict[str, float]], texts: list[tuple[str, list[str]]]) -> None:
        # A claim that stands word for word in one of its aligned windows has, in that window, a span
        # identical to itself: its best similarity is 1 without embedding anything. Extractive answers
        # quote record sentences, so most claims cost no embedding call.
        quoted = [bool(candidates) and stands_in(claim, candidates) for claim, candidates in texts]
        wanted = [
            text for (claim, candidates), q in zip(texts, quoted) if candidates and not q for text in (claim, *candidates)
        ]
        vectors = self._embed(wanted) if wanted else {}
        for row, (claim, candidates), q in zip(rows, texts, quoted):
            if q:
                row["embedding_window"] = 1.0
            elif candidates:
                windows = np.stack([vectors[c] for c in candidates])
                row["embedding_window"] = float(np.max(windows @ vectors[claim]))
            else:
                row["embedding_window"] = 0.0
            row["phrase_embedding_window"] = row.get("answer_phrase", 0.0) * row["embedding_window"]
            row["doc_embedding_window"] = row.get("document", 0.0) * row["embedding_window"]

    def _embed(self, texts: list[str]) -> dict[str, np.ndarray]:
        # One lock over lookup, embedding and eviction: the API answers questions on several threads.
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            found = {}
            if missing:
                for text, vector in zip(missing, self.embedder.embed_documents(missing, batch_size=64)):
                    self._cache[text] = vector
            for text in texts:
                self._cache.move_to_end(text)
                found[text] = self._cache[text]
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return found


class FactCheckVerifier(Verifier):
    """The offline default: fact checks on the aligned source span, combined by fitted weights.

    Needs only the embedder and numpy at run time (the weights are a small JSON file).

    Example::

        verifier = FactCheckVerifier(embedder)
        verifier.score("Brady photographed Grant in 1864.", ["Mathew Brady photographed Grant in 1865."])
    """

    name = "fact_check"

    def __init__(
        self, embedder: Embedder, weights: VerifierWeights | None = None, threshold: float | None = None
    ) -> None:
        self.featurizer = ClaimFeaturizer(embedder)
        self.weights = weights or VerifierWeights.load()
        self.threshold = self.weights.threshold if threshold is None else threshold
        self._index = [FEATURES.index(name) for name in self.weights.features]
        # Weights fitted without the embedding features need no embedding call at all (the fast path).
        self._embed = any(name in EMBEDDING_FEATURES for name in self.weights.features)

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        return self.score_many([(claim, sources)], [question])[0]

    def score_many(
        self, pairs: Sequence[tuple[str, Sequence[str]]], questions: Sequence[str | None] | None = None
    ) -> list[Verdict]:
        if not pairs:
            return []
        matrix, indexes = self.featurizer.features(pairs, questions, embed=self._embed)
        scores = self.weights.probability(matrix[:, self._index])
        return [
            self._verdict(float(value), index) if index is not None else self._verdict(0.0, None)
            for value, index in zip(scores, indexes)
        ]


# ----------------------------------------------------------------------------- factory


def load_verifier(settings: Settings, embedder: Embedder) -> Verifier:
    """The configured verifier: a cross-encoder when ``settings.verifier_model`` is set, else the offline default.

    Example::

        verifier = load_verifier(Settings(verifier_model="cross-encoder/nli-deberta-v3-small"), embedder)
    """
    if settings.verifier_model:
        from rag.nli import CrossEncoderVerifier

        return CrossEncoderVerifier(settings.verifier_model, threshold=settings.verifier_threshold)
    weights = VerifierWeights.load()
    return FactCheckVerifier(fitted_embedder(weights, embedder, settings), weights, settings.verifier_threshold)


def fitted_embedder(weights: VerifierWeights, embedder: Embedder, settings: Settings) -> Embedder:
    """The embedder whose similarities the weights were fitted on: ``embedder`` when it is that model, else that
    model loaded at its first call. The similarities of another model have another scale (the median cosine of two
    unrelated record sentences is 0.77 under multilingual-e5-small, 0.11 under all-MiniLM-L6-v2), which the weights
    would read as support. A quoted sentence is compared with its own span, so it never needs the embedder."""
    from rag.store.model_record import model_name

    fitted = weights.meta.get("embedder")
    if not fitted or model_name(embedder) == fitted:
        return embedder
    return EmbedderOnDemand(fitted, lambda: load_embedder(settings.model_copy(update={"embed_model": fitted})))
