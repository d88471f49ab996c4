"""Which language detector recognises visitors' questions best: accuracy per language, side by side.

Visitors type short, casual questions, often without accents ("le dictionnaire americain de Webster
est sorti en quelle annee"); full of English proper names ("Who painted ...", "Wer malte George
Washington?"). Every detector is restricted to the languages museum-rag answers in.

Usage::

    python bench/language_id.py                               # the dev question sets
    python bench/language_id.py --questions FILE.jsonl ...    # any question files (``lang`` missing = en)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.language.detect import SUPPORTED_LANGUAGES, LanguageDetector, without_names  # noqa: E402

DEFAULT_FILES = [
    ROOT / "tests/data/npg_questions_multilingual_dev.jsonl",
    ROOT / "tests/data/npg_questions_dev.jsonl",
    ROOT / "tests/data/npg_questions_holdout.jsonl",
]


def _lingua(low_accuracy: bool) -> Callable[[str], str]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder  # pip install lingua-language-detector

    codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else "en"

    return detect


def _langid() -> Callable[[str], str]:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SUPPORTED_LANGUAGES))
    return lambda text: identifier.classify(text)[0]


def _product() -> Callable[[str], str]:
    detector = LanguageDetector()
    return lambda text: detector.detect(text).lang


DETECTORS: dict[str, Callable[[], Callable[[str], str]]] = {
    "lingua (6 languages)": lambda: _lingua(False),
    "lingua low-accuracy mode (6 languages)": lambda: _lingua(True),
    "py3langid (6 languages)": _langid,
    "py3langid, names left out (6 languages)": lambda: (lambda f: lambda t: f(without_names(t)))(_langid()),
    "rag.language.detect (the product)": _product,
}


def load(paths: list[Path]) -> list[tuple[str, str]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append((row["question"], row.get("lang") or "en"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", nargs="+", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rows = load(args.questions)
    totals = Counter(lang for _, lang in rows)
    langs = sorted(totals, key=lambda lang: (lang != "en", lang))
    print(f"{len(rows)} questions: " + ", ".join(f"{lang} {totals[lang]}" for lang in langs))
    print("| detector | all | " + " | ".join(langs) + " | ms / question |")
    print("|---|---|" + "---|" * len(langs) + "---|")
    for name, factory in DETECTORS.items():
        try:
            detect = factory()
        except ImportError as exc:
            print(f"| {name} | not installed ({exc.name}) |")
            continue
        detect("warm up")
        right: dict[str, int] = defaultdict(int)
        errors = []
        start = time.perf_counter()
        for question, lang in rows:
            got = detect(question)
            if got == lang:
                right[lang] += 1
            else:
                errors.append((lang, got, question))
        ms = (time.perf_counter() - start) * 1000 / max(len(rows), 1)
        cells = " | ".join(f"{right[lang] / totals[lang]:.3f}" for lang in langs)
        print(f"| {name} | {sum(right.values()) / len(rows):.3f} | {cells} | {ms:.2f} |")
        if args.show_errors:
            for lang, got, question in errors:
                print(f"    {lang} -> {got}: {question}")


if __name__ == "__main__":
    main()
