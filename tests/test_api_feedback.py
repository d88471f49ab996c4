"""The SQLite store of asked questions and ratings behind /v1/feedback and /v1/reports/unanswered."""

from __future__ import annotations

import sqlite3
import threading

from api.feedback import FeedbackStore, normalize_question


def test_normalisation_groups_the_same_question():
    assert normalize_question("  Who painted   Man Ray's portrait?! ") == "who painted man rays portrait"
    assert normalize_question("WHO PAINTED MAN RAY’S PORTRAIT") == normalize_question("who painted man ray's portrait?")
    assert normalize_question("Ｆｕｌｌ－width？") == "full width"


def test_unanswered_report_counts_abstentions_most_frequent_first(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for question in ("What was Lincoln's favourite food?", "what was lincolns favourite food", "Lincoln's favourite food??"):
        store.record_question(question, "abstained")
    store.record_question("What was Lincoln's favourite food?", "abstained")
    store.record_question("How tall was Grant?", "abstained")
    store.record_question("Who made the print of Man Ray?", "answered")
    store.record_question("Did Warhol paint Man Ray?", "corrected")
    report = store.unanswered(limit=10)
    assert [(r.normalized, r.count) for r in report] == [
        ("what was lincolns favourite food", 3),
        ("how tall was grant", 1),
        ("lincolns favourite food", 1),
    ]
    assert report[0].question == "What was Lincoln's favourite food?"  # the latest wording
    assert store.unanswered(limit=1)[0].count == 3
    assert store.unanswered(since=report[0].last_asked + 1) == []
    assert store.counts() == {"questions_abstained": 5, "questions_answered": 1, "questions_corrected": 1}


def test_ratings_need_a_known_answer_and_can_be_changed(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    answer_id = store.record_question("Who made the print of Man Ray?", "answered", "extractive", 0.42)
    assert len(answer_id) == 32
    assert not store.rate("f" * 32, "up")
    assert store.rate(answer_id, "down", "wrong date")
    assert store.rate(answer_id, "up")
    assert store.rating_of(answer_id) == ("up", None)
    store.close()
    reopened = FeedbackStore(tmp_path / "feedback.sqlite3")  # persisted under the data dir
    assert reopened.rating_of(answer_id) == ("up", None)
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(questions)")]
    assert "ip" not in " ".join(columns), "no personal data is stored"


def test_concurrent_writers(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")

    def ask_many(n: int) -> None:
        for i in range(50):
            store.record_question(f"question {n}-{i % 5}", "abstained")

    threads = [threading.Thread(target=ask_many, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.count for r in store.unanswered(limit=100)) == 200
