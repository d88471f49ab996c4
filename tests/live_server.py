"""Start the real ``museum-rag serve`` on a free loopback port, for tests and benchmarks.

Example::

    with LiveServer(data_dir, env={"MUSEUM_RAG_API_KEYS": "k"}) as server:
        httpx.get(server.url + "/readyz")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``museum-rag serve`` in a subprocess, bound to 127.0.0.1; stopped (SIGTERM, then kill) on exit.

    ``answer_processes``: 0 (the default here) answers in the serving process, which starts in about half the
    time of the server's own default (each answer process loads its own models: 18 vs 31 s on the 2-core
    machine); None keeps the server's default, one answer process per core (tests/test_api_server.py, and
    bench/load.py, which measures it).
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, log_path: Path | None = None,
                 startup_timeout: float = 120.0, launcher: list[str] | None = None,
                 answer_processes: int | None = 0) -> None:
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.data_dir.parent / f"server-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "MUSEUM_RAG_DATA_DIR": str(self.data_dir),
            "MUSEUM_RAG_STORE": "embedded",
            **(env or {}),
        }
        if answer_processes is not None:
            self.env["MUSEUM_RAG_ANSWER_PROCESSES"] = str(answer_processes)
        self.process: subprocess.Popen | None = None
        self.launcher = launcher or []  # a command that runs the server command it is given (e.g. in a namespace)

    def start(self) -> "LiveServer":
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*self.launcher, sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the server was not ready after {self.startup_timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None) is not None and not self._log.closed:
            self._log.close()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
