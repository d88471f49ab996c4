"""The feature vector of one claim against its sources: overlap, missing and changed facts, contradictions, claim form.

The embedding features are added by the verifier (it needs the embedder); the combination weights
live in ``rag/data/verifier_weights.json``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from rag.text import split_sentences
from rag.verification.alignment import Alignment, bigram_recall, pair_recall, question_window, recall
from rag.verification.attachment import displaced_facts, fact_context
from rag.verification.copying import copy_edit, reversed_names
from rag.verification.dates_numbers import numbers_match, years
from rag.verification.facts import SourceFacts, TextFacts, knows, knows_name, union_facts
from rag.verification.names_roles import role_conflicts
from rag.verification.negation_voice import voice_swaps
from rag.verification.tokens import stem, tokenize
from rag.verification.vocabulary import ANTONYMS, AUXILIARIES

#: The features that :func:`claim_form_interactions` multiplies by the ``answer_phrase`` indicator.
PHRASE_GATED = ("recall_window", "bigram_window", "answer_recall", "names_missing", "numbers_missing")


def is_answer_phrase(claim: TextFacts) -> bool:
    """A short answer phrase ("American", "the Louvre in Paris"): at most 4 content words and no verb-like word.

    Such claims are judged differently from full sentences: a copied phrase is either in the
    source or not, while a sentence may paraphrase its source.

    >>> is_answer_phrase(analyse_claim("American")), is_answer_phrase(analyse_claim("He was painted in 1851."))
    (True, False)
    """
    if len(claim.content) > 4:
        return False
    return not any(
        t.norm in AUXILIARIES or (t.norm.endswith("ed") and len(t.norm) > 4 and not t.capitalised)
        for t in tokenize(claim.text)
    )


@lru_cache(maxsize=4096)
def _token_line(text: str) -> str:
    """The text's normalised tokens joined by single spaces, padded (for whole-token substring tests)."""
    return " " + " ".join(t.norm for t in tokenize(text)) + " "


def stands_in(claim: str, texts: Sequence[str]) -> bool:
    """Whether the whole claim (its tokens, in order) stands word for word in one of the texts."""
    line = _token_line(claim)
    return line.strip() != "" and any(line in _token_line(text) for text in texts)


def copied_verbatim(claim: TextFacts, sources: Sequence[SourceFacts]) -> bool:
    """Whether the whole claim (its tokens, in order) stands word for word in one source, or each of its sentences
    does ("<title>. Artist: <name>. Date: <year>.", the catalogue fields a sentence of an answer joins)."""
    texts = [source.text for source in sources]
    if stands_in(claim.text, texts):
        return True
    parts = split_sentences(claim.text)
    return len(parts) > 1 and all(stands_in(part.text, texts) for part in parts)


def claim_form_interactions(values: dict[str, float]) -> dict[str, float]:
    """``phrase_<feature>`` = ``answer_phrase`` x feature: lets one linear model keep a separate operating point
    for short answer phrases (copied verbatim, judged by presence) and for full sentences (paraphrased)."""
    gate = values["answer_phrase"]
    return {f"phrase_{name}": gate * values[name] for name in PHRASE_GATED}


