"""Fit the answering models (evidence kind, ranker, answerability, premise gate) from labelled questions.

Two steps:

``extract``: for every labelled question of one collection, run the ask path's first half exactly as
answering does (embed once, retrieve, read the best records, build the candidates, compute their
features, list the candidate corrections) over that collection's ingested store, and save it all
with the labels (which candidate holds an evidence quote, answerable or not, false premise or not)::

    MUSEUM_RAG_DATA_DIR=data/stores/npg python scripts/fit_answering.py extract \\
        --labels data/train/tr-npg-*.jsonl --collection data/sample/npg_labels.jsonl --out build/answering/all-MiniLM-L6-v2/npg.pkl

``fit``: fit the four models on the extracted collections (fixed seed), calibrate the abstention
threshold (wrongful abstention <= 6%) and the premise gate threshold (true-premise corrections
<= 3%) on cross-museum predictions, print the cross-museum figures (fit on one museum, measure on
the other), and write the packaged model of the embedder the stores were filled by
(``rag/data/answering_model.json`` for all-MiniLM-L6-v2, see ``rag.answer.model.MODEL_FILES``)::

    python scripts/fit_answering.py fit build/answering/all-MiniLM-L6-v2/npg.pkl build/answering/all-MiniLM-L6-v2/walters.pkl

The file records the thresholds the answerer uses: the calibrated ones, or the ones tuned on the
dev question sets and passed as ``--abstain-threshold`` / ``--premise-threshold`` (the weights do
not depend on them: fit, sweep the dev sets with ``bench/answer_quality.py --sweep``, fit again).

Labels: NPG parts are bundled in data/train (CC0); the Walters parts (GFDL) are read from
../shared/data/train_parts (development only). ``make fit-answering`` runs both steps.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.answer.candidates import Candidate, EvidencePool  # noqa: E402
from rag.answer.features import (  # noqa: E402
    CANDIDATE_FEATURES,
    QUESTION_FEATURES,
    anchor,
    candidate_features,
    cue_kind,
    named_question_features,
    question_features,
    with_cue,
)
from rag.answer.abstain import guard  # noqa: E402
from rag.answer.model import MODEL_FILE, MODEL_FILES, AnsweringModel, KindModel, LinearModel  # noqa: E402
from rag.answer.premise import GATE_FEATURES, PremiseChecker, gate_features  # noqa: E402
from rag.answer.question import analyze_visitor_question  # noqa: E402
from rag.catalogue import CatalogueProfile  # noqa: E402
from rag.models import TEXT_FIELDS, Chunk  # noqa: E402
from rag.store.model_record import LEGACY_MODEL, model_name  # noqa: E402

SEED = 13
MAX_WRONGFUL_ABSTENTION = 0.06
MAX_TRUE_PREMISE_CORRECTED = 0.03
ANSWERABLE = ("factual", "multi_object")


# --- extract -------------------------------------------------------------------------------------
def _matches(c: Candidate, evidence: list[dict]) -> bool:
    """Whether the candidate holds one of the labelled evidence quotes."""
    for e in evidence:
        if e.get("record_id") != c.record_id:
            continue
        quote = " ".join((e.get("quote") or "").split())
        if not quote:
            continue
        text = " ".join(c.text.split())
        if e["field"] in TEXT_FIELDS:
            if c.fact is None and c.field == e["field"] and (quote[:80] in text or text in quote):
                return True
        elif c.fact is not None and c.fact.field == e["field"]:
            if quote.lower() in text.lower() or c.fact.value.lower() in quote.lower():
                return True
    return False


def evidence_kinds(item: dict, records: dict[str, dict], profile: CatalogueProfile) -> list[str]:
    """The kinds of the labelled evidence ("maker", "date", "text:description", ...), from the records."""
    field_kind = {f.field: f.kind for f in profile.fields}
    kinds = []
    for e in item.get("evidence") or []:
        field = e.get("field")
        if field in TEXT_FIELDS:
            kinds.append(f"text:{field}")
        elif field == "creators":
            record = records.get(e.get("record_id"), {})
            creator = next((c for c in record.get("creators") or [] if c.get("name") and e["quote"] in c["name"]), {})
            kinds.append(profile.creator_kind(creator.get("name") or "", creator.get("role"))[0])
        elif field in field_kind:
            kinds.append(field_kind[field])
    return kinds


def extract(args: argparse.Namespace) -> None:
    from rag.config import Settings
    from rag.pipeline import MuseumRAG

    settings = Settings()
    profile = CatalogueProfile.load(settings.catalogue_profile)
    items = [json.loads(line) for pattern in args.labels for path in sorted(glob.glob(pattern))
             for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    records = {}
    for line in Path(args.collection).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            records[r["id"]] = r
    checker = PremiseChecker(settings.premise_min_alignment, profile=profile)
    rows = []
    started = time.perf_counter()
    with MuseumRAG(settings) as museum:
        searcher, store, embedder = museum.searcher, museum.store, museum.embedder
        for n, item in enumerate(items):
            question = " ".join(item["question"].split())
            vector = embedder.embed_query(question)
            hits = searcher.search(question, limit=settings.retrieve_limit, vector=vector)
            info = analyze_visitor_question(question, vector=vector)  # as the answerer reads it, in any language
            expand = [h.record_id for h in hits[: settings.answer_expand_objects]]
            full = {rid: [Chunk.model_validate(p) for p in ps] for rid, ps in store.records_chunks(expand).items() if ps}
            pool = EvidencePool.from_hits(hits, full)
            pool.ensure_vectors(embedder)
            raw = candidate_features(info, pool, vector)
            corrections = checker.candidates(info, pool) if pool.candidates else []
            for c in pool.candidates:  # keep the pickle small
                c.vector = None
                c.chunk = c.chunk.model_copy(update={"sentence_vectors": None, "facts": []})
            for corr in corrections:
                corr.evidence.vector = None
            rows.append(
                {
                    "id": item["id"],
                    "kind": item["kind"],
                    "lang": item.get("lang", "en"),
                    "object_ids": item.get("object_ids") or [],
                    "evidence_kinds": evidence_kinds(item, records, profile),
                    "info": info,
                    "pool": pool,
                    "raw": raw,
                    "labels": np.array([_matches(c, item.get("evidence") or []) for c in pool.candidates], dtype=bool),
                    "corrections": corrections,
                    "anchor": anchor(info, pool),
                }
            )
            if (n + 1) % 50 == 0:
                print(f"{n + 1}/{len(items)} questions, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as handle:
        pickle.dump({"collection": str(args.collection), "embed_model": model_name(embedder), "rows": rows}, handle)
    print(f"wrote {args.out}: {len(rows)} questions in {time.perf_counter() - started:.0f}s")


# --- fit -----------------------------------------------------------------------------------------
def fit_kinds(rows: list[dict], alpha: float = 0.5) -> KindModel:
    from sklearn.naive_bayes import MultinomialNB

    data = [(r["info"].tokens, cue_kind(k)) for r in rows for k in dict.fromkeys(r["evidence_kinds"])]
    vocab: dict[str, int] = {}
    for tokens, _ in data:
        for t in tokens:
            vocab.setdefault(t, len(vocab))
    x = np.zeros((len(data), len(vocab)), dtype=np.float32)
    for i, (tokens, _) in enumerate(data):
        x[i, [vocab[t] for t in set(tokens)]] = 1.0
    y = [k for _, k in data]
    nb = MultinomialNB(alpha=alpha).fit(x, y)
    # keep the words seen at least twice: the rest only add noise and size
    counts = x.sum(axis=0)
    keep = [w for w, i in vocab.items() if counts[i] >= 2]
    idx = [vocab[w] for w in keep]
    return KindModel(
        tuple(nb.classes_), {w: i for i, w in enumerate(keep)}, nb.class_log_prior_.astype(np.float32),
        nb.feature_log_prob_[:, idx].astype(np.float32),
    )


def _logistic(x: np.ndarray, y: np.ndarray, names, c: float = 1.0, balanced: bool = True) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0) if len(x) else np.zeros(len(names), np.float32)
    scale = x.std(axis=0) if len(x) else np.ones(len(names), np.float32)
    scale[scale < 1e-6] = 1.0
    if len(set(y.tolist())) < 2:  # one class only (tiny data): a constant model
        rate = float(np.clip(y.mean() if len(y) else 0.0, 0.01, 0.99))
        return LinearModel(tuple(names), mean.astype(np.float32), scale.astype(np.float32),
                           np.zeros(len(names), np.float32), float(np.log(rate / (1 - rate))))
    lr = LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=2000, random_state=SEED)
    lr.fit((x - mean) / scale, y)
    return LinearModel(tuple(names), mean.astype(np.float32), scale.astype(np.float32),
                       lr.coef_[0].astype(np.float32), float(lr.intercept_[0]))


def candidate_matrix(row: dict, kinds: KindModel) -> np.ndarray:
    return with_cue(row["raw"], [c.kind for c in row["pool"].candidates], kinds.predict(row["info"].tokens))


def fit_ranker(rows: list[dict], kinds: KindModel) -> LinearModel:
    xs, ys = [], []
    for r in rows:
        if len(r["labels"]) and r["labels"].any():
            xs.append(candidate_matrix(r, kinds))
            ys.append(r["labels"].astype(int))
    return _logistic(np.vstack(xs), np.concatenate(ys), CANDIDATE_FEATURES, c=1.0, balanced=False)


def scored(rows: list[dict], kinds: KindModel, ranker: LinearModel) -> list[dict]:
    """Per question: ranker probabilities, question features, and the candidate corrections' gate inputs."""
    out = []
    for r in rows:
        pool, info = r["pool"], r["info"]
        x = candidate_matrix(r, kinds)
        probs = ranker.predict(x)
        for c, p in zip(pool.candidates, probs):
            c.score = float(p)
        qf = question_features(info, pool.candidates, x, probs, pool)
        out.append({**r, "x": x, "probs": probs, "qf": qf})
    return out


