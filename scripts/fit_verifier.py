"""Fit the offline faithfulness verifier's weights and report cross-validated figures.

Computes the features of every labeled (source, claim) pair, fits a logistic regression
(standardised features, L2, balanced classes), and reports 5-fold cross-validated balanced
accuracy and ROC AUC per origin and overall, next to the two baselines (token overlap and
embedding similarity, whose thresholds are tuned on each training fold). Folds are grouped
by ``pair_id`` (a row without one is its own group), so the right and wrong variants of one
pair never straddle folds. Then it fits on all rows and writes ``rag/data/verifier_weights.json``.

The training rows of each fold are joined by corrupted copies of their supported claims (a
negation added or removed, a year or a name exchanged for another of the same source, the verb's
voice turned round), labelled unsupported at a small weight: the labeled sets hold too few such
claims for the weights of those checks to be learned. Test rows are never corrupted.

Reproducible: fixed seed, deterministic features and solver.

Usage::

    HF_HUB_OFFLINE=1 python scripts/fit_verifier.py                      # fit, report, write weights
    HF_HUB_OFFLINE=1 python scripts/fit_verifier.py --no-write --c 0.3   # try a setting
    HF_HUB_OFFLINE=1 python scripts/fit_verifier.py --no-write --errors /tmp/errors.jsonl  # what it gets wrong
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.verifier_eval import load_labeled_pairs, row_sources  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.embedding import load_embedder  # noqa: E402
from rag.verifier_features import EMBEDDING_FEATURES, FEATURES  # noqa: E402
from rag.verify import (  # noqa: E402
    WEIGHTS_FILE,
    ClaimFeaturizer,
    EmbeddingSimilarityVerifier,
    TokenOverlapVerifier,
    VerifierWeights,
)

DEFAULT_DATA = REPO / "tests" / "data" / "faithfulness_dev.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labeled pairs (JSONL)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="where to write the weights")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--c", type=float, default=0.1, help="inverse L2 strength of the logistic regression")
    parser.add_argument(
        "--origin-balance",
        type=float,
        default=0.5,
        help="row weight = (1 / rows of its origin) ** this; 0 weighs rows equally, 1 weighs origins equally",
    )
    parser.add_argument(
        "--negations",
        type=float,
        default=0.3,
        help="train also on negated copies of supported claims (labelled unsupported), with this row weight; 0 = off",
    )
    parser.add_argument(
        "--swaps",
        type=float,
        default=0.3,
        help="train also on supported claims with one fact swapped for another fact of their source "
        "(a year, a name) or their verb's voice flipped (labelled unsupported), with this row weight; 0 = off",
    )
    parser.add_argument("--embed-backend", choices=["torch", "onnx"], default="torch")
    parser.add_argument(
        "--without-embedding", action="store_true", help="leave out the embedding feature (no embedding call at run time)"
    )
    parser.add_argument("--no-write", action="store_true", help="report only, keep the weights file")
    parser.add_argument(
        "--errors", type=Path, default=None, help="write the rows the cross-validated model gets wrong here (JSONL)"
    )
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.preprocessing import StandardScaler

    rows, issues = load_labeled_pairs(args.data)
    for issue in issues:
        print(f"skipped line {issue['line']}: {issue['error']}", file=sys.stderr)
    y = np.array([row["label"] == "supported" for row in rows], dtype=int)
    origins = np.array([str(row.get("origin") or "unknown") for row in rows])
    groups = np.array([str(row.get("pair_id") or row["id"]) for row in rows])
    pairs = [(row["claim"], row_sources(row)) for row in rows]
    questions = [row.get("question") for row in rows]

    settings = Settings(_env_file=None, embed_backend=args.embed_backend)
    embedder = load_embedder(settings)
    started = time.perf_counter()
    used = [i for i, name in enumerate(FEATURES) if not (args.without_embedding and name in EMBEDDING_FEATURES)]
    X = ClaimFeaturizer(embedder).features(pairs, questions)[0][:, used]
    print(f"features: {len(rows)} rows x {X.shape[1]} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    baselines = {
        "token_overlap": np.array([v.score for v in TokenOverlapVerifier().score_many(pairs, questions)]),
        "embedding_similarity": np.array(
            [v.score for v in EmbeddingSimilarityVerifier(embedder).score_many(pairs, questions)]
        ),
    }

    counts = {origin: int((origins == origin).sum()) for origin in set(origins)}
    weights = np.array([(1.0 / counts[o]) ** args.origin_balance for o in origins])
    weights /= weights.mean()

    # The labeled sets hold few negated claims, few facts swapped within their record and few role swaps, so
    # the weights of those checks could not be learned: corrupted copies of the supported claims of the
    # training rows (a negation added, a year or a name exchanged for another of the same source, the verb's
    # voice flipped) are unsupported ones. Only training rows are corrupted, so cross-validation stays honest.
    extra_of: dict[int, list[int]] = defaultdict(list)
    extra_pairs, extra_questions, extra_weights = [], [], []
    kinds: dict[str, int] = defaultdict(int)
    for index, row in enumerate(rows):
        if y[index] != 1:
            continue
        for kind, corrupted in corruptions(row["claim"], pairs[index][1]):
            weight = args.negations if kind == "negation" else args.swaps
            if weight <= 0:
                continue
            extra_of[index].append(len(extra_pairs))
            extra_pairs.append((corrupted, pairs[index][1]))
            extra_questions.append(questions[index])
            extra_weights.append(weight * weights[index])
            kinds[kind] += 1
    X_extra = (
        ClaimFeaturizer(embedder).features(extra_pairs, extra_questions)[0][:, used]
        if extra_pairs
        else np.zeros((0, X.shape[1]))
    )
    extra_weights = np.array(extra_weights)
    print(f"corrupted copies of supported claims: {dict(kinds)}", file=sys.stderr)

    def fit(train: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
        extra = [j for i in train for j in extra_of.get(i, ())]
        features = np.vstack([X[train], X_extra[extra]])
        labels = np.concatenate([y[train], np.zeros(len(extra), dtype=int)])
        row_weights = np.concatenate([weights[train], extra_weights[extra]])
        scaler = StandardScaler().fit(features)
        model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=5000)
        model.fit(scaler.transform(features), labels, sample_weight=row_weights)
        return scaler, model

    # Cross-validated predictions: the model, and each baseline with its threshold tuned on the training folds.
    folds = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    cv_scores = {"fact_check": np.zeros(len(y))}
    cv_labels = {name: np.zeros(len(y), dtype=int) for name in ["fact_check", *baselines]}
    for train, test in folds.split(X, y, groups):
        scaler, model = fit(train)
        cv_scores["fact_check"][test] = model.predict_proba(scaler.transform(X[test]))[:, 1]
        cv_labels["fact_check"][test] = cv_scores["fact_check"][test] >= 0.5
        for name, scores in baselines.items():
            threshold = best_threshold(scores[train], y[train], balanced_accuracy_score)
            cv_labels[name][test] = scores[test] >= threshold
    all_scores = {"fact_check": cv_scores["fact_check"], **baselines}

    report: dict[str, dict] = defaultdict(dict)
    for name in cv_labels:
        for origin in ["overall", *sorted(counts)]:
            mask = np.ones(len(y), bool) if origin == "overall" else origins == origin
            report[name][origin] = {
                "balanced_accuracy": round(float(balanced_accuracy_score(y[mask], cv_labels[name][mask])), 4),
                "roc_auc": round(float(roc_auc_score(y[mask], all_scores[name][mask])), 4),
                "n": int(mask.sum()),
            }
    print_table(report, ["overall", *sorted(counts)], args)
    if args.errors is not None:
        write_errors(args.errors, rows, y, cv_scores["fact_check"], X, [FEATURES[i] for i in used])

    scaler, model = fit(np.arange(len(y)))
    fitted = VerifierWeights(
        features=tuple(FEATURES[i] for i in used),
        mean=scaler.mean_,
        scale=scaler.scale_,
        coef=model.coef_[0],
        intercept=float(model.intercept_[0]),
        threshold=0.5,
        meta={},
    )
    in_sample = fitted.probability(X) >= 0.5
    in_sample_ba = round(float(balanced_accuracy_score(y, in_sample)), 4)
    print(f"in-sample balanced accuracy (all rows, threshold 0.5): {in_sample_ba}")
    fitted = VerifierWeights(
        **{k: getattr(fitted, k) for k in ("features", "mean", "scale", "coef", "intercept", "threshold")},
        meta={
            "model": "logistic regression over standardised features (scripts/fit_verifier.py)",
            "data": str(args.data.resolve().relative_to(REPO)) if args.data.resolve().is_relative_to(REPO) else str(args.data),
            "data_sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
            "rows": len(rows),
            "embedder": settings.embed_model,
            "embed_backend": args.embed_backend,
            "c": args.c,
            "origin_balance": args.origin_balance,
            "corrupted_copies": dict(kinds),
            "negation_weight": args.negations,
            "swap_weight": args.swaps,
            "seed": args.seed,
            "folds": args.folds,
            "in_sample_balanced_accuracy": in_sample_ba,
            "cross_validated": report["fact_check"],
            "baselines_cross_validated": {name: report[name] for name in baselines},
        },
    )
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fitted.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


from rag.verifier_features import _TOKEN as _TOKEN_RE  # noqa: E402

_AUXILIARY = re.compile(r"\b(is|was|were|are|has|had|have|did|does|do|can|could|will|would|should)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|never|no|n't|without|cannot)\b|n't\b", re.IGNORECASE)


def negate(claim: str) -> str | None:
    """The claim with "not" after its first auxiliary verb; None when it has none or is already negative."""
    if _NEGATION.search(claim):
        return None
    match = _AUXILIARY.search(claim)
    if not match:
        return None
    return claim[: match.end()] + " not" + claim[match.end() :]


def write_errors(path: Path, rows: list[dict], y: np.ndarray, scores: np.ndarray, X: np.ndarray, names: list[str]) -> None:
    """Write the misclassified rows (cross-validated score, features) for error analysis."""
    with path.open("w", encoding="utf-8") as handle:
        for index, row in enumerate(rows):
            if (scores[index] >= 0.5) != bool(y[index]):
                record = {k: row.get(k) for k in ("id", "origin", "origin_label", "label", "question", "claim", "source")}
                record["cv_score"] = round(float(scores[index]), 4)
                record["features"] = {n: round(float(v), 3) for n, v in zip(names, X[index]) if v}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote the misclassified rows to {path}", file=sys.stderr)


_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_PASSIVE = re.compile(r"\b(?:was|were)\s+([a-z]+(?:ed|en))\s+by\s+", re.IGNORECASE)
_ACTIVE = re.compile(
    r"\b([A-Z][a-z]+|he|she|they)\s+([a-z]{3,}ed)\s+(?=(?:the|his|her|their|a|an)\s+[a-z]+|[A-Z])"
)


def corruptions(claim: str, sources: list[str]) -> list[tuple[str, str]]:
    """Unsupported variants of a supported claim, each with its kind: (kind, text).

    - negation: "was" -> "was not", and "never married" -> "married";
    - year: a year of the claim exchanged for another year its sources state (the nearest one);
    - name: the claim's last name exchanged for a name its sources state about something else;
    - voice: "was mentored by Ellington" -> "mentored Ellington", "Brady photographed Lincoln" ->
      "Brady was photographed by Lincoln" (who did what to whom is turned round).
    """
    out: list[tuple[str, str]] = []
    negated = negate(claim)
    if negated:
        out.append(("negation", negated))
    asserted = denegate(claim)
    if asserted:
        out.append(("negation", asserted))
    text = " ".join(sources)
    claim_years = _YEAR.findall(claim)
    source_years = sorted({y for y in _YEAR.findall(text) if y not in claim_years})
    if claim_years and source_years:
        year = claim_years[0]
        other = min(source_years, key=lambda y: (abs(int(y) - int(year)), y))
        out.append(("year", _YEAR.sub(other, claim, count=1) if claim.count(year) == 1 else claim.replace(year, other)))
    name = _swap_name(claim, text)
    if name:
        out.append(("name", name))
    flipped = _PASSIVE.sub(lambda m: m.group(1) + " ", claim, count=1)
    if flipped == claim:
        flipped = _ACTIVE.sub(lambda m: f"{m.group(1)} was {m.group(2)} by ", claim, count=1)
    if flipped != claim:
        out.append(("voice", flipped))
    return out


def _name_runs(text: str) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, stems) of each run of name tokens in ``text``."""
    from rag.verifier_features import _is_name, tokenize

    tokens = tokenize(text)
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    if len(spans) != len(tokens):
        return []
    runs, index = [], 0
    while index < len(tokens):
        if _is_name(tokens, index):
            start = index
            while index < len(tokens) and _is_name(tokens, index):
                index += 1
            runs.append((spans[start][0], spans[index - 1][1], frozenset(t.stem for t in tokens[start:index])))
        else:
            index += 1
    return runs


