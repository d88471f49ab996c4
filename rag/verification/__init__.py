"""Text analysis for the offline faithfulness verifier: what changes when a museum fact is wrong.

A claim that misstates a museum record usually keeps most of the record's words and changes
one fact: a person's name, a year or a number, a place, a material, a relation, or it adds a
negation. This package turns a (claim, sources) pair into a small vector of such signals,
measured against the source span the claim aligns with best, plus lexical overlap. The
embedding similarity is added by the verifier (it needs the embedder); the combination
weights live in ``rag/data/verifier_weights.json``.

Beyond presence, the checks read how a fact is attached: a year, number, material or name the
record states but beside something else (``fact_displaced``, ``name_displaced``: two dates swapped
between two titles, a birthplace taken from another sentence), a verb whose doer and undergoer
trade places (``voice_swap``), a person cast as the maker when the record makes them the sitter
(``role_conflict``), a negation the record lacks or a word the record denies (``negation_mismatch``,
``negation_dropped``; "rather than" and "instead of" count as negations). Relative dates ("the next
year", "four years later") are resolved against the last year written before them.

Claim-form features (``answer_phrase``, ``in_question``, ``verbatim_copy`` and the ``phrase_*``
products) let the one logistic model keep two operating points: a short answer phrase copied
from its source is judged by presence, a full sentence may paraphrase its source. Likewise the
``document`` indicator and its ``doc_*`` products give a sentence checked against a passage of
three or more sentences (rewording expected, a changed fact is what matters) its own weights,
apart from a reply grounded in a one- or two-line snippet (words the snippet lacks are the sign).

Everything here is plain Python and fast: a source text is analysed once and cached, so
scoring every sentence of an answer against the same few sources costs little.

Example::

    claim = analyse_claim("Bennett is shown seated with his four children.")
    sources = [analyse_source("This photograph shows Henry Hamilton Bennett seated with his three children.")]
    alignment = align(claim, sources)
    values = lexical_features(claim, sources, alignment)
    values["numbers_missing"], values["number_swap"]  # 0.5, 1.0: "four" is nowhere, "three" stands in its place

Modules, one kind of check each: :mod:`~rag.verification.tokens` (the language layer's tokens with
sentence and name marks), :mod:`~rag.verification.dates_numbers`, :mod:`~rag.verification.negation_voice`,
:mod:`~rag.verification.names_roles`, :mod:`~rag.verification.attachment` (facts attached to the wrong
thing), :mod:`~rag.verification.facts` (a text's facts), :mod:`~rag.verification.alignment` and
:mod:`~rag.verification.lexical` (the feature vector); words come from ``rag/language/data``.
"""

from rag.verification.alignment import Alignment, align
from rag.verification.facts import SourceFacts, TextFacts, analyse_claim, analyse_source, facts, merge
from rag.verification.lexical import (
    DOCUMENT_FEATURES,
    EMBEDDING_FEATURES,
    FEATURES,
    LEXICAL_FEATURES,
    is_answer_phrase,
    lexical_features,
)
from rag.verification.tokens import Token, tokenize

__all__ = [
    "Alignment", "DOCUMENT_FEATURES", "EMBEDDING_FEATURES", "FEATURES", "LEXICAL_FEATURES", "SourceFacts",
    "TextFacts", "Token", "align", "analyse_claim", "analyse_source", "facts", "is_answer_phrase",
    "lexical_features", "merge", "tokenize",
]