def fit_answerability(srows: list[dict]) -> LinearModel:
    data = [r for r in srows if r["kind"] in ANSWERABLE or r["kind"] == "unanswerable"]
    x = np.vstack([r["qf"] for r in data])
    y = np.array([r["kind"] in ANSWERABLE for r in data], dtype=int)
    return _logistic(x, y, QUESTION_FEATURES, c=0.5)


def gate_rows(srows: list[dict], answerability: LinearModel) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    out = []
    for r in srows:
        a = float(answerability.predict(r["qf"][None, :])[0])
        r["answerability"] = a
        feats = [gate_features(c, c.evidence.score, a, r["anchor"]) for c in r["corrections"]]
        labels = [r["kind"] == "false_premise" and c.evidence.record_id in r["object_ids"] for c in r["corrections"]]
        out.append((r, np.asarray(feats, dtype=np.float32).reshape(-1, len(GATE_FEATURES)), np.asarray(labels, dtype=int)))
    return out


def fit_gate(grows) -> LinearModel:
    x = np.vstack([g[1] for g in grows if len(g[1])] or [np.zeros((0, len(GATE_FEATURES)), np.float32)])
    y = np.concatenate([g[2] for g in grows if len(g[1])] or [np.zeros(0, int)])
    return _logistic(x, y, GATE_FEATURES, c=0.5)


