"""The one list of evaluation metrics: name, label, meaning, direction and how to show a value.

Everything that names a metric derives from here: the per-question and group metrics
(:mod:`eval.metrics`), the reports (:mod:`eval.report`), run comparison (:mod:`eval.compare`)
and release gates (:mod:`eval.gates`). A metric added here is computed, reported, compared
and gateable without touching the other modules' tables.

Summary sections (the keys of summary.json):

* ``overall`` and ``by_kind.<kind>``: the :data:`GROUP` metrics;
* ``abstention``, ``misinformation``, ``latency``: their own :data:`SECTIONS` metrics;
* ``by_language.<lang>``: ``overall``, ``by_kind``, ``abstention`` and ``misinformation`` again for the
  questions of one language.

Example::

    metric("hit_at_5").label          # "Retrieval hit@5"
    direction("abstention.recall")    # True: higher is better
    format_value("latency_p50", 0.2)  # "0.20 s"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["share", "number", "seconds", "count"]


@dataclass(frozen=True)
class Metric:
    """One metric: ``higher_is_better`` is None for counts, which have no direction."""

    name: str
    label: str
    description: str
    higher_is_better: bool | None = True
    unit: Unit = "share"


def _share(name: str, label: str, description: str, higher: bool = True) -> Metric:
    return Metric(name, label, description, higher, "share")


#: Group metrics, in the report's order: computed per question and averaged over a group.
GROUP: tuple[Metric, ...] = (
    _share("behaviour_ok", "Expected behaviour", "status is the one the kind calls for"),
    _share("hit_at_1", "Retrieval hit@1", "a gold object retrieved first"),
    _share("hit_at_5", "Retrieval hit@5", "a gold object in the first 5 retrieved"),
    _share("hit_at_10", "Retrieval hit@10", "a gold object in the first 10 retrieved"),
    Metric("mrr", "Retrieval MRR", "mean reciprocal rank of the first gold object", True, "number"),
    _share("gold_recall_at_10", "Gold recall@10", "share of gold objects in the first 10 retrieved"),
    _share("citation_precision", "Citation precision", "cited objects that are gold"),
    _share("citation_recall", "Citation recall", "gold objects that are cited"),
    _share("citation_integrity", "Citation integrity", "answers whose citations all point at retrieved records"),
    _share("quote_exact", "Quote exact", "citations whose quote is the record's exact text"),
    _share("supported_sentences", "Supported sentences", "answer sentences supported by what they cite"),
    _share("fully_supported_answers", "Fully supported answers", "answers with every sentence supported"),
    _share(
        "reported_supported_sentences",
        "Reported supported sentences",
        "sentences whose self-reported support reaches the threshold",
    ),
    Metric("token_f1", "Token F1", "content-word F1 against the reference answer", True, "number"),
    Metric("token_recall", "Token recall", "reference content words found in the answer", True, "number"),
    Metric("embedding_similarity", "Embedding similarity", "cosine similarity to the reference answer", True, "number"),
    _share("answer_language_ok", "Answer in the question's language", "answers whose own sentences are in the question's language"),
    Metric("latency_p50", "Latency p50", "median seconds per question", False, "seconds"),
    Metric("latency_p95", "Latency p95", "95th percentile seconds per question", False, "seconds"),
)

#: The other sections of summary.json and their metrics, in the report's order.
SECTIONS: dict[str, tuple[Metric, ...]] = {
    "abstention": (
        _share("precision", "Abstention precision", "abstentions that were on unanswerable questions"),
        _share("recall", "Abstention recall", "unanswerable questions abstained on"),
        _share("f1", "Abstention F1", "harmonic mean of abstention precision and recall"),
        _share(
            "wrongful_abstention_rate",
            "Wrongful abstention rate",
            "factual and multi_object questions abstained on",
            higher=False,
        ),
        Metric("abstained", "Abstentions", "questions abstained on", None, "count"),
        Metric("unanswerable", "Unanswerable questions", "questions of kind unanswerable", None, "count"),
        Metric("true_abstentions", "True abstentions", "unanswerable questions abstained on", None, "count"),
        Metric("wrongful_abstentions", "Wrongful abstentions", "answerable questions abstained on", None, "count"),
    ),
    "misinformation": (
        Metric("n", "False-premise questions", "questions of kind false_premise", None, "count"),
        _share("corrected_rate", "False premises corrected", "false_premise questions answered with status corrected"),
        _share(
            "repeated_premise_rate",
            "False premises repeated as fact",
            "false_premise questions answered as if the premise held (status answered)",
            higher=False,
        ),
        _share(
            "abstained_rate",
            "False premises abstained on",
            "false_premise questions abstained on instead of corrected",
            higher=False,
        ),
        _share(
            "false_correction_rate",
            "Valid questions wrongly corrected",
            "other questions answered with status corrected",
            higher=False,
        ),
    ),
    "latency": (
        Metric("p50", "Latency p50", "median seconds per question", False, "seconds"),
        Metric("p95", "Latency p95", "95th percentile seconds per question", False, "seconds"),
        Metric("mean", "Latency mean", "mean seconds per question", False, "seconds"),
        Metric("max", "Latency max", "slowest question, in seconds", False, "seconds"),
    ),
}


_GROUP_BY_NAME = {m.name: m for m in GROUP}
_COUNT = Metric("n", "Questions", "questions evaluated", None, "count")


def group_metric_names() -> tuple[str, ...]:
    return tuple(_GROUP_BY_NAME)


def metric(name: str) -> Metric:
    """The metric a (possibly dotted) summary key names: ``hit_at_5``, ``by_kind.factual.hit_at_5``,
    ``abstention.recall``, ``by_language.fr.abstention.recall``. Unknown names raise ``KeyError``."""
    parts = name.split(".")
    leaf = parts[-1]
    if len(parts) >= 2 and parts[-2] in SECTIONS:
        for m in SECTIONS[parts[-2]]:
            if m.name == leaf:
                return m
        raise KeyError(name)
    if leaf in _GROUP_BY_NAME:
        return _GROUP_BY_NAME[leaf]
    if leaf == "n":
        return _COUNT
    raise KeyError(name)


def direction(name: str) -> bool | None:
    """True when higher is better, False when lower is, None for counts and unknown names."""
    try:
        return metric(name).higher_is_better
    except KeyError:
        return None


def label(name: str) -> str:
    try:
        return metric(name).label
    except KeyError:
        return name.replace("_", " ").capitalize()


def format_value(name: str, value: object) -> str:
    """A value for people: shares as percentages, seconds with a unit, counts as integers, a dash for n/a."""
    if value is None:
        return "–"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    try:
        unit = metric(name).unit
    except KeyError:
        unit = "share"
    if unit == "seconds":
        return f"{value:.2f} s"
    if unit == "number":
        return f"{value:.3f}"
    if unit == "count":
        return str(int(value))
    return f"{100 * value:.1f}%"


#: Plain-language definitions, written into report.md and report.html.
DEFINITIONS: list[tuple[str, str]] = [
    ("Expected behaviour", "the status is the one the question's kind calls for: factual and multi_object questions "
     "answered, unanswerable ones abstained on, false_premise ones corrected."),
    ("Retrieval (hit@k, MRR)", "object level, from the records the pipeline retrieved (best first), for questions "
     "with gold objects: hit@k is 1 when any gold object is among the first k; MRR is 1 / the rank of the first gold "
     "object (0 when none was retrieved). Gold recall@10 is the share of the gold objects in the first 10. Only as "
     "many records as the pipeline retrieves can be seen, so hit@10 equals hit@n when it retrieves n < 10."),
    ("Citation precision and recall", "for answers (not abstentions) to factual, multi_object and false_premise "
     "questions: precision is the share of distinct cited records that are gold, recall the share of gold records "
     "cited."),
    ("Citation integrity", "an answer passes when every citation points at a record that was retrieved for this "
     "question and every [n] marker names a citation. Quote exact: the share of citations whose quoted text is "
     "exactly the record's text at the cited offsets."),
    ("Faithfulness", "for answered and corrected answers: each sentence is checked against the quotes of the "
     "citations it carries, each prefixed with its object's title as a visitor sees it (see the judge above); a "
     "sentence citing nothing is unsupported. Supported sentences is the share of all answer sentences supported; "
     "fully supported answers the share of answers with every sentence supported. Reported supported sentences: the "
     "share of sentences whose support score, as the pipeline reported it, reaches the verifier threshold (a sentence "
     "under it should never have been served)."),
    ("Correctness", "against the reference answer, for every kind but unanswerable: token F1 and token recall over "
     "content words (lower-cased words without stop words and [n] markers); embedding similarity is the cosine "
     "between the embeddings of the answer and the reference, with the pipeline's embedder."),
    ("Abstention", "an abstained answer is a positive and an unanswerable question the truth: precision is the "
     "share of abstentions that were on unanswerable questions, recall the share of unanswerable questions "
     "abstained on. Wrongful abstention rate: the share of factual and multi_object questions abstained on."),
    ("Misinformation", "over false_premise questions: corrected rate is the share answered with status corrected. "
     "Repeated premise rate is the share answered with status answered, i.e. the system answered as if the false "
     "premise held instead of correcting it or abstaining. False correction rate: the share of the other questions "
     "answered with status corrected (a valid question wrongly corrected)."),
    ("Latency", "wall-clock seconds of one MuseumRAG.ask call per question, as the API would spend; p50 and p95 by "
     "linear interpolation."),
    ("Averages", "every rate is a mean over the questions it applies to (the supported-sentence share is over all "
     "sentences); a dash means no question in that group had the metric."),
]
