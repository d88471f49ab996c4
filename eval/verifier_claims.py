"""Labelled verifier claims derived from question-answering training labels, and the corruption rules that make them.

A training label quotes the record text that answers a question (a description sentence or a
catalogue field value). Each quote, checked against its record, is a *supported* claim; the same
quote with one fact changed is an *unsupported* one. The changes are general rules, not written
for any record: a year exchanged for another year of the record (or moved), a count changed, a
name exchanged for another name of the record, a material exchanged for another, a negation added
or removed, two names trading places (who did what to whom), the verb's voice turned round, a word
turned into its opposite. A false-premise label adds a natural pair: what the question asserts
(unsupported) and what the record says instead (supported).

Example::

    records = load_records([Path("../shared/data/npg_labels.jsonl")])
    rows = derive_claims(load_labels([Path("../shared/data/train_parts/tr-npg-a.jsonl")]), records, museum="npg")
    rows[0]  # {"id": ..., "claim": ..., "source": ..., "label": "supported", "kind": "quote", "museum": "npg", ...}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable

from rag.chunking import tombstone_text
from rag.models import CollectionRecord
from rag.verification.tokens import is_name, tokenize
from rag.verification.vocabulary import ANTONYMS, MATERIALS, UNITS

#: Kinds of supported claims and of unsupported ones.
SUPPORTED_KINDS = ("quote", "field", "record_says")
CHANGED_KINDS = ("year", "number", "name", "material", "negation", "role_swap", "voice", "antonym")
PREMISE_KIND = "premise"

#: Record fields a quote may come from, and the label they carry in a claim ("Medium: oil on canvas").
FIELD_LABELS = {
    "creators": "Artist", "date": "Date", "technique": "Medium", "provenance": "Provenance",
    "inscriptions": "Inscriptions", "credit_line": "Credit line", "dimensions": "Dimensions",
    "place_of_origin": "Place of origin", "title": "Title", "reign": "Reign", "culture": "Culture",
    "period": "Period", "dynasty": "Dynasty", "object_name": "Object", "type": "Type",
}


# ----------------------------------------------------------------------------- loading


def load_records(paths: Iterable[Path]) -> dict[str, dict]:
    """Collection records by id (JSONL files in the record schema)."""
    records: dict[str, dict] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    records[record["id"]] = record
    return records


def load_labels(paths: Iterable[Path]) -> list[dict]:
    """Training questions (``train_parts/*.jsonl``), each tagged with the file it came from."""
    rows = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    rows.append({**json.loads(line), "_file": Path(path).name})
    return rows


def museum_of(record_id: str) -> str:
    """The museum prefix of a record id ("npg:4214" -> "npg")."""
    return record_id.split(":", 1)[0]


# ----------------------------------------------------------------------------- record texts


def _field_text(record: dict, field: str) -> str:
    value = record.get(field)
    if field == "creators":
        return "; ".join(c.get("display") or c.get("name") or "" for c in value or [])
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v)
    return str(value or "")


def catalogue_text(record: dict) -> str:
    """The record's catalogue fields as text: its tombstone, then provenance and inscriptions."""
    parts = [tombstone_text(_tombstone_record(record))]
    for field in ("provenance", "inscriptions"):
        text = _field_text(record, field).strip()
        if text:
            parts.append(f"{FIELD_LABELS[field]}: {text.rstrip('.')}.")
    return " ".join(parts)


_TOMBSTONE_FIELDS = (
    "id", "title", "creators", "date", "type", "object_name", "technique", "culture", "period", "dynasty", "reign",
    "style", "place_of_origin", "department", "dimensions", "credit_line", "accession_number", "museum", "description",
)


def _tombstone_record(record: dict) -> CollectionRecord:
    """The record's tombstone fields as a :class:`CollectionRecord` (a field of the wrong shape is left out)."""
    kept = {k: record[k] for k in _TOMBSTONE_FIELDS if record.get(k) is not None}
    try:
        return CollectionRecord.model_validate(kept)
    except ValueError as error:
        bad = {str(e["loc"][0]) for e in getattr(error, "errors", lambda: [])() if e.get("loc")}
        return CollectionRecord.model_validate({k: v for k, v in kept.items() if k not in bad})


def evidence_source(record: dict, field: str) -> str:
    """The text a claim drawn from ``field`` is checked against: the description, or the catalogue text."""
    if field in ("description", "did_you_know"):
        return str(record.get(field) or "")
    return catalogue_text(record)


def evidence_claim(record: dict, field: str, quote: str) -> str:
    """A quote as a claim: a description sentence as it stands, a field value with its label and the object's title."""
    if field in ("description", "did_you_know"):
        return quote.strip()
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{record.get('title', '').rstrip('.')}. {label}: {quote.strip().rstrip('.')}."


# ----------------------------------------------------------------------------- corruption rules

_YEAR = re.compile(r"(?<![\d,.])(1[0-9]{3}|20[0-2][0-9])(?![\d,])")
_COUNT = re.compile(r"(?<![\d,.$])([1-9][0-9]?)(?![\d,.])(?!\s*(?:st|nd|rd|th)\b)")
_AUXILIARY = re.compile(r"\b(is|was|were|are|has|had|have|did|does|do|can|could|will|would|should)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|never|no|without|cannot)\b|n't\b", re.IGNORECASE)
_DENIAL = re.compile(r"\s+(?:not|never)\b|n't\b", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:was|were)\s+([a-z]+(?:ed|en))\s+by\s+", re.IGNORECASE)
_ACTIVE = re.compile(r"\b([A-Z][a-z]+|he|she|they)\s+([a-z]{3,}ed)\s+(?=(?:the|his|her|their|a|an)\s+[a-z]+|[A-Z])")
_WORD_NUMBERS = {w: int(v) for w, v in UNITS.items() if float(v).is_integer() and 2 <= v <= 12 and w not in ("pair", "couple", "dozen", "twice", "thrice")}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def _pick(options: list[str], key: str) -> str:
    """A fixed choice (no randomness): the option whose text hashes lowest together with ``key``."""
    return min(options, key=lambda option: hashlib.sha256((key + "\x00" + option).encode()).hexdigest())


def negate(claim: str) -> str | None:
    """The claim with "not" after its first auxiliary verb; None when it has none or is already negative."""
    if _NEGATION.search(claim):
        return None
    match = _AUXILIARY.search(claim)
    if not match:
        return None
    return claim[: match.end()] + " not" + claim[match.end() :]


def denegate(claim: str) -> str | None:
    """The claim with its one "not" / "never" / "n't" taken out; None unless it has exactly one."""
    found = _DENIAL.findall(claim)
    if len(found) != 1 or re.match(r"\s*no\b", claim, re.IGNORECASE):
        return None
    return _DENIAL.sub("", claim, count=1)


def change_year(claim: str, source: str) -> str | None:
    """A year of the claim exchanged for the nearest other year of the source, or moved by a few years."""
    years = _YEAR.findall(claim)
    if not years:
        return None
    year = years[0]
    others = sorted({y for y in _YEAR.findall(source) if y not in years})
    if others:
        other = min(others, key=lambda y: (abs(int(y) - int(year)), y))
    else:
        shift = 2 + int(hashlib.sha256(claim.encode()).hexdigest(), 16) % 19  # 2..20 years
        other = str(int(year) + shift if int(year) + shift <= 2025 else int(year) - shift)
    return claim.replace(year, other)


def change_number(claim: str) -> str | None:
    """A count of the claim changed: a small number in digits or words, never a year."""
    match = _NUMBER_WORD.search(claim)
    if match:
        word = match.group(1)
        value = _WORD_NUMBERS[word.lower()]
        target = value + 1 if value < 12 else value - 1
        replacement = next((w for w, v in _WORD_NUMBERS.items() if v == target), None)
        if replacement:
            replacement = replacement.capitalize() if word[0].isupper() else replacement
            return claim[: match.start(1)] + replacement + claim[match.end(1) :]
    for match in _COUNT.finditer(claim):
        value = int(match.group(1))
        target = value + 1 if value % 2 else value + 2 if value < 20 else value - 3
        return claim[: match.start(1)] + str(target) + claim[match.end(1) :]
    return None


def name_runs(text: str) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, stems) of each run of name tokens in ``text``."""
    tokens = tokenize(text)
    runs, index = [], 0
    while index < len(tokens):
        if is_name(tokens, index) and tokens[index].text[:1].isalpha():
            start = index
            while index < len(tokens) and is_name(tokens, index):
                index += 1
            runs.append((tokens[start].start, tokens[index - 1].end, frozenset(t.stem for t in tokens[start:index])))
        else:
            index += 1
    return runs


def change_name(claim: str, source: str) -> str | None:
    """The claim's last name exchanged for a name of the source that shares no word with the claim's names."""
    claim_runs = name_runs(claim)
    if not claim_runs:
        return None
    claim_stems = frozenset().union(*(stems for _, _, stems in claim_runs))
    start, end, stems = claim_runs[-1]
    candidates = sorted(
        {source[a:b] for a, b, other in name_runs(source) if not (other & claim_stems) and len(other) == len(stems)}
    )
    if not candidates:
        return None
    return claim[:start] + _pick(candidates, claim) + claim[end:]


def swap_roles(claim: str) -> str | None:
    """Two different names of the claim trade places: who did what to whom is turned round."""
    runs = name_runs(claim)
    pairs = [(a, b) for i, a in enumerate(runs) for b in runs[i + 1 :] if not (a[2] & b[2])]
    if not pairs:
        return None
    (s1, e1, _), (s2, e2, _) = pairs[0]
    return claim[:s1] + claim[s2:e2] + claim[e1:s2] + claim[s1:e1] + claim[e2:]


def flip_voice(claim: str) -> str | None:
    """"was mentored by X" -> "mentored X", "X photographed Y" -> "X was photographed by Y"."""
    flipped = _PASSIVE.sub(lambda m: m.group(1) + " ", claim, count=1)
    if flipped == claim:
        flipped = _ACTIVE.sub(lambda m: f"{m.group(1)} was {m.group(2)} by ", claim, count=1)
    return flipped if flipped != claim else None


def change_material(claim: str, source: str) -> str | None:
    """A material of the claim exchanged for another one (of the source when it names another, else of the list)."""
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[A-Za-z]+", claim)]
    found = [(a, b, w) for a, b, w in words if w.lower() in MATERIALS]
    if not found:
        return None
    start, end, word = found[0]
    in_claim = {w.lower() for _, _, w in found}
    source_materials = sorted({w.lower() for w in re.findall(r"[A-Za-z]+", source) if w.lower() in MATERIALS} - in_claim)
    options = source_materials or sorted(MATERIALS - in_claim)
    other = _pick(options, claim)
    other = other.capitalize() if word[0].isupper() else other
    return claim[:start] + other + claim[end:]


def antonym(claim: str) -> str | None:
    """A word of the claim turned into its opposite ("husband" -> "wife", "before" -> "after")."""
    for match in re.finditer(r"[A-Za-z]+", claim):
        opposites = ANTONYMS.get(match.group(0).lower())
        if opposites:
            other = sorted(opposites)[0]
            other = other.capitalize() if match.group(0)[0].isupper() else other
            return claim[: match.start()] + other + claim[match.end() :]
    return None


def corruptions(claim: str, source: str) -> list[tuple[str, str]]:
    """Unsupported variants of a supported claim, each with its kind: ``[(kind, text)]`` (at most one per kind)."""
    out: list[tuple[str, str]] = []
    candidates = [
        ("year", change_year(claim, source)),
        ("number", change_number(claim)),
        ("name", change_name(claim, source)),
        ("material", change_material(claim, source)),
        ("negation", negate(claim) or denegate(claim)),
        ("role_swap", swap_roles(claim)),
        ("voice", flip_voice(claim)),
        ("antonym", antonym(claim)),
    ]
    seen = {claim}
    for kind, text in candidates:
        if text and text not in seen:
            seen.add(text)
            out.append((kind, text))
    return out


# ----------------------------------------------------------------------------- derivation


def derive_claims(labels: list[dict], records: dict[str, dict], museum: str | None = None) -> list[dict]:
    """Labelled (claim, source) rows from training questions, in the labelled-pairs format of ``eval verifier``.

    Each row: ``id``, ``pair_id`` (the question: its rows never straddle folds), ``claim``, ``source``,
    ``question``, ``label``, ``kind`` (a supported kind, a changed-fact kind, or ``premise``), ``museum``,
    ``origin`` ("<museum>-derived"). Only English questions' answers are used as claims (the records are English).
    """
    rows: list[dict] = []
    for label in labels:
        evidence = [e for e in label.get("evidence") or [] if e.get("record_id") in records]
        if not evidence:
            continue
        this_museum = museum_of(evidence[0]["record_id"])
        if museum is not None and this_museum != museum:
            continue

        def add(claim: str, source: str, supported: bool, kind: str) -> None:
            rows.append(
                {
                    "id": f"{label['id']}-{len(rows)}",
                    "pair_id": label["id"],
                    "claim": claim,
                    "source": source,
                    "question": label.get("question"),
                    "label": "supported" if supported else "unsupported",
                    "kind": kind,
                    "museum": this_museum,
                    "origin": f"{this_museum}-derived",
                }
            )

        sources = []
        for item in evidence:
            record = records[item["record_id"]]
            field, quote = item.get("field", ""), item.get("quote", "")
            if not quote.strip():
                continue
            source = evidence_source(record, field)
            if not source.strip():
                continue
            sources.append(source)
            claim = evidence_claim(record, field, quote)
            prose = field in ("description", "did_you_know")
            add(claim, source, True, "quote" if prose else "field")
            # A field claim keeps its title and label: only the value is changed.
            for kind, text in corruptions(quote.strip() if not prose else claim, source):
                add(text if prose else evidence_claim(record, field, text), source, False, kind)
        premise = label.get("premise") or {}
        if label.get("kind") == "false_premise" and premise.get("asserted") and sources and label.get("lang", "en") == "en":
            joined = sources if len(sources) == 1 else [" ".join(dict.fromkeys(sources))]
            add(_sentence(premise["asserted"]), joined[0], False, PREMISE_KIND)
            if premise.get("record_says"):
                add(_sentence(premise["record_says"]), joined[0], True, "record_says")
    return rows


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
