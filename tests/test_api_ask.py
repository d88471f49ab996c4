"""POST /v1/ask and /v1/ask/stream in-process over the sample store: statuses, citations, feedback, the report."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.pipeline import MuseumRAG
from tests.conftest import copy_sample_store, make_settings

STAFF = {"Authorization": "Bearer ask-staff-key"}
MAN_RAY = "Who created the tribute to the photographer Man Ray?"


@pytest.fixture(scope="module")
def client(tmp_path_factory, sample_store_dir, embedder):
    data_dir = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("api-ask"))
    settings = make_settings(data_dir, api_keys=["ask-staff-key"], rate_limit_per_minute=10_000)
    museum = MuseumRAG(settings, embedder=embedder)
    try:
        with TestClient(create_app(settings, museum=museum, close_museum=False)) as test_client:
            yield test_client
    finally:
        museum.close()


def test_answered_with_citations_then_rated(client):
    response = client.post("/v1/ask", json={"question": MAN_RAY})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "answered" and "Calder" in answer["text"]
    assert answer["citations"] and answer["citations"][0]["record_id"] == "npg:23"
    assert all(0.0 <= s["support"] <= 1.0 for s in answer["sentences"]) and answer["sentences"]
    assert len(answer["answer_id"]) == 32

    rated = client.post("/v1/feedback", json={"answer_id": answer["answer_id"], "rating": "down", "comment": "too short"})
    assert rated.status_code == 201 and rated.json() == {"answer_id": answer["answer_id"], "rating": "down"}
    metrics = client.get("/metrics").text
    assert 'museum_rag_answers_total{status="answered"}' in metrics
    assert 'museum_rag_feedback_total{rating="down"} 1.0' in metrics


def test_false_premise_is_corrected_from_the_record(client):
    answer = client.post("/v1/ask", json={"question": "Why did Andy Warhol make the 1974 chromolithograph tribute to Man Ray?"}).json()
    assert answer["status"] == "corrected", answer["text"]
    assert "Calder" in answer["text"] and answer["citations"][0]["record_id"] == "npg:23"


def test_abstentions_feed_the_unanswered_report(client):
    for wording in ("What is the wifi password of the museum cafe?", "what is the WIFI password of the museum cafe"):
        answer = client.post("/v1/ask", json={"question": wording}).json()
        assert answer["status"] == "abstained" and answer["citations"] == []
        assert answer["suggestions"], "an abstention names the objects that came closest"
    report = client.get("/v1/reports/unanswered", headers=STAFF).json()["items"]
    top = report[0]
    assert top["normalized"] == "what is the wifi password of the museum cafe" and top["count"] == 2
    assert top["question"] == "what is the WIFI password of the museum cafe"
    assert all(item["normalized"] != "who created the tribute to the photographer man ray" for item in report)


def test_stream_sends_status_deltas_citations_and_done(client):
    with client.stream("POST", "/v1/ask/stream", json={"question": MAN_RAY}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().splitlines()
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), None)
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if name and data:
            events.append((name, json.loads(data)))
    names = [name for name, _ in events]
    assert names[:1] == ["status"] and events[0][1] == {"stage": "searching"}
    assert names[-2:] == ["citations", "done"] and "delta" in names
    deltas = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert done["status"] == "answered" and "Calder" in deltas and len(done["answer_id"]) == 32
    assert done["sentences"] and [c["record_id"] for c in events[-2][1]["citations"]][0] == "npg:23"


def test_ask_validates_filters(client):
    response = client.post("/v1/ask", json={"question": MAN_RAY, "filters": {"date_from": "not a year"}})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "date_from"
    response = client.post("/v1/ask", json={"question": MAN_RAY, "filters": {"colour": "red"}})
    assert response.status_code == 422