def _swap_name(claim: str, text: str) -> str | None:
    """The claim with its last name run replaced by a source name run that shares no word with the claim's names."""
    claim_runs = _name_runs(claim)
    if not claim_runs:
        return None
    claim_stems = frozenset().union(*(stems for _, _, stems in claim_runs))
    start, end, stems = claim_runs[-1]
    candidates = [
        text[a:b] for a, b, other in _name_runs(text) if not (other & claim_stems) and len(other) == len(stems)
    ]
    if not candidates:
        return None
    # A fixed choice (no randomness): the candidate whose text hashes lowest with the claim's.
    choice = min(candidates, key=lambda c: hashlib.sha256((claim + c).encode()).hexdigest())
    return claim[:start] + choice + claim[end:]


_DENIAL = re.compile(r"\s+(?:not|never)\b|n't\b", re.IGNORECASE)


def denegate(claim: str) -> str | None:
    """The claim with its one "not" / "never" / "n't" taken out; None unless it has exactly one."""
    found = _DENIAL.findall(claim)
    if len(found) != 1 or re.match(r"\s*no\b", claim, re.IGNORECASE):
        return None
    return _DENIAL.sub("", claim, count=1)


def best_threshold(scores: np.ndarray, y: np.ndarray, metric) -> float:
    """The score threshold with the best balanced accuracy on the given rows (midpoints between scores)."""
    values = np.unique(scores)
    candidates = np.concatenate([[values[0] - 1e-9], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-9]])
    return float(max(candidates, key=lambda t: metric(y, scores >= t)))


def print_table(report: dict, columns: list[str], args: argparse.Namespace) -> None:
    short = {c: c.split(" (")[0][:24] for c in columns}
    print(
        f"\n{args.folds}-fold cross-validated balanced accuracy / ROC AUC "
        f"(groups: pair_id; seed {args.seed}; C {args.c}; origin balance {args.origin_balance})"
    )
    print(f"{'verifier':22s}" + "".join(f"{short[c]:>28s}" for c in columns))
    for name, by_origin in report.items():
        cells = "".join(
            f"{by_origin[c]['balanced_accuracy']:>19.3f} / {by_origin[c]['roc_auc']:.3f}" for c in columns
        )
        print(f"{name:22s}{cells}")
    print(f"{'rows':22s}" + "".join(f"{report['fact_check'][c]['n']:>28d}" for c in columns) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
