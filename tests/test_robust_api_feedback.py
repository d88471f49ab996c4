"""The question log and feedback database are no single point of failure (issue 13, item 4).

A corrupt, truncated or directory ``feedback.sqlite3`` is moved aside and a fresh one made;
a database that can't be written never turns an answer into a 500; the log is pruned.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.feedback import FeedbackStore, open_feedback_store
from api.main import create_app
from rag.pipeline import MuseumRAG
from tests.conftest import make_settings
from tests.robust_api_data import ORDINARY, build_store

QUESTION = "Who made the copper kettle?"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, embedder) -> Path:
    data_dir = tmp_path_factory.mktemp("robust-feedback") / "data"
    build_store(make_settings(data_dir), embedder, ORDINARY)
    return data_dir


def a_good_database(path: Path) -> None:
    store = FeedbackStore(path)
    for i in range(40):
        store.record_question(f"What is object {i}?", "answered")
    store.close()


def corrupt(path: Path) -> None:
    a_good_database(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the header's tail and the schema page
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    a_good_database(path)
    path.write_bytes(path.read_bytes()[:50])


def directory(path: Path) -> None:
    path.mkdir(parents=True)
    (path / "something").write_text("not a database", encoding="utf-8")


@pytest.mark.parametrize("damage", [corrupt, truncate, directory])
def test_a_bad_database_is_moved_aside_and_recreated(tmp_path, damage, caplog):
    path = tmp_path / "feedback.sqlite3"
    damage(path)
    with caplog.at_level(logging.WARNING, logger="api.feedback"):
        store = open_feedback_store(path)
    try:
        assert store.status == "recreated" and "moved aside" in store.status_detail
        assert any("moved aside" in r.getMessage() for r in caplog.records)
        aside = [p for p in tmp_path.iterdir()
                 if p.name.startswith("feedback.sqlite3.bad-") and not p.name.endswith(("-wal", "-shm"))]
        assert len(aside) == 1, "the bad file is kept for inspection, not deleted"
        answer_id = store.record_question(QUESTION, "answered")
        assert store.rate(answer_id, "up") and store.integrity_problem() is None
    finally:
        store.close()


def test_when_no_database_can_be_made_feedback_is_kept_in_memory(tmp_path, caplog):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="api.feedback"):
        store = open_feedback_store(blocker / "feedback.sqlite3")
    assert store.status == "memory" and "in memory only" in store.status_detail
    assert any("in memory only" in r.getMessage() for r in caplog.records)
    assert store.rate(store.record_question(QUESTION, "answered"), "down")
    store.close()


def test_the_server_starts_and_answers_over_a_corrupt_database(small_store, embedder, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(small_store, data_dir)
    corrupt(data_dir / "feedback.sqlite3")
    settings = make_settings(data_dir, min_free_bytes=0, rate_limit_per_minute=10_000)
    museum = MuseumRAG(settings, embedder=embedder)
    with TestClient(create_app(settings, museum=museum, close_museum=True)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["feedback"] == "recreated"
        assert "MUSEUM_RAG_DATA_DIR" in ready.json()["feedback_detail"] and str(tmp_path) not in ready.text
        answer = client.post("/v1/ask", json={"question": QUESTION})
        assert answer.status_code == 200 and answer.json()["status"] == "answered"
        assert client.post("/v1/feedback", json={"answer_id": answer.json()["answer_id"], "rating": "up"}).status_code == 201


def test_answering_never_fails_because_the_question_log_fails(small_store, embedder, tmp_path, caplog):
    data_dir = tmp_path / "data"
    shutil.copytree(small_store, data_dir)
    settings = make_settings(data_dir, min_free_bytes=0, rate_limit_per_minute=10_000)
    museum = MuseumRAG(settings, embedder=embedder)
    with TestClient(create_app(settings, museum=museum, close_museum=True)) as client:
        feedback = client.app.state.museum_rag.feedback
        feedback._db.execute("PRAGMA query_only = ON")  # every write now fails inside SQLite
        with caplog.at_level(logging.ERROR, logger="api.question_log"):
            answer = client.post("/v1/ask", json={"question": QUESTION})
        assert answer.status_code == 200 and answer.json()["status"] == "answered"
        assert any(str(data_dir) in r.getMessage() for r in caplog.records), "the log names the data directory"
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["feedback"] == "failing"
        rated = client.post("/v1/feedback", json={"answer_id": answer.json()["answer_id"], "rating": "up"})
        assert rated.status_code in (404, 503) and rated.headers["content-type"].startswith("application/problem+json")
        with client.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as stream:
            assert "event: done" in stream.read().decode()
        feedback._db.execute("PRAGMA query_only = OFF")
        assert client.post("/v1/ask", json={"question": QUESTION}).status_code == 200
        assert client.get("/readyz").json()["feedback"] == "ok", "writes work again: the status recovers"


def test_retention_prunes_by_age_and_by_count_with_the_ratings(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    now = time.time()
    ids = []
    for age_days in (400, 300, 10, 5, 1):
        answer_id = store.record_question(f"asked {age_days} days ago", "abstained")
        store._db.execute("UPDATE questions SET asked_at = ? WHERE answer_id = ?", (now - age_days * 86400, answer_id))
        store.rate(answer_id, "down")
        ids.append(answer_id)
    assert store.prune(max_days=365, now=now) == 1
    assert store.rating_of(ids[0]) is None and store.rating_of(ids[1]) == ("down", None)
    assert store.prune(max_rows=2, now=now) == 2
    remaining = {row[0] for row in store._db.execute("SELECT question FROM questions")}
    assert remaining == {"asked 5 days ago", "asked 1 days ago"}
    assert store._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 2
    assert store.prune() == 0
    store.close()


def test_the_server_applies_retention_at_start_up(small_store, embedder, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(small_store, data_dir)
    a_good_database(data_dir / "feedback.sqlite3")
    settings = make_settings(data_dir, min_free_bytes=0, question_log_max_rows=5, question_log_max_days=None)
    museum = MuseumRAG(settings, embedder=embedder)
    with TestClient(create_app(settings, museum=museum, close_museum=True)):
        pass
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 5
