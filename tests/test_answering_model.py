"""The packaged answering models: one per packaged embedder, each with the thresholds it was tuned for.

The ranker, abstention and premise features include the embedder's cosine similarities, whose scale
differs between all-MiniLM-L6-v2 and multilingual-e5-small, so the answerer must read the model
fitted on the similarities of the embedder that fills its store, and that model's thresholds unless
Settings sets others.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

import pytest

from rag.answer.answerer import Answerer
from rag.answer.model import MODEL_FILE, MODEL_FILES, AnsweringModel
from tests.conftest import make_settings


@pytest.mark.parametrize("embed_model", sorted(MODEL_FILES))
def test_every_packaged_model_loads_with_its_embedder_and_thresholds(embed_model):
    data = json.loads(resources.files("rag.data").joinpath(MODEL_FILES[embed_model]).read_text(encoding="utf-8"))
    model = AnsweringModel.load(embed_model=embed_model)  # the features match the code's, or this raises
    assert model.info["embed_model"] == embed_model == data["info"]["embed_model"]
    assert set(model.thresholds) == {"abstain", "premise"}
    assert all(0.0 < v < 1.0 for v in model.thresholds.values())


def test_another_embedder_gets_the_default_model_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="rag.answer.model"):
        model = AnsweringModel.load(embed_model="some-org/another-embedder")
    assert model is AnsweringModel.load(embed_model=next(k for k, v in MODEL_FILES.items() if v == MODEL_FILE))
    assert "another-embedder" in caplog.text and "MUSEUM_RAG_ANSWERING_MODEL" in caplog.text


def test_a_model_file_without_thresholds_is_refused_with_what_to_do(tmp_path):
    data = json.loads(resources.files("rag.data").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    data.pop("thresholds")
    data["info"].pop("thresholds", None)
    path = tmp_path / "old_model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="refit it with scripts/fit_answering.py"):
        AnsweringModel.load(path)


def test_the_answerer_reads_the_model_of_its_embedder_and_its_thresholds(embedder):
    answerer = Answerer(make_settings(Path("/nonexistent")), None, None, embedder)
    assert answerer.model.info["embed_model"] == "all-MiniLM-L6-v2"
    assert answerer.abstain_threshold == answerer.model.thresholds["abstain"]
    assert answerer.policy.threshold == answerer.model.thresholds["abstain"]
    assert answerer.premise_threshold == answerer.model.thresholds["premise"]


def test_thresholds_set_in_settings_win_over_the_model(embedder):
    settings = make_settings(Path("/nonexistent"), abstain_threshold=0.42, premise_threshold=0.7)
    answerer = Answerer(settings, None, None, embedder)
    assert (answerer.abstain_threshold, answerer.policy.threshold, answerer.premise_threshold) == (0.42, 0.42, 0.7)


def test_the_multilingual_embedder_gets_the_model_fitted_on_its_similarities():
    from rag.e5_embedder import E5Embedder

    settings = make_settings(Path("/nonexistent"), embed_model="multilingual-e5-small")
    answerer = Answerer(settings, None, None, E5Embedder(threads=1))
    assert answerer.model.info["embed_model"] == "multilingual-e5-small"
    assert answerer.model is not AnsweringModel.load(embed_model="all-MiniLM-L6-v2")
    assert answerer.abstain_threshold == answerer.model.thresholds["abstain"]
