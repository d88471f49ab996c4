"""Prometheus metrics of one app instance (its own registry, so several apps can live in one process).

Example::

    metrics = Metrics()
    metrics.answers.labels(status="answered").inc()
    body, content_type = metrics.render()
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "museum_rag_http_requests_total",
            "HTTP requests by route template, method and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "museum_rag_http_request_duration_seconds",
            "HTTP request duration by route template (until the response has been sent).",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "museum_rag_http_requests_in_flight", "HTTP requests being served.", registry=self.registry
        )
        self.answers = Counter(
            "museum_rag_answers_total", "Answers by status (answered, abstained, corrected).", ["status"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "museum_rag_answer_seconds", "Time to answer one question.", buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "museum_rag_rate_limited_total", "Requests refused by the per-client rate limit.", registry=self.registry
        )
        self.feedback = Counter(
            "museum_rag_feedback_total", "Visitor ratings.", ["rating"], registry=self.registry
        )
        self.ingested_records = Counter(
            "museum_rag_ingested_records_total", "Records added or replaced through POST /v1/ingest.",
            registry=self.registry,
        )

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
