"""The language layer: one place for everything that depends on a text's language.

Tokens with offsets, the Snowball stemmer and stopwords of each supported language, word lists
and language detection. Answering, premise checks and the verifier all use it; nothing else
tokenises. Word lists and vocabularies are data files under ``rag/language/data/``.
"""