def fit_all(rows: list[dict]) -> tuple[KindModel, LinearModel, LinearModel, LinearModel]:
    kinds = fit_kinds(rows)
    ranker = fit_ranker(rows, kinds)
    srows = scored(rows, kinds, ranker)
    answerability = fit_answerability(srows)
    gate = fit_gate(gate_rows(srows, answerability))
    return kinds, ranker, answerability, gate


def predict(rows, models) -> list[dict]:
    """Every question's outcome under ``models``: best evidence, answerability, best gate probability."""
    kinds, ranker, answerability, gate = models
    srows = scored(rows, kinds, ranker)
    out = []
    for r, feats, _labels in gate_rows(srows, answerability):
        g = gate.predict(feats) if len(feats) else np.zeros(0)
        best = int(np.argmax(r["probs"])) if len(r["probs"]) else -1
        best_gate = int(np.argmax(g)) if len(g) else -1
        named = named_question_features(r["qf"])
        guarded = best >= 0 and guard(r["info"], r["pool"], r["pool"].candidates[best].record_id, named) is not None
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "answerability": r["answerability"],
                "guarded": bool(guarded or best < 0),  # abstained before the model: AbstentionPolicy's guards
                "gate": float(g[best_gate]) if best_gate >= 0 else 0.0,
                "gate_gold": bool(best_gate >= 0 and r["corrections"][best_gate].evidence.record_id in r["object_ids"]),
                "best_gold_object": bool(best >= 0 and r["pool"].candidates[best].record_id in r["object_ids"]),
                "best_is_evidence": bool(best >= 0 and r["labels"][best]),
                "evidence_retrieved": bool(r["labels"].any()) if len(r["labels"]) else False,
            }
        )
    return out


def thresholds(preds: list[dict]) -> tuple[float, float]:
    """Abstention threshold (wrongful <= 6%, the guards' abstentions included) and gate threshold (true-premise
    corrections <= 3%)."""
    ans = np.sort([-1.0 if p["guarded"] else p["answerability"] for p in preds if p["kind"] in ANSWERABLE])
    t_abstain = float(ans[int(np.floor(MAX_WRONGFUL_ABSTENTION * len(ans)))]) if len(ans) else 0.5
    true = np.sort([p["gate"] for p in preds if p["kind"] != "false_premise"])[::-1]
    allowed = int(np.floor(MAX_TRUE_PREMISE_CORRECTED * len(true)))
    t_gate = float(true[allowed]) + 1e-4 if len(true) > allowed else 0.5
    return round(t_abstain, 4), round(min(max(t_gate, 0.05), 0.99), 4)


