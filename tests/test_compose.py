"""docker-compose.yml validates with `docker-compose config` (no Docker engine runs here: nothing is started)."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib.metadata import version

import pytest
import yaml

from tests.conftest import REPO

COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (Debian: apt-get install docker-compose; `make system-deps`)"
)


def compose_config(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MUSEUM_RAG_", "QDRANT_", "LLM_"))}
    return subprocess.run(
        [COMPOSE, "-f", str(REPO / "docker-compose.yml"), *args, "config"],
        cwd=REPO, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_compose_file_validates_and_describes_production():
    result = compose_config(QDRANT_API_KEY="test-qdrant-key", MUSEUM_RAG_API_KEYS="staff")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"api", "qdrant", "llm"}

    api = services["api"]
    assert api["build"]["context"] == str(REPO) and (REPO / "Dockerfile").is_file()
    env = api["environment"]
    assert env["MUSEUM_RAG_STORE"] == "server" and env["MUSEUM_RAG_QDRANT_URL"] == "http://qdrant:6333"
    assert env["MUSEUM_RAG_QDRANT_API_KEY"] == "test-qdrant-key" and env["MUSEUM_RAG_API_KEYS"] == "staff"

    qdrant = services["qdrant"]
    client_minor = ".".join(version("qdrant-client").split(".")[:2])  # e.g. 1.20
    assert qdrant["image"].startswith(f"qdrant/qdrant:v{client_minor}."), "the server release matches qdrant-client"
    assert qdrant["environment"]["QDRANT__SERVICE__API_KEY"] == "test-qdrant-key"
    assert any(str(v).endswith(":/qdrant/storage") or v.get("target") == "/qdrant/storage"
               for v in [_volume(v) for v in qdrant["volumes"]])
    assert "ports" not in qdrant, "Qdrant is reachable only on the compose network"

    llm = services["llm"]
    assert llm["profiles"] == ["llm"] and "llama.cpp:server" in llm["image"]


def _volume(volume):
    return volume if isinstance(volume, dict) else {"target": str(volume).split(":")[1]}


def test_compose_refuses_to_run_qdrant_without_an_api_key():
    result = compose_config()
    assert result.returncode != 0
    assert "set QDRANT_API_KEY" in result.stderr


def test_dockerfile_pins_torch_and_runs_the_server_unprivileged():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "ARG TORCH_VERSION=2.13.0" in dockerfile
    assert dockerfile.index('pip install "torch==${TORCH_VERSION}"') < dockerfile.index("pip install .")
    assert "USER museum" in dockerfile and 'CMD ["museum-rag", "serve"]' in dockerfile
    assert "HF_HUB_OFFLINE=1" in dockerfile
