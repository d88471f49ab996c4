"""The fitted models of answering, loaded from one small JSON file (``rag/data/answering_model.json``).

* :class:`KindModel`: which kind of evidence a question asks for (the maker, the date, the medium,
  a description sentence, the provenance ...), a multinomial naive Bayes model of the question's
  word stems, fitted on the labelled questions' evidence (so "who painted", "qui a peint" and
  "which workshop" map to a maker fact whatever words a museum uses for its roles);
* the evidence **ranker**, the **answerability** model and the **premise gate**: standardised
  logistic regressions (:class:`LinearModel`) over the features of :mod:`rag.answer.features`.

``scripts/fit_answering.py`` writes the file (fixed seed, minutes on 2 cores); nothing is fitted
at run time.

Example::

    model = AnsweringModel.load()
    probs = model.ranker.predict(x)              # one batched call for every candidate
    kinds = model.kinds.predict(question.tokens) # {"maker": 0.81, "date": 0.05, ...}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np

MODEL_FILE = "answering_model.json"


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

    @classmethod
    def load(cls, path: str | Path | None = None) -> "AnsweringModel":
        """The packaged model, or the one at ``path``."""
        return _load(str(path) if path else "")

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
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "info": self.info,
            "kinds": self.kinds.to_json(),
            "ranker": self.ranker.to_json(),
            "answerability": self.answerability.to_json(),
            "premise_gate": self.premise_gate.to_json(),
        }


@lru_cache(maxsize=4)
def _load(path: str) -> AnsweringModel:
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("rag.data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return AnsweringModel.from_json(json.loads(text))
