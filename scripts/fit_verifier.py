"""Fit the offline faithfulness verifier's weights and report cross-validated and cross-museum figures.

Training rows:

- the public labelled pairs (``tests/data/faithfulness_dev.jsonl``: HaluEval, BEGIN, NPG claims with one
  fact changed), joined in each training fold by corrupted copies of their supported claims;
- claims derived from the question-answering training labels of both museums
  (``../shared/data/train_parts/*.jsonl`` over ``npg_labels.jsonl`` and ``walters_dev_collection.jsonl``, see
  ``eval/verifier_claims.py``): each evidence quote checked against its record is supported, the same quote
  with one fact changed (a year, a count, a name, a material, a negation, two names or the voice turned
  round, a word turned into its opposite) is unsupported, and a false premise gives a natural pair (what the
  question asserts, unsupported; what the record says, supported).

The museum-derived claims are read from ``../shared`` at fit time and never copied into the repository
(the Walters descriptions are GFDL: development only); the shipped weights are 78 numbers.

Reported, each next to the shipped weights of the previous release when ``--previous`` is given:

- public pairs: 5-fold cross-validated balanced accuracy (folds grouped by ``pair_id``; the museum-derived
  claims join every training fold);
- cross-museum: fit on the public pairs and one museum's derived claims, test on the other museum's
  one-fact-changed claims (its evidence quotes and their changed copies) and on its premise pairs.

Then it fits on everything and writes ``rag/data/verifier_weights.json``. Reproducible: fixed seed,
deterministic corruption rules, features and solver.

Usage::

    HF_HUB_OFFLINE=1 python scripts/fit_verifier.py                      # fit, report, write weights
    HF_HUB_OFFLINE=1 python scripts/fit_verifier.py --no-write --c 0.3   # try a setting
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.verifier_claims import CHANGED_KINDS, answer_claims, corruptions, derive_claims, load_labels, load_records  # noqa: E402
from eval.verifier_eval import load_labeled_pairs, row_sources  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.embedding import Embedder, load_embedder  # noqa: E402
from rag.store.model_record import model_name  # noqa: E402
from rag.verification import EMBEDDING_FEATURES, FEATURES  # noqa: E402
from rag.verify import WEIGHTS_FILE, ClaimFeaturizer, VerifierWeights  # noqa: E402

#: Features that state a contradiction with the source: one weight in both regimes (see ``--exclude``).
CONTRADICTIONS = (
    "negation_dropped", "negation_mismatch", "contradiction", "name_displaced", "fact_displaced", "voice_swap",
    "antonym", "names_reversed",
)
DEFAULT_DATA = REPO / "tests" / "data" / "faithfulness_dev.jsonl"
SHARED = REPO.parent / "shared" / "data"
MUSEUMS = ("npg", "walters")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public labelled pairs (JSONL)")
    parser.add_argument("--labels", type=Path, default=SHARED / "train_parts", help="folder of training labels (*.jsonl)")
    parser.add_argument(
        "--records",
        type=Path,
        nargs="+",
        default=[SHARED / "npg_labels.jsonl", SHARED / "walters_dev_collection.jsonl"],
        help="the collections the training labels quote",
    )
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="where to write the weights")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    parser.add_argument(
        "--origin-balance",
        type=float,
        default=1.0,
        help="row weight = (1 / rows of its origin) ** this; 0 weighs rows equally, 1 weighs origins equally",
    )
    parser.add_argument(
        "--museum-weight",
        type=float,
        default=0.5,
        help="weight multiplier of the museum-derived claims (0.5: the public pairs keep their cross-validated accuracy)",
    )
    parser.add_argument(
        "--swaps", type=float, default=0.3, help="row weight of corrupted copies of the public supported claims; 0 = off"
    )
    parser.add_argument(
        "--answers", type=int, default=1, help="1: the reference answers of factual questions are supported claims too"
    )
    parser.add_argument("--embed-backend", choices=["torch", "onnx"], default="torch")
    parser.add_argument("--without-embedding", action="store_true", help="leave out the embedding features")
    parser.add_argument(
        "--exclude",
        nargs="*",
        default=[
            "role_conflict",
            "doc_role_conflict",
            "question_window_recall",
            "doc_question_window_recall",
            *(f"doc_{name}" for name in CONTRADICTIONS),
        ],
        help="features left out of the model: role_conflict duplicates names_missing (which counts a name cast in the "
        "wrong role) and took the sign opposite to its meaning; question_window_recall learned from the false-premise "
        "questions (which state the unsupported claim) that restating the question is a warning sign; a contradiction "
        "(a dropped negation, a fact of the record attached to something else, names turned round) means the same in "
        "a long record as in a snippet, so it has no document-regime weight of its own (the museum claims are nearly "
        "all in the document regime, where reworded supported claims set off these checks now and then)",
    )
    parser.add_argument("--previous", type=Path, default=None, help="a weights file to report side by side (today's)")
    parser.add_argument("--cache", type=Path, default=None, help="keep the feature matrices here (.npz) between runs")
    parser.add_argument("--no-write", action="store_true", help="report only, keep the weights file")
    parser.add_argument("--report", type=Path, default=None, help="also write the figures here (JSON)")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.preprocessing import StandardScaler

    public, issues = load_labeled_pairs(args.data)
    for issue in issues:
        print(f"skipped line {issue['line']}: {issue['error']}", file=sys.stderr)
    label_files = sorted(args.labels.glob("*.jsonl"))
    labels, records = load_labels(label_files), load_records(args.records)
    museum_rows = derive_claims(labels, records)
    answers = answer_claims(labels, records) if args.answers else []
    kinds = defaultdict(int)
    for row in museum_rows:
        kinds[f"{row['museum']}:{row['kind']}"] += 1
    print(f"museum-derived claims: {dict(sorted(kinds.items()))}", file=sys.stderr)

    # Corrupted copies of the public supported claims (unsupported); used only with their own row in training.
    extra_rows, extra_of, extra_parent = [], defaultdict(list), []
    for index, row in enumerate(public):
        if row["label"] != "supported" or args.swaps <= 0:
            continue
        sources = row_sources(row)
        for kind, text in corruptions(row["claim"], " ".join(sources)):
            extra_of[index].append(len(extra_rows))
            extra_parent.append(index)
            extra_rows.append({"claim": text, "sources": sources, "question": row.get("question"), "kind": kind})

    # loaded once for every feature pass; its name is the one the verifier compares at run time (rag.verify)
    embedder = load_embedder(Settings(_env_file=None, embed_backend=args.embed_backend))
    used = [
        i
        for i, name in enumerate(FEATURES)
        if not (args.without_embedding and name in EMBEDDING_FEATURES) and name not in args.exclude
    ]
    all_rows = (
        [(r["claim"], row_sources(r), r.get("question")) for r in public]
        + [(r["claim"], r["sources"], r["question"]) for r in extra_rows]
        + [(r["claim"], [r["source"]], r["question"]) for r in museum_rows]
    )
    answer_rows = [(r["claim"], [r["source"]], r["question"]) for r in answers]
    answer_cache = args.cache.with_suffix(".answers.npz") if args.cache is not None else None
    X_all = features(all_rows, embedder, args.cache)
    if answer_rows:
        X_all = np.vstack([X_all, features(answer_rows, embedder, answer_cache)])
    X_all = X_all[:, used]
    museum_rows = museum_rows + answers
    all_rows = all_rows + answer_rows
    n_pub, n_extra = len(public), len(extra_rows)
    X_pub, X_extra, X_mus = X_all[:n_pub], X_all[n_pub : n_pub + n_extra], X_all[n_pub + n_extra :]

    y_pub = np.array([r["label"] == "supported" for r in public], dtype=int)
    y_mus = np.array([r["label"] == "supported" for r in museum_rows], dtype=int)
    origins = [str(r.get("origin") or "unknown") for r in public] + [r["origin"] for r in museum_rows]
    counts = defaultdict(int)
    for origin in origins:
        counts[origin] += 1
    w_all = np.array([(1.0 / counts[o]) ** args.origin_balance for o in origins])
    w_all /= w_all[:n_pub].mean()
    w_pub, w_mus = w_all[:n_pub], w_all[n_pub:] * args.museum_weight
    museum_of = np.array([r["museum"] for r in museum_rows])
    kind_of = np.array([r["kind"] for r in museum_rows])

    def fit(pub_idx: np.ndarray, mus_idx: np.ndarray):
        extra = [j for i in pub_idx for j in extra_of.get(int(i), ())]
        X = np.vstack([X_pub[pub_idx], X_extra[extra], X_mus[mus_idx]])
        y = np.concatenate([y_pub[pub_idx], np.zeros(len(extra), dtype=int), y_mus[mus_idx]])
        w = np.concatenate([w_pub[pub_idx], args.swaps * w_pub[[extra_parent[j] for j in extra]], w_mus[mus_idx]])
        scaler = StandardScaler().fit(X)
        model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=5000)
        model.fit(scaler.transform(X), y, sample_weight=w)
        return lambda M: model.predict_proba(scaler.transform(M))[:, 1], (scaler, model)

    report: dict = {"rows": {"public": n_pub, "public_corrupted": n_extra, **{m: int((museum_of == m).sum()) for m in MUSEUMS}}}

    # Public pairs, cross-validated; every museum-derived claim joins each training fold.
    groups = np.array([str(r.get("pair_id") or r["id"]) for r in public])
    cv = np.zeros(n_pub)
    folds = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    all_mus = np.arange(len(museum_rows))
    for train, test in folds.split(X_pub, y_pub, groups):
        predict, _ = fit(train, all_mus)
        cv[test] = predict(X_pub[test])
    report["public_cv"] = per_origin(y_pub, cv, [str(r.get("origin")) for r in public], balanced_accuracy_score)

    # Cross-museum: fit on the public pairs and one museum's claims, test on the other museum's.
    one_fact = np.isin(kind_of, ["quote", "field", *CHANGED_KINDS])
    premise = np.isin(kind_of, ["premise", "record_says"])
    report["cross_museum"] = {}
    for train_museum, test_museum in (("npg", "walters"), ("walters", "npg")):
        predict, _ = fit(np.arange(n_pub), np.flatnonzero(museum_of == train_museum))
        test = museum_of == test_museum
        scores = predict(X_mus)
        report["cross_museum"][f"{train_museum}->{test_museum}"] = {
            "one_fact_changed": ba(y_mus, scores, test & one_fact, balanced_accuracy_score),
            "premise_pairs": ba(y_mus, scores, test & premise, balanced_accuracy_score),
            "by_kind": {
                kind: round(float(np.mean((scores[test & (kind_of == kind)] >= 0.5) == y_mus[test & (kind_of == kind)])), 4)
                for kind in sorted(set(kind_of[test]))
            },
        }

    if args.previous is not None:
        previous = VerifierWeights.load(args.previous)
        index = [FEATURES.index(name) for name in previous.features]
        X_prev = features(all_rows[: len(all_rows) - len(answer_rows)], embedder, args.cache)
        if answer_rows:
            X_prev = np.vstack([X_prev, features(answer_rows, embedder, answer_cache)])
        X_prev = X_prev[:, index]
        p_pub, p_mus = previous.probability(X_prev[:n_pub]), previous.probability(X_prev[n_pub + n_extra :])
        report["previous_on_this_release_features"] = {
            "public": ba(y_pub, p_pub, np.ones(n_pub, bool), balanced_accuracy_score),
            **{
                f"{m}_one_fact_changed": ba(y_mus, p_mus, (museum_of == m) & one_fact, balanced_accuracy_score)
                for m in MUSEUMS
            },
        }

    predict, (scaler, model) = fit(np.arange(n_pub), all_mus)
    report["in_sample"] = {
        "public": ba(y_pub, predict(X_pub), np.ones(n_pub, bool), balanced_accuracy_score),
        **{m: ba(y_mus, predict(X_mus), museum_of == m, balanced_accuracy_score) for m in MUSEUMS},
    }
    print(json.dumps(report, indent=1))
    if args.report is not None:
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")

    fitted = VerifierWeights(
        features=tuple(FEATURES[i] for i in used),
        mean=scaler.mean_,
        scale=scaler.scale_,
        coef=model.coef_[0],
        intercept=float(model.intercept_[0]),
        threshold=0.5,
        meta={
            "model": "logistic regression over standardised features (scripts/fit_verifier.py)",
            "data": relative(args.data),
            "data_sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
            "labels": {relative(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in label_files},
            "labels_note": "museum-derived claims are built at fit time from ../shared (NPG CC0; Walters descriptions "
            "GFDL, development only): none of their text is in the repository",
            "rows": n_pub,
            "rows_by_set": report["rows"],
            "embedder": model_name(embedder),
            "embed_backend": args.embed_backend,
            "c": args.c,
            "origin_balance": args.origin_balance,
            "museum_weight": args.museum_weight,
            "swap_weight": args.swaps,
            "seed": args.seed,
            "folds": args.folds,
            "cross_validated": {"overall": report["public_cv"]["overall"], **report["public_cv"]},
            "cross_museum": report["cross_museum"],
            "in_sample_balanced_accuracy": report["in_sample"]["public"]["balanced_accuracy"],
        },
    )
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fitted.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def features(rows: list[tuple[str, list[str], str | None]], embedder: Embedder, cache: Path | None) -> np.ndarray:
    """The full feature matrix of (claim, sources, question) rows, cached by their content when asked."""
    key = hashlib.sha256(json.dumps([rows, list(FEATURES), model_name(embedder)], sort_keys=True).encode()).hexdigest()
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            return stored["X"]
    started = time.perf_counter()
    featurizer = ClaimFeaturizer(embedder)
    X = featurizer.features([(c, s) for c, s, _ in rows], [q for _, _, q in rows])[0]
    print(f"features: {len(rows)} rows x {X.shape[1]} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    if cache is not None:
        np.savez(cache, X=X, key=key)
    return X


def ba(y: np.ndarray, scores: np.ndarray, mask: np.ndarray, metric) -> dict:
    if not mask.any() or len(set(y[mask])) < 2:
        return {"balanced_accuracy": None, "n": int(mask.sum())}
    return {"balanced_accuracy": round(float(metric(y[mask], scores[mask] >= 0.5)), 4), "n": int(mask.sum())}


def per_origin(y: np.ndarray, scores: np.ndarray, origins: list[str], metric) -> dict:
    origins_arr = np.array(origins)
    out = {"overall": ba(y, scores, np.ones(len(y), bool), metric)}
    for origin in sorted(set(origins)):
        out[origin] = ba(y, scores, origins_arr == origin, metric)
    return out


def relative(path: Path) -> str:
    """A path as the repository sees it: relative to the repo, or ``../shared/...`` for the shared data."""
    resolved = path.resolve()
    if resolved.is_relative_to(REPO):
        return str(resolved.relative_to(REPO))
    parts = resolved.parts
    return "../" + "/".join(parts[parts.index("shared") :]) if "shared" in parts else str(path)


if __name__ == "__main__":
    raise SystemExit(main())