def figures(preds: list[dict], t_abstain: float, t_gate: float) -> dict:
    def share(items, pred):
        return round(sum(1 for i in items if pred(i)) / len(items), 3) if items else None

    corrected = lambda p: p["gate"] >= t_gate  # noqa: E731
    abstained = lambda p: not corrected(p) and (p["guarded"] or p["answerability"] < t_abstain)  # noqa: E731
    factual = [p for p in preds if p["kind"] == "factual"]
    answered = [p for p in factual if not corrected(p) and not abstained(p)]
    return {
        "factual_answered": share(factual, lambda p: not corrected(p) and not abstained(p)),
        "answered_factual_gold_object": share(answered, lambda p: p["best_gold_object"]),
        "answered_factual_best_is_evidence": share(answered, lambda p: p["best_is_evidence"]),
        "answered_factual_best_is_evidence_when_retrieved": share(
            [p for p in answered if p["evidence_retrieved"]], lambda p: p["best_is_evidence"]
        ),
        "wrongful_abstention": share([p for p in preds if p["kind"] in ANSWERABLE], abstained),
        "unanswerable_abstained": share([p for p in preds if p["kind"] == "unanswerable"], abstained),
        "false_premise_corrected": share([p for p in preds if p["kind"] == "false_premise"], corrected),
        "false_premise_corrected_gold": share(
            [p for p in preds if p["kind"] == "false_premise"], lambda p: corrected(p) and p["gate_gold"]
        ),
        "true_premise_corrected": share([p for p in preds if p["kind"] != "false_premise"], corrected),
        "n": len(preds),
    }


def within_thresholds(rows: list[dict], folds: int = 4) -> tuple[float, float]:
    """Thresholds from cross-validated predictions within one museum's labels."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(rows))
    preds = []
    for k in range(folds):
        test = [rows[i] for i in order[k::folds]]
        train = [rows[i] for j, i in enumerate(order) if j % folds != k]
        preds += predict(test, fit_all(train))
    return thresholds(preds)


def fit(args: argparse.Namespace) -> None:
    collections, embed_models = [], set()
    for path in args.features:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
        collections.append((Path(path).stem, data["rows"]))
        embed_models.add(data.get("embed_model", LEGACY_MODEL))  # extracted before the model was recorded: MiniLM
    if len(embed_models) != 1:
        raise SystemExit(f"the feature files were extracted over stores of different embedders: {sorted(embed_models)}")
    embed_model = embed_models.pop()
    report: dict = {"seed": SEED, "embed_model": embed_model,
                    "collections": {name: len(rows) for name, rows in collections}}
    cross_preds = []
    if len(collections) == 2:
        for (a, rows_a), (b, rows_b) in (collections, collections[::-1]):
            t_abstain, t_gate = within_thresholds(rows_a)
            preds = predict(rows_b, fit_all(rows_a))
            cross_preds += preds
            report[f"fit_{a}_measure_{b}"] = {
                "thresholds (from fit museum, 4-fold)": {"abstain": t_abstain, "premise": t_gate},
                **figures(preds, t_abstain, t_gate),
            }
            print(json.dumps({f"fit {a} -> measure {b}": report[f"fit_{a}_measure_{b}"]}, indent=1), flush=True)
    rows = [r for _, rows_ in collections for r in rows_]
    models = fit_all(rows)
    t_abstain, t_gate = thresholds(cross_preds) if cross_preds else within_thresholds(rows)
    report["thresholds"] = {"abstain": t_abstain, "premise": t_gate, "calibrated_on": "cross-museum predictions"}
    kinds, ranker, answerability, gate = models
    used = {
        "abstain": t_abstain if args.abstain_threshold is None else args.abstain_threshold,
        "premise": t_gate if args.premise_threshold is None else args.premise_threshold,
    }
    model = AnsweringModel(kinds, ranker, answerability, gate, info=report, thresholds=used)
    out = Path(args.out) if args.out else REPO / "rag" / "data" / MODEL_FILES.get(embed_model, MODEL_FILE)
    out.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items()}, indent=1))
    print(f"wrote {out} (fitted on {embed_model}'s similarities); thresholds used: {used}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="Extract candidates, features and labels over one ingested collection.")
    ex.add_argument("--labels", nargs="+", required=True, help="Label files (globs allowed).")
    ex.add_argument("--collection", required=True, help="The collection file the labels quote (for creator roles).")
    ex.add_argument("--out", required=True)
    fi = sub.add_parser("fit", help="Fit on extracted collections and write the model JSON.")
    fi.add_argument("features", nargs="+")
    fi.add_argument("--out", default=None, help="Default: the packaged model file of the stores' embedder.")
    fi.add_argument("--abstain-threshold", type=float, default=None,
                    help="The abstention threshold to record (tuned on the dev sets); default: the calibrated one.")
    fi.add_argument("--premise-threshold", type=float, default=None,
                    help="The premise-gate threshold to record; default: the calibrated one.")
    args = parser.parse_args(argv)
    np.random.seed(SEED)
    if args.command == "extract":
        extract(args)
    else:
        fit(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