def lexical_features(
    claim: TextFacts,
    sources: Sequence[SourceFacts],
    alignment: Alignment,
    question: TextFacts | None = None,
) -> dict[str, float]:
    """The non-embedding features of one claim against its sources (see ``LEXICAL_FEATURES``)."""
    allf = union_facts(sources)
    window = alignment.window or allf
    asked = question.stem_set if question is not None else frozenset()

    conflicts = role_conflicts(claim, allf)
    # A name cast in a role the source gives it not (the sitter named as the painter) is a missing fact.
    missing_names = [n for n in claim.names if not knows_name(n, claim, allf) and n not in conflicts] + conflicts
    missing_numbers = [v for v in claim.numbers if not numbers_match(v, allf, v in claim.decades)]
    window_missing_numbers = [v for v in claim.numbers if not numbers_match(v, window, v in claim.decades)]
    missing_years = [v for v in years(claim.numbers) if not numbers_match(v, allf, v in claim.decades)]
    missing_materials = [m for m in claim.materials if not knows(stem(m), allf)]
    fact_words = set(claim.names) | {stem(m) for m in claim.materials}
    other_names = window.names - claim.names
    other_numbers = {v for v in window.numbers if v not in claim.numbers}

    antonym = 0
    for word in claim.norms:
        opposite = ANTONYMS.get(word)
        if opposite and word not in window.norms and any(o in window.norms for o in opposite):
            antonym += 1

    # Two scales: a fact's near neighbours ("in 1992") and its clause ("fled Nazi Germany ... in 1939").
    tight, wide = displaced_facts(claim, allf), displaced_facts(claim, allf, claim_radius=3, radius=6)
    displaced_values = sorted(set(tight[0]) | set(wide[0]))
    displaced_names = sorted(set(tight[1]) | set(wide[1]))
    swaps = voice_swaps(claim, window) if window is not allf else voice_swaps(claim, allf)
    denied = claim.negations > 0 and window.negations + window.contrasts == 0
    # The source denies a word the claim asserts ("had not arrived" -> "arrived"), with no negation in the claim.
    dropped = claim.negations == 0 and claim.contrasts == 0 and bool(window.negated & set(claim.content))

    content = claim.content
    novel = [w for w in content if w not in asked]  # the claim's own words, not the question's
    novel_unknown = [w for w in novel if not knows(w, allf)]
    common = [w for w in novel if w not in fact_words and not w[:1].isdigit()]
    common_unknown = [w for w in common if not knows(w, allf)]
    fact_missing = float(bool(missing_names or missing_numbers or missing_materials))
    context = fact_context(claim, allf)
    asked_window = question_window(question, sources) if question is not None else None
    in_asked = [w for w in novel if knows(w, asked_window)] if asked_window is not None and novel else None
    verified = (
        len(claim.names) - len(missing_names) + len(claim.numbers) - len(missing_numbers)
        + len(claim.materials) - len(missing_materials)
    )
    phrase = float(is_answer_phrase(claim))
    copy_share, changed_words = copy_edit(claim, window)
    verbatim = copied_verbatim(claim, sources)
    values = {
        "recall_window": alignment.recall,
        "recall_all": recall(claim, allf),
        "bigram_window": bigram_recall(claim, window),
        "answer_recall": (1.0 - len(novel_unknown) / len(novel)) if novel else 1.0,
        "question_window_recall": (
            len(in_asked) / len(novel) if in_asked is not None else (1.0 - len(novel_unknown) / len(novel)) if novel else 1.0
        ),
        "common_unknown": (len(common_unknown) / len(common)) if common else 0.0,
        "unknown_count": min(len(novel_unknown), 6) / 6,
        "names_missing": min(len(missing_names), 2) / 2,
        "name_swap": float(bool(missing_names) and bool(other_names)),
        "numbers_missing": min(len(missing_numbers), 2) / 2,
        "number_swap": float(bool(window_missing_numbers) and bool(other_numbers)),
        "years_missing": min(len(missing_years), 2) / 2,
        "materials_missing": min(len(missing_materials), 2) / 2,
        "fact_missing": fact_missing,
        "fact_missing_aligned": fact_missing * alignment.recall,
        "has_facts": float(bool(claim.names or claim.numbers or claim.materials)),
        "facts_verified": min(verified, 4) / 4,
        "context_min": min(context) if context else 1.0,
        "context_mean": sum(context) / len(context) if context else 1.0,
        "antonym": min(antonym, 2) / 2,
        "negation_mismatch": float(denied),
        "negation_dropped": float(dropped),
        "fact_displaced": min(len(displaced_values), 2) / 2,
        "name_displaced": min(len(displaced_names), 2) / 2,
        "voice_swap": float(swaps > 0),
        "role_conflict": float(bool(conflicts)),
        "contradiction": float(
            bool(antonym or denied or dropped or displaced_values or displaced_names or swaps or conflicts)
        ),
        "recall_pair": pair_recall(claim, sources, alignment),
        "personal": float(claim.personal > 0 and allf.personal == 0),
        # a question the record itself asks (copied word for word) is quoted, not asked of the reader
        "is_question": float(claim.text.rstrip().endswith("?") and not verbatim),
        "claim_length": min(len(content), 30) / 30,
        "short_answer": float(len(content) <= 4),
        "answer_phrase": phrase,
        "in_question": (sum(1 for w in content if w in asked) / len(content)) if content and asked else 0.0,
        "verbatim_copy": float(verbatim),
        "copy_share": copy_share,
        "copy_changed": copy_share if changed_words and not verbatim else 0.0,
        # Names in the opposite order mean swapped roles only in a near copy ("Vienna-born Keller" is a paraphrase).
        "names_reversed": reversed_names(claim, window) if copy_share >= NEAR_COPY else 0.0,
    }
    values.update(claim_form_interactions(values))
    values["document"] = float(not phrase and sum(source.sentences for source in sources) >= DOCUMENT_SENTENCES)
    values.update(document_interactions(values, DOCUMENT_GATED_LEXICAL))
    return values


