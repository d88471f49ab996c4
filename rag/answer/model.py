"""The fitted models of answering, loaded from one small JSON file per embedder (``rag/data/answering_model*.json``).

* :class:`KindModel`: which kind of evidence a question asks for (the maker, the date, the medium,
  a description sentence, the provenance ...), a multinomial naive Bayes model of the question's
  word stems, fitted on the labelled questions' evidence (so "who painted", "qui a peint" and
  "which workshop" map to a maker fact whatever words a museum uses for its roles);
* the evidence **ranker**, the **answerability** model and the **premise gate**: standardised
  logistic regressions (:class:`LinearModel`) over the features of :mod:`rag.answer.features`.

``scripts/fit_answering.py`` writes the file (fixed seed, minutes on 2 cores); nothing is fitted
at run time. The features include the embedder's similarities, whose scale differs from one model to
another, so each packaged embedder has its own file (:data:`MODEL_FILES`), fitted on stores it filled,
with the abstention and premise thresholds tuned for it (``thresholds``; ``Settings`` may override them).

Example::

    model = AnsweringModel.load(embed_model="all-MiniLM-L6-v2")
    model.thresholds                             # {"abstain": 0.2, "premise": 0.05}
    probs = model.ranker.predict(x)              # one batched call for every candidate
    kinds = model.kinds.predict(question.tokens) # {"maker": 0.81, "date": 0.05, ...}
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from rag.config import PACKAGED_EMBED_MODEL
from rag.e5_embedder import E5_MODEL_NAME

log = logging.getLogger(__name__)

MODEL_FILE = "answering_model.json"
#: The packaged models by the name a store records for the embedder whose similarities they were fitted on
#: (:func:`rag.store.model_record.model_name`); any other embedder gets :data:`MODEL_FILE`'s.
MODEL_FILES = {
    PACKAGED_EMBED_MODEL: MODEL_FILE,
    E5_MODEL_NAME: f"answering_model.{E5_MODEL_NAME}.json",
}
THRESHOLD_NAMES = ("abstain", "premise")


@dataclass
class LinearModel:
    """p = sigmoid(coef . (x - mean) / scale + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: Sequence[str] | None = None) -> "LinearModel":
        features = tuple(data["features"])
        if expected is not None and tuple(expected) != features:
            raise ValueError(f"fitted features {features} do not match the code's {tuple(expected)}: refit the model")
        return cls(
            features,
            np.asarray(data["mean"], dtype=np.float32),
            np.asarray(data["scale"], dtype=np.float32),
            np.asarray(data["coef"], dtype=np.float32),
            float(data["intercept"]),
        )


@dataclass
class KindModel:
    """Multinomial naive Bayes of evidence kind given the question's word stems."""

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    class_log_prior: np.ndarray  # (k,)
    feature_log_prob: np.ndarray  # (k, v)

    def predict(self, tokens: Sequence[str]) -> dict[str, float]:
        idx = [self.vocabulary[t] for t in dict.fromkeys(tokens) if t in self.vocabulary]
        scores = self.class_log_prior + (self.feature_log_prob[:, idx].sum(axis=1) if idx else 0.0)
        scores = scores - scores.max()
        probs = np.exp(scores)
        probs /= probs.sum()
        return {c: float(p) for c, p in zip(self.classes, probs)}

    def to_json(self) -> dict[str, Any]:
        words = sorted(self.vocabulary, key=self.vocabulary.get)
        return {
            "classes": list(self.classes),
            "class_log_prior": [round(float(v), 4) for v in self.class_log_prior],
            "vocabulary": words,
            "feature_log_prob": [[round(float(v), 3) for v in row] for row in self.feature_log_prob],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "KindModel":
        return cls(
            tuple(data["classes"]),
            {w: i for i, w in enumerate(data["vocabulary"])},
            np.asarray(data["class_log_prior"], dtype=np.float32),
            np.asarray(data["feature_log_prob"], dtype=np.float32),
        )


@dataclass
class AnsweringModel:
    kinds: KindModel
    ranker: LinearModel
    answerability: LinearModel
    premise_gate: LinearModel
    info: dict[str, Any]
    #: The abstention and premise-gate thresholds this model was tuned for ({"abstain": .., "premise": ..}).
    thresholds: dict[str, float]

    @classmethod
    def load(cls, path: str | Path | None = None, embed_model: str | None = None) -> "AnsweringModel":
        """The model at ``path``, else the packaged one fitted on ``embed_model``'s similarities."""
        if path:
            return _load(str(path))
        name = MODEL_FILES.get(embed_model or "", MODEL_FILE)
        if embed_model and embed_model not in MODEL_FILES:
            log.warning(
                "no answering model was fitted on %s's similarities: using %s's; fit one with "
                "scripts/fit_answering.py and set MUSEUM_RAG_ANSWERING_MODEL",
                embed_model,
                PACKAGED_EMBED_MODEL,
            )
        return _load_packaged(name)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AnsweringModel":
        from rag.answer.features import CANDIDATE_FEATURES, QUESTION_FEATURES
        from rag.answer.premise import GATE_FEATURES

        return cls(
            kinds=KindModel.from_json(data["kinds"]),
            ranker=LinearModel.from_json(data["ranker"], CANDIDATE_FEATURES),
            answerability=LinearModel.from_json(data["answerability"], QUESTION_FEATURES),
            premise_gate=LinearModel.from_json(data["premise_gate"], GATE_FEATURES),
            info=data.get("info", {}),
            thresholds=_thresholds(data),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "info": self.info,
            "thresholds": {k: round(float(self.thresholds[k]), 4) for k in THRESHOLD_NAMES},
            "kinds": self.kinds.to_json(),
            "ranker": self.ranker.to_json(),
            "answerability": self.answerability.to_json(),
            "premise_gate": self.premise_gate.to_json(),
        }


def _thresholds(data: dict[str, Any]) -> dict[str, float]:
    """The file's tuned thresholds; a file written before they were recorded has the fit's calibrated ones."""
    values = data.get("thresholds") or (data.get("info") or {}).get("thresholds") or {}
    missing = [k for k in THRESHOLD_NAMES if not isinstance(values.get(k), (int, float))]
    if missing:
        raise ValueError(
            f"the answering model has no {', '.join(missing)} threshold: refit it with scripts/fit_answering.py"
        )
    return {k: float(values[k]) for k in THRESHOLD_NAMES}


@lru_cache(maxsize=4)
def _load(path: str) -> AnsweringModel:
    return AnsweringModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def _load_packaged(name: str) -> AnsweringModel:
    return AnsweringModel.from_json(json.loads(resources.files("rag.data").joinpath(name).read_text(encoding="utf-8")))
