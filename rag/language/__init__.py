"""The language layer: one place for everything that depends on a text's language.

Tokens with offsets, the Snowball stemmer and stopwords of each supported language, word lists
and language detection. Answering, premise checks and the verifier all use it; nothing else
tokenises. Word lists and vocabularies are data files under ``rag/language/data/``.

Example::

    lang = Language.for_code("fr")
    lang.tokens("Huile sur toile")   # [Token(text='Huile', start=0, end=5, norm='huile', stem='huil', is_stop=False), ...]
    lang.wordlist("months")          # frozenset({'janvier', ...})
"""

from rag.language.language import SUPPORTED, Language, UnsupportedLanguage
from rag.language.tokens import Token, fold, split_tokens

__all__ = ["SUPPORTED", "Language", "Token", "UnsupportedLanguage", "fold", "split_tokens"]