#: A claim that copies at least this share of its tokens, in order, from its aligned window is a near copy.
NEAR_COPY = 0.6

#: A claim checked against this many source sentences or more (and not a bare answer phrase) is in the
#: document regime: a restatement of a passage of a record, where rewording is expected and a changed fact
#: is what matters. Fewer sentences is the snippet regime: a reply grounded in a line or two of knowledge,
#: where words the snippet lacks are the warning sign.
DOCUMENT_SENTENCES = 3


def document_interactions(values: dict[str, float], names: Sequence[str]) -> dict[str, float]:
    """``doc_<feature>`` = ``document`` x feature: the document regime's own weights on top of the shared ones.

    One logistic model with these products is a two-regime model whose regime weights are shrunk
    towards the shared ones (the L2 penalty), so neither regime's few rows decide alone.
    """
    gate = values["document"]
    return {f"doc_{name}": gate * values[name] for name in names}


#: Feature order of the weight vector (the embedding features come from the verifier).
LEXICAL_FEATURES = (
    "recall_window", "recall_all", "bigram_window", "answer_recall", "question_window_recall", "common_unknown", "unknown_count",
    "names_missing", "name_swap", "numbers_missing", "number_swap", "years_missing", "materials_missing",
    "fact_missing", "fact_missing_aligned", "has_facts", "facts_verified", "context_min", "context_mean", "antonym",
    "negation_mismatch", "negation_dropped", "fact_displaced", "name_displaced", "voice_swap", "role_conflict",
    "contradiction", "recall_pair", "personal", "is_question", "claim_length", "short_answer",
    "answer_phrase", "in_question", "verbatim_copy", "copy_share", "copy_changed", "names_reversed",
    *(f"phrase_{name}" for name in PHRASE_GATED),
)
#: The lexical features that :func:`document_interactions` multiplies by the ``document`` indicator
#: (the answer-phrase ones are always 0 in the document regime).
DOCUMENT_GATED_LEXICAL = tuple(
    name for name in LEXICAL_FEATURES if not name.startswith("phrase_") and name not in ("answer_phrase",)
)
#: ``embedding_window`` is the claim's best cosine similarity with its aligned source windows, 1 when the
#: claim stands word for word in one of them (:func:`stands_in`: it is then compared with its own span).
#: ``phrase_embedding_window`` is ``answer_phrase`` x ``embedding_window`` (see :func:`claim_form_interactions`),
#: ``doc_embedding_window`` is ``document`` x ``embedding_window``.
EMBEDDING_FEATURES = ("embedding_window", "phrase_embedding_window", "doc_embedding_window")
DOCUMENT_FEATURES = ("document", *(f"doc_{name}" for name in DOCUMENT_GATED_LEXICAL))
FEATURES = LEXICAL_FEATURES + EMBEDDING_FEATURES + DOCUMENT_FEATURES
