"""A faithfulness verifier backed by a Hugging Face NLI / factual-consistency cross-encoder.

Set ``Settings.verifier_model`` to a model name or a local folder; the premise is a source
text, the hypothesis is the claim. Two kinds of heads are understood:

- 3-way (or 2-way) NLI heads: the support score is the softmax probability of the label that
  ``config.id2label`` names entailment (``entailment``, ``ENTAILMENT``, ``entails``...), or the
  consistent/supported label of a 2-way consistency head (``LABEL_1`` when labels are generic);
- single-logit consistency heads (``num_labels == 1``): the sigmoid of the logit.

A source longer than the model's window is cut into runs of whole sentences that fit, and a
claim is scored against every piece of every source; the best piece decides.

Example::

    verifier = CrossEncoderVerifier("cross-encoder/nli-deberta-v3-small")
    verifier.score("The bust is bronze.", ["Bronze bust of Lincoln, 1860."]).score
"""

from __future__ import annotations

import copy
import logging
from typing import Sequence

import numpy as np

from rag.text import split_sentences
from rag.verify import Verdict, Verifier

log = logging.getLogger(__name__)

_ENTAILMENT_NAMES = ("entail",)
_CONSISTENT_NAMES = ("consistent", "support", "faithful", "factual", "true", "yes", "positive")
_INCONSISTENT_NAMES = ("inconsistent", "unsupport", "unfaithful", "hallucinat", "false", "contradict")
#: A claim this short (in words) is read as the answer to the question: "Who painted it?" + "Gilbert Stuart".
SHORT_CLAIM_WORDS = 4


def support_index(id2label: dict[int, str], num_labels: int) -> int | None:
    """The output index that means "the premise supports the hypothesis"; None for a single-logit head.

    >>> support_index({0: "contradiction", 1: "entailment", 2: "neutral"}, 3)
    1
    """
    if num_labels == 1:
        return None
    labels = {int(k): str(v).lower() for k, v in id2label.items()}
    for index, label in labels.items():
        if any(name in label for name in _ENTAILMENT_NAMES) and "not" not in label:
            return index
    if num_labels == 2:
        for index, label in labels.items():
            if any(name in label for name in _CONSISTENT_NAMES) and not any(n in label for n in _INCONSISTENT_NAMES):
                return index
        return 1  # generic LABEL_0 / LABEL_1 consistency heads (e.g. HHEM): 1 means consistent
    raise ValueError(
        f"cannot tell which of the labels {sorted(labels.values())} means entailment; set id2label in the "
        "model's config.json (e.g. {\"0\": \"contradiction\", \"1\": \"entailment\", \"2\": \"neutral\"})"
    )


class CrossEncoderVerifier(Verifier):
    """NLI / factual-consistency cross-encoder by Hugging Face name or local path (see module doc)."""

    def __init__(
        self,
        model_name_or_path: str,
        threshold: float = 0.5,
        max_length: int = 512,
        batch_size: int = 16,
        device: str = "cpu",
    ) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.name = f"cross_encoder:{model_name_or_path}"
        self.threshold = threshold
        self.batch_size = batch_size
        self.device = device
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_name_or_path)
            self.model = AutoModelForSequenceClassification.from_pretrained(model_name_or_path)
        except OSError as error:
            raise ValueError(
                f"could not load the verifier model {model_name_or_path!r}: give a local folder with config.json, "
                f"the weights and the tokenizer files, or a Hugging Face name already in the local cache "
                f"(nothing is downloaded when HF_HUB_OFFLINE=1). Cause: {error}"
            ) from error
        self.model.to(device).eval()
        # Counting tokens without padding switches the shared tokenizer's padding off for a batch another thread
        # is encoding at that moment (rag.embedding says more): counting gets a tokenizer of its own.
        self._counter = copy.deepcopy(self.tokenizer)
        config = self.model.config
        self.support_index = support_index(dict(config.id2label or {}), int(config.num_labels))
        model_max = getattr(self.tokenizer, "model_max_length", max_length) or max_length
        self.max_length = int(min(max_length, model_max if model_max < 100_000 else max_length))
        self._torch = torch

    # -- public ------------------------------------------------------------------------------

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        return self.score_many([(claim, sources)], [question])[0]

    def score_many(
        self, pairs: Sequence[tuple[str, Sequence[str]]], questions: Sequence[str | None] | None = None
    ) -> list[Verdict]:
        questions = list(questions) if questions is not None else [None] * len(pairs)
        jobs: list[tuple[int, int, str, str]] = []  # (pair, source index, premise, hypothesis)
        for p, ((claim, sources), question) in enumerate(zip(pairs, questions)):
            hypothesis = self.hypothesis(claim, question)
            for s, source in enumerate(sources):
                if source and source.strip():
                    for piece in self._pieces(source, hypothesis):
                        jobs.append((p, s, piece, hypothesis))
        scores = self._predict([(premise, hypothesis) for _, _, premise, hypothesis in jobs])
        best: list[tuple[float, int | None]] = [(0.0, None)] * len(pairs)
        for (p, s, _, _), value in zip(jobs, scores):
            if best[p][1] is None or value > best[p][0]:
                best[p] = (float(value), s)
        return [self._verdict(value, index) for value, index in best]

    @staticmethod
    def hypothesis(claim: str, question: str | None) -> str:
        """The claim, or "question claim" when the claim is only a short answer to the question."""
        claim = claim.strip()
        if question and question.strip() and len(claim.split()) <= SHORT_CLAIM_WORDS:
            return f"{question.strip()} {claim}"
        return claim

    # -- internals ---------------------------------------------------------------------------

    def _pieces(self, source: str, hypothesis: str) -> list[str]:
        """The source, or runs of its sentences that fit the model's window next to the hypothesis."""
        budget = self.max_length - len(self._counter.tokenize(hypothesis)) - 4
        if budget <= 16 or len(self._counter.tokenize(source)) <= budget:
            return [source]
        pieces, current, size = [], [], 0
        for span in split_sentences(source):
            length = len(self._counter.tokenize(span.text))
            if current and size + length > budget:
                pieces.append(" ".join(current))
                current, size = [], 0
            current.append(span.text)
            size += length
        if current:
            pieces.append(" ".join(current))
        return pieces

    def _predict(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        torch = self._torch
        out = np.zeros(len(pairs), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(pairs), self.batch_size):
                batch = pairs[start : start + self.batch_size]
                encoded = self.tokenizer(
                    [premise for premise, _ in batch],
                    [hypothesis for _, hypothesis in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                logits = self.model(**encoded).logits.float()
                if self.support_index is None:
                    values = torch.sigmoid(logits[:, 0])
                else:
                    values = torch.softmax(logits, dim=-1)[:, self.support_index]
                out[start : start + len(batch)] = values.cpu().numpy()
        return out
